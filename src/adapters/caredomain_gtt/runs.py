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
    agent_at: int
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
        return state.digest()


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
    blocks = _runs_of(length).findall(data, start)
    columns = _Columns(layout, day_of)
    recognised: list[RecognisedRun] = []
    waiting: list[int] = []  # blocks not recognised, parsed together
    for index, block in enumerate(blocks):
        digest = layout.digest(block)
        agent = known.get(digest)
        if agent is None:
            waiting.append(index)
            columns.digests.append(digest)
            continue
        if waiting and not columns.parse(blocks, waiting, body_line, length):
            return None
        waiting = []
        recognised.append(RecognisedRun(agent, digest, body_line + index * length, length))
    if waiting and not columns.parse(blocks, waiting, body_line, length):
        return None
    return columns.batch(str(path), extracted_at, strict, recognised)


class _Columns:
    """The columns of the parsed rows, stretch after stretch."""

    def __init__(self, layout: RunLayout, day_of: Mapping[str, date | None]) -> None:
        self.layout = layout
        self.day_of = day_of
        self.run_agents: list[str] = []
        self.run_starts: list[int] = []
        self.days: list[date | None] = []
        self.codes: list[str] = []
        self.lines: list[range] = []
        self.digests: list[bytes] = []  # of the blocks parsed, in order
        self.blocks: list[tuple[int, int]] = []  # their first row and row count

    def parse(self, blocks: list[bytes], indexes: list[int], body_line: int, length: int) -> bool:
        """Parse the consecutive ``blocks`` at ``indexes``: ``False`` unless every line is one
        row."""
        layout = self.layout
        try:
            text = b"".join(blocks[indexes[0] : indexes[-1] + 1]).decode(layout.encoding)
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
        counts = [length] * (len(indexes) - 1) + [blocks[indexes[-1]].count(b"\n")]
        count = sum(counts)
        if rows.line_num != count or len(self.codes) - first_row != count:
            return False
        line = body_line + indexes[0] * length
        self.lines.append(range(line, line + count))
        for rows_in_block in counts:
            self.blocks.append((first_row, rows_in_block))
            first_row += rows_in_block
        return True

    def batch(
        self, source: str, extracted_at: datetime, strict: bool, recognised: list[RecognisedRun]
    ) -> FeedBatch | None:
        if "" in self.run_agents or "" in self.codes or None in self.day_of.values():
            return None
        size = len(self.codes)
        starts = {*self.run_starts, size}
        # A block is one agent's whole run when a run starts where it starts and where it ends.
        run_digests = {
            first: digest
            for (first, count), digest in zip(self.blocks, self.digests, strict=True)
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
        if len(row) <= layout.agent_at:
            return None
        agent = row[layout.agent_at].strip() if layout.trim else row[layout.agent_at]
        if first is None:
            first = agent
        elif agent != first:
            break
        count += 1
    return count or None


@cache
def _runs_of(count: int) -> re.Pattern[bytes]:
    """Runs of up to ``count`` whole lines."""
    return re.compile(rb"(?:[^\n]*\n){1,%d}" % count)
