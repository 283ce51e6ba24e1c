"""Reading an export by runs of lines, digested, so that lines met before need not be parsed.

The body is cut into runs of lines, each digested (:mod:`caredomain_gtt.digests`). Read
against the digests the roster holds, a run whose digest is a record's — the lines that last
stated that agent's whole record — is given as a
:class:`~caredomain.roster.batch.RecognisedRun`, not parsed; so is a run whose groups are
partly a record's, with the rows of its other groups parsed
(:mod:`caredomain_gtt.partly_recognised`). The other runs are parsed, each stretch of them in
one :mod:`csv` pass.

Nothing here judges a line. What does not fit in a stretch — a field over several lines, a
lone carriage return, a byte the encoding cannot read, a row of another width, an empty
field, a day that does not read — makes :func:`read_by_runs` give up (``None``), and the
reader reads the file as text, which names every bad line; in the groups of a partly
recognised run it only has their runs parsed whole. An agent whose run has another length
only costs speed: the runs after hers no longer line up with runs met before.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date, datetime
from itertools import chain
from pathlib import Path
from typing import cast

from caredomain.roster.batch import FeedBatch, RecognisedRun, RunColumn
from caredomain_gtt.digests import RunLayout, Runs
from caredomain_gtt.partly_recognised import KnownRuns, Patches, partly_held

__all__ = ["read_by_runs", "runs_batch"]

_FIRST_RUN_BYTES = 1 << 16  # where to look for the first agent's run


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
    runs = Runs(data, start, length, layout, body_line)
    found = runs.recognised(known.known)
    partly = partly_held(runs, known, found)
    for index, patched in Patches(runs, layout, day_of).read(partly):
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


class _Columns:
    """The columns of the parsed rows, stretch after stretch."""

    def __init__(self, layout: RunLayout, day_of: Mapping[str, date | None], runs: Runs) -> None:
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
