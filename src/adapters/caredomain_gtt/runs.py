"""Reading an export by runs of lines, each run digested, so that runs met before need not be
parsed.

An export lists every agent over the same days, one line per agent-day, so each agent's rows
are a run of as many lines as the first agent has. The body is cut into such runs of raw
bytes and each is digested (SHA-256 of the reading settings, then the bytes). A run whose
digest the roster holds — the lines that last stated that agent's whole record — is given as
a :class:`~caredomain.ports.RecognisedRun`, not parsed. The other runs are parsed, each
stretch of them in one :mod:`csv` pass, and every one that turns out to be one agent's rows
keeps its digest (:attr:`~caredomain.ports.FeedBatch.run_digests`) for the roster to
remember.

Nothing here judges a line: the first thing that does not fit — a field over several lines,
a lone carriage return, a byte the encoding cannot read, a row of another width, an empty
field, a day that does not read — makes :func:`read_by_runs` give up (``None``), and the
reader reads the file as text, which names every bad line. An agent whose run has another
length only costs speed: the runs after hers no longer line up with runs met before, and
are parsed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from attrs import field, frozen

from caredomain.ports import FeedBatch, RecognisedRun, RunColumn

if TYPE_CHECKING:
    from _csv import Reader
    from hashlib import _Hash

__all__ = ["RunLayout", "read_by_runs"]

VERSION = b"caredomain-gtt-runs/1"
"""Changes whenever what a digest stands for changes: older digests then match nothing."""

_FIRST_RUN_BYTES = 1 << 16  # where to look for the first agent's run
DIGEST_SIZE = 16  # bytes of SHA-256 kept per group of lines

Adder = Callable[[Any], None]
ColumnLoop = Callable[["Reader", Adder, Adder, Any, list[Any], list[str]], None]


@frozen
class RunLayout:
    """How the rows of one file read: the body's ``encoding`` (without a BOM), the
    ``delimiter``, the agent's column, whether fields are trimmed, the reader's column
    ``loop``, and ``settings``: everything that decides what a line means, which every
    digest starts from."""

    encoding: str
    delimiter: str
    columns: tuple[int, int, int]  # agent, day, code
    width: int
    trim: bool
    loop: ColumnLoop
    settings: tuple[object, ...]
    _start: _Hash = field(init=False, repr=False, eq=False)

    @_start.default
    def _settings_digested(self) -> _Hash:
        return hashlib.sha256(VERSION + repr(self.settings).encode())

    def digest(self, lines: bytes) -> bytes:
        """The digest of ``lines`` read with these settings."""
        state = self._start.copy()
        state.update(lines)
        return state.digest()[:DIGEST_SIZE]


def read_by_runs(
    path: Path,
    layout: RunLayout,
    day_of: Mapping[str, date | None],
    *,
    body_line: int,
    known: Mapping[bytes, str],
    extracted_at: datetime,
    strict: bool,
) -> FeedBatch | None:
    """The batch of ``path``, whose rows start on line ``body_line``, read by runs of lines
    (``day_of`` maps day texts to days, as the reader's other paths do); ``None`` where
    anything does not fit (see the module)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = _line_offset(data, body_line)
    if start is None or start == len(data):
        return None
    if not data.endswith(b"\n"):
        data += b"\n"
    length = _first_run(data[start : start + _FIRST_RUN_BYTES], layout)
    if length is None:
        return None
    runs = _Runs(data, start, length, layout)
    held = _HeldGroups(known)
    columns = _Columns(layout, day_of, runs, body_line)
    recognised: list[RecognisedRun] = []
    waiting: list[int] = []  # runs not recognised, parsed together
    for index in range(runs.count):
        found = held.run(runs.digests(index))
        if found is not None:
            run = columns.recognised(index, *found)
            if run is not None:
                if waiting and not columns.parse(waiting):
                    return None
                waiting = []
                recognised.append(run)
                continue
        waiting.append(index)
    if waiting and not columns.parse(waiting):
        return None
    return columns.batch(str(path), extracted_at, strict, recognised)


class _Runs:
    """The body cut into runs of ``length`` lines, each cut into groups of lines, each group
    digested: a run's digest is its groups' digests, end to end."""

    def __init__(self, data: bytes, start: int, length: int, layout: RunLayout) -> None:
        self.group = _group_size(length)
        self.per_run = length // self.group
        self.length = length
        self.groups: list[bytes] = _lines_of(self.group).findall(data, start)
        self.group_digests = [layout.digest(group) for group in self.groups]
        self.count = -(-len(self.groups) // self.per_run)

    def digests(self, index: int) -> list[bytes]:
        first = index * self.per_run
        return self.group_digests[first : first + self.per_run]

    def digest(self, index: int) -> bytes:
        return b"".join(self.digests(index))

    def lines(self, index: int) -> list[bytes]:
        first = index * self.per_run
        return self.groups[first : first + self.per_run]

    def rows(self, index: int) -> int:
        """How many lines run ``index`` has: ``length``, but for a short last one."""
        if index < self.count - 1:
            return self.length
        return sum(group.count(b"\n") for group in self.lines(index))


class _HeldGroups:
    """The groups of lines behind the records the roster holds: a group's digest → the
    agent, where the group sits in her run, and her record's whole digest."""

    def __init__(self, known: Mapping[bytes, str]) -> None:
        self.groups: dict[bytes, tuple[str, int, bytes]] = {}
        for digest, agent in known.items():
            if len(digest) % DIGEST_SIZE == 0:
                for place in range(len(digest) // DIGEST_SIZE):
                    part = digest[place * DIGEST_SIZE : (place + 1) * DIGEST_SIZE]
                    self.groups[part] = (agent, place, digest)

    def run(self, digests: list[bytes]) -> tuple[str, bytes, list[int]] | None:
        """The agent whose record's groups these are, in their places, that record's digest
        and the places of the groups not held; ``None`` if none is held, or they are not one
        record's in place."""
        found = None
        missing = []
        for place, digest in enumerate(digests):
            held = self.groups.get(digest)
            if held is None:
                missing.append(place)
                continue
            if held[1] != place or (found is not None and held[0] != found[0]):
                return None
            found = held
        if found is None:
            return None
        return found[0], found[2], missing


class _Columns:
    """The columns of the parsed rows, stretch after stretch."""

    def __init__(
        self,
        layout: RunLayout,
        day_of: Mapping[str, date | None],
        runs: _Runs,
        body_line: int,
    ) -> None:
        self.layout = layout
        self.day_of = day_of
        self.runs = runs
        self.body_line = body_line
        self.run_agents: list[str] = []
        self.run_starts: list[int] = []
        self.days: list[date | None] = []
        self.codes: list[str] = []
        self.lines: list[range] = []
        self.parsed_runs: list[tuple[int, int, bytes]] = []  # first row, rows, digest

    def parse(self, indexes: list[int]) -> bool:
        """Parse the consecutive runs at ``indexes``: ``False`` unless every line is one
        row."""
        layout, runs = self.layout, self.runs
        first, last = indexes[0], indexes[-1]
        lines = runs.groups[first * runs.per_run : (last + 1) * runs.per_run]
        try:
            text = b"".join(lines).decode(layout.encoding)
        except UnicodeDecodeError:
            return False
        first_row = len(self.codes)
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
        try:
            layout.loop(
                rows,
                self.run_agents.append,
                self.run_starts.append,
                self.day_of,
                self.days,
                self.codes,
            )
        except (ValueError, csv.Error):
            return False
        counts = [runs.length] * (len(indexes) - 1) + [runs.rows(last)]
        count = sum(counts)
        if rows.line_num != count or len(self.codes) - first_row != count:
            return False
        line = self.body_line + first * runs.length
        self.lines.append(range(line, line + count))
        for index, rows_in_run in zip(indexes, counts, strict=True):
            self.parsed_runs.append((first_row, rows_in_run, runs.digest(index)))
            first_row += rows_in_run
        return True

    def recognised(
        self, index: int, agent: str, basis: bytes, missing: list[int]
    ) -> RecognisedRun | None:
        """Run ``index`` as a recognised run of ``agent``, its groups at ``missing`` parsed;
        ``None`` if those do not read as her rows."""
        runs = self.runs
        parsed: list[tuple[int, date, str]] = []
        lines = runs.lines(index)
        for place in missing:
            rows = self._group_rows(lines[place], agent)
            if rows is None:
                return None
            offset = place * runs.group
            parsed += [(offset + k, day, code) for k, (day, code) in enumerate(rows)]
        return RecognisedRun(
            agent,
            runs.digest(index),
            self.body_line + index * runs.length,
            runs.rows(index),
            parsed=tuple(parsed),
            basis=basis,
        )

    def _group_rows(self, lines: bytes, agent: str) -> list[tuple[date, str]] | None:
        """The days and codes of a group of lines, every one a well-formed row of
        ``agent``; ``None`` if not so."""
        layout = self.layout
        try:
            text = lines.decode(layout.encoding)
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter))
        except (UnicodeDecodeError, csv.Error):
            return None
        if len(rows) != lines.count(b"\n"):
            return None
        agent_at, day_at, code_at = layout.columns
        out = []
        for row in rows:
            if len(row) != layout.width:
                return None
            name, code = row[agent_at], row[code_at]
            if layout.trim:
                name, code = name.strip(), code.strip()
            day = self.day_of[row[day_at]]
            if name != agent or day is None or not code:
                return None
            out.append((day, code))
        return out

    def batch(
        self, source: str, extracted_at: datetime, strict: bool, recognised: list[RecognisedRun]
    ) -> FeedBatch | None:
        if "" in self.run_agents or "" in self.codes or None in self.day_of.values():
            return None
        size = len(self.codes)
        starts = {*self.run_starts, size}
        # A run of lines is one agent's whole run when a run of rows starts where it starts
        # and where it ends.
        run_digests = {
            first: digest
            for first, count, digest in self.parsed_runs
            if first in starts and first + count in starts
        }
        lines = self.lines[0] if len(self.lines) == 1 else tuple(chain.from_iterable(self.lines))
        return FeedBatch(
            source,
            extracted_at,
            RunColumn(self.run_agents, self.run_starts, size),
            self.days,
            self.codes,
            lines,
            strict=strict,
            distinct_days=frozenset(cast(Mapping[str, date], self.day_of).values()),
            run_digests=run_digests,
            recognised=recognised,
        )


def _line_offset(data: bytes, line: int) -> int | None:
    """Where line ``line`` (from 1) starts."""
    offset = 0
    for _ in range(line - 1):
        end = data.find(b"\n", offset)
        if end < 0:
            return None
        offset = end + 1
    return offset


def _first_run(head: bytes, layout: RunLayout) -> int | None:
    """How many lines the first agent's run takes, as far as ``head`` shows."""
    whole = head[: head.rfind(b"\n") + 1]
    text = whole.decode(layout.encoding, errors="replace")
    first = None
    count = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter):
        agent_at = layout.columns[0]
        if len(row) <= agent_at:
            return None
        agent = row[agent_at].strip() if layout.trim else row[agent_at]
        if first is None:
            first = agent
        elif agent != first:
            break
        count += 1
    return count or None


def _group_size(length: int) -> int:
    """Lines per group in a run of ``length``: about ten, dividing the run evenly, so that a
    changed code costs parsing ten lines rather than the whole run; the whole run if no such
    size divides it."""
    for size in (10, 12, 8, 14, 6, 15, 16, 5, 9, 7, 11, 13):
        if length % size == 0 and length > size:
            return size
    return length


@cache
def _lines_of(count: int) -> re.Pattern[bytes]:
    """Groups of up to ``count`` whole lines."""
    return re.compile(rb"(?:[^\n]*\n){1,%d}" % count)
