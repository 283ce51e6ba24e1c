"""Reading an export by runs of lines, digested, so that lines met before need not be parsed.

An export lists every agent over the same days, one line per agent-day, so each agent's rows
are a run of as many lines as the first agent has. The body is cut into such runs of raw
bytes, each run into groups of about ten lines, and each group is digested (SHA-256 of the
reading settings, then the bytes; 16 bytes kept). A run's digest is its groups' digests end
to end; a record set from a whole run keeps it
(:attr:`~caredomain.roster.batch.FeedBatch.run_digests`).

Read against the digests the roster holds, a run whose digest is a record's — the lines that
last stated that agent's whole record — is given as a
:class:`~caredomain.roster.batch.RecognisedRun`, not parsed. A run whose groups are partly a
record's, in their places, is given so too, with the rows of its other groups parsed (a
changed code costs ten lines, not the run). The other runs are parsed, each stretch of them
in one :mod:`csv` pass.

Nothing here judges a line. What does not fit in a stretch — a field over several lines, a
lone carriage return, a byte the encoding cannot read, a row of another width, an empty
field, a day that does not read — makes :func:`read_by_runs` give up (``None``), and the
reader reads the file as text, which names every bad line; in the groups of a partly
recognised run it only has their runs parsed whole. An agent whose run has another length
only costs speed: the runs after hers no longer line up with runs met before.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, cast

from attrs import field, frozen

from caredomain.roster.batch import FeedBatch, RecognisedRun, RunColumn
from caredomain_gtt.columns import ColumnLoop

if TYPE_CHECKING:
    from _csv import Reader
    from hashlib import _Hash

__all__ = ["KnownRuns", "RunLayout", "read_by_runs", "runs_batch"]

VERSION = b"caredomain-gtt-runs/1"
"""Changes whenever what a digest stands for changes: older digests then match nothing."""

_FIRST_RUN_BYTES = 1 << 16  # where to look for the first agent's run
DIGEST_SIZE = 16  # bytes of SHA-256 kept per group of lines


@frozen
class RunLayout:
    """How the rows of one file read: the body's ``encoding`` (without a BOM), the
    ``delimiter``, the agent, day and code columns among ``width``, whether fields are
    trimmed, the ``date_formats``, and the reader's column ``loop``. All but the loop decide
    what a line means: every digest starts from them."""

    encoding: str
    delimiter: str
    columns: tuple[int, int, int]  # agent, day, code
    width: int
    trim: bool
    date_formats: tuple[str, ...]
    loop: ColumnLoop = field(eq=False, repr=False)
    _start: _Hash = field(init=False, repr=False, eq=False)

    @_start.default
    def _settings_digested(self) -> _Hash:
        meaning = (
            self.encoding,
            self.delimiter,
            self.width,
            self.columns,
            self.trim,
            self.date_formats,
        )
        return hashlib.sha256(VERSION + repr(meaning).encode())

    def rows(self, lines: bytes) -> Reader:
        """The rows of ``lines``, decoded as a file is, a block at a time (decoding them
        whole and reading from a ``StringIO`` costs a third more)."""
        text = io.TextIOWrapper(io.BytesIO(lines), encoding=self.encoding, newline="")
        return csv.reader(text, delimiter=self.delimiter)

    def parse(
        self,
        lines: bytes,
        count: int,
        columns: tuple[list[str], list[int], list[date | None], list[str]],
        day_of: Mapping[str, date | None],
    ) -> bool:
        """Add the ``count`` ``lines`` to the columns (agents as runs, their starts, days,
        codes) with the loop: ``False`` unless every line is one row of ``width`` fields."""
        agents, starts, days, codes = columns
        before = len(codes)
        rows = self.rows(lines)
        try:
            self.loop(rows, agents.append, starts.append, day_of, days, codes)
        except (ValueError, csv.Error, UnicodeDecodeError):
            return False
        return rows.line_num == count == len(codes) - before

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
    against ``known`` (a record's digest → its agent; ``day_of`` maps day texts to days, as
    the reader's other paths do); ``None`` where anything does not fit (see the module)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    start = _line_offset(data, body_line)
    if start is None:
        return None
    return runs_batch(
        str(path),
        data,
        start,
        layout,
        day_of,
        body_line=body_line,
        known=KnownRuns(known),
        extracted_at=extracted_at,
        strict=strict,
    )


def runs_batch(
    source: str,
    data: bytes,
    start: int,
    layout: RunLayout,
    day_of: Mapping[str, date | None],
    *,
    body_line: int,
    known: KnownRuns,
    extracted_at: datetime,
    strict: bool,
) -> FeedBatch | None:
    """:func:`read_by_runs` of the bytes ``data`` of ``source``, whose rows start at offset
    ``start``, on line ``body_line``: a whole body, or a chunk of it
    (:mod:`caredomain_gtt.chunks`)."""
    if start == len(data):
        return None
    if not data.endswith(b"\n"):
        if b'"' in data[data.rfind(b"\n") + 1 :]:
            return None  # a quoted field left open would take the line end put here in
        data += b"\n"
    length = _first_run(data[start : start + _FIRST_RUN_BYTES], layout)
    if length is None:
        return None
    runs = _Runs(data, start, length, layout, body_line)
    found = runs.recognised(known.known)
    partly = _partly_held(runs, known, found)
    for index, patched in _Patches(runs, layout, day_of).read(partly):
        found[index] = patched
    columns = _Columns(layout, day_of, runs)
    waiting: list[int] = []  # runs not recognised, parsed together
    for index, run in enumerate(found):
        if run is None:
            waiting.append(index)
        elif waiting:
            if not columns.parse(waiting):
                return None
            waiting = []
    if waiting and not columns.parse(waiting):
        return None
    recognised = [run for run in found if run is not None]
    return columns.batch(source, extracted_at, strict, recognised)


class _Runs:
    """The body cut into runs of ``length`` lines, each cut into groups of lines, each group
    digested: a run's digest is its groups' digests, end to end."""

    def __init__(
        self, data: bytes, start: int, length: int, layout: RunLayout, body_line: int
    ) -> None:
        self.group = _group_size(length)
        self.per_run = length // self.group
        self.length = length
        self.body_line = body_line
        self.groups: list[bytes] = _lines_of(self.group).findall(data, start)
        self.group_digests = [layout.digest(group) for group in self.groups]
        per_run = self.per_run
        self.digests = [
            b"".join(self.group_digests[first : first + per_run])
            for first in range(0, len(self.groups), per_run)
        ]
        self.count = len(self.digests)

    def lines(self, index: int) -> list[bytes]:
        """The groups of lines of run ``index``."""
        first = index * self.per_run
        return self.groups[first : first + self.per_run]

    def rows(self, index: int) -> int:
        """How many lines run ``index`` has: ``length``, but for a short last one."""
        if index < self.count - 1:
            return self.length
        return sum(group.count(b"\n") for group in self.lines(index))

    def line(self, index: int) -> int:
        return self.body_line + index * self.length

    def recognised(self, known: Mapping[bytes, str]) -> list[RecognisedRun | None]:
        """Each run whose digest is a record's, as a recognised run; ``None`` for the
        others."""
        found: list[RecognisedRun | None] = []
        for index, digest in enumerate(self.digests):
            agent = known.get(digest)
            found.append(
                None
                if agent is None
                else RecognisedRun(agent, digest, self.line(index), self.rows(index))
            )
        return found


Partly = tuple[int, str, bytes, list[int]]
"""A run partly recognised: its index, the agent, her record's digest, and the places of the
groups that are not that record's."""


class KnownRuns:
    """The digests a roster holds (a record's digest → its agent), and each group's digest →
    the record it is part of, built once for every run length met: a file read in chunks
    asks for it once per chunk."""

    def __init__(self, known: Mapping[bytes, str]) -> None:
        self.known = known
        self.held = list(known.items())
        self._owners: dict[int, dict[bytes, int]] = {}

    def owners(self, per_run: int) -> dict[bytes, int]:
        """Each group's digest → the number of the record of ``per_run`` groups holding it."""
        owners = self._owners.get(per_run)
        if owners is None:
            size = DIGEST_SIZE
            places = range(0, per_run * size, size)
            owners = self._owners[per_run] = {
                digest[place : place + size]: number
                for number, (digest, _) in enumerate(self.held)
                if len(digest) == per_run * size
                for place in places
            }
        return owners


def _partly_held(runs: _Runs, known: KnownRuns, found: list[RecognisedRun | None]) -> list[Partly]:
    """The runs not recognised whole whose groups are partly one record's, in their places
    (a record recognised whole is none of them)."""
    size, per_run = DIGEST_SIZE, runs.per_run
    if per_run == 1:
        return []
    recognised = {run.digest for run in found if run is not None}
    held = known.held
    owner = known.owners(per_run)
    places = range(0, per_run * size, size)
    partly = []
    for index, run in enumerate(found):
        if run is not None:
            continue
        digests = runs.group_digests[index * per_run : (index + 1) * per_run]
        number = next(
            (n for n in map(owner.get, digests) if n is not None and held[n][0] not in recognised),
            None,
        )
        if number is None or len(digests) != per_run:
            continue
        basis, agent = held[number]
        missing = [k for k, place in enumerate(places) if basis[place : place + size] != digests[k]]
        if len(missing) < per_run:  # a group in its own place: not a period shifted
            partly.append((index, agent, basis, missing))
    return partly


class _Patches:
    """The groups of the runs partly recognised that are not their record's, parsed in one
    pass of :mod:`csv`."""

    def __init__(self, runs: _Runs, layout: RunLayout, day_of: Mapping[str, date | None]) -> None:
        self.cut = runs
        self.layout = layout
        self.day_of = day_of

    def read(self, partly: list[Partly]) -> list[tuple[int, RecognisedRun]]:
        """Each run of ``partly`` whose other groups read as her rows, as a recognised run
        with those rows; the others are left out, to be parsed whole."""
        if not partly:
            return []
        runs, layout = self.cut, self.layout
        pieces = [runs.lines(index)[place] for index, _, _, missing in partly for place in missing]
        agents: list[str] = []
        starts: list[int] = []
        days: list[date | None] = []
        codes: list[str] = []
        lines = sum(piece.count(b"\n") for piece in pieces)
        read = layout.parse(b"".join(pieces), lines, (agents, starts, days, codes), self.day_of)
        if not read or "" in codes or None in days:
            return []
        size = len(codes)
        held_days = cast(list[date], days)
        owner = dict(zip(starts, agents, strict=True))
        run_end = dict(zip(starts, [*starts[1:], size], strict=True))
        out = []
        row = 0
        group = runs.group
        for index, agent, basis, missing in partly:
            offsets = [place * group + k for place in missing for k in range(group)]
            end = row + len(offsets)
            if owner.get(row) == agent and run_end[row] == end:  # her rows, and only hers
                parsed = tuple(zip(offsets, held_days[row:end], codes[row:end], strict=True))
                digest = runs.digests[index]
                line, count = runs.line(index), runs.rows(index)
                out.append(
                    (index, RecognisedRun(agent, digest, line, count, parsed=parsed, basis=basis))
                )
            row = end
        return out


class _Columns:
    """The columns of the parsed rows, stretch after stretch."""

    def __init__(self, layout: RunLayout, day_of: Mapping[str, date | None], runs: _Runs) -> None:
        self.layout = layout
        self.day_of = day_of
        self.runs = runs
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
        first_row = len(self.codes)
        counts = [runs.length] * (len(indexes) - 1) + [runs.rows(last)]
        count = sum(counts)
        columns = (self.run_agents, self.run_starts, self.days, self.codes)
        if not layout.parse(b"".join(lines), count, columns, self.day_of):
            return False
        line = runs.line(first)
        self.lines.append(range(line, line + count))
        for index, rows_in_run in zip(indexes, counts, strict=True):
            self.parsed_runs.append((first_row, rows_in_run, runs.digests[index]))
            first_row += rows_in_run
        return True

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


_LINE_END = re.compile(rb"\r\n?|\n")


def _line_offset(data: bytes, line: int) -> int | None:
    """Where line ``line`` (from 1) starts, lines ending as :mod:`csv` ends them, as the
    reader counted the lines above the rows (a lone ``\\r`` too)."""
    offset = 0
    for _ in range(line - 1):
        end = _LINE_END.search(data, offset)
        if end is None:
            return None
        offset = end.end()
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
