"""An export's body as digested runs of lines: how its lines read (:class:`RunLayout`), and
the body cut into runs (:class:`Runs`).

An export lists every agent over the same days, one line per agent-day, so each agent's rows
are a run of as many lines as the first agent has. The body is cut into such runs of raw
bytes, each run into groups of about ten lines, and each group is digested (SHA-256 of the
reading settings, then the bytes; 16 bytes kept). A run's digest is its groups' digests end
to end; a record set from a whole run keeps it
(:attr:`~caredomain.roster.batch.FeedBatch.run_digests`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from attrs import field, frozen

from caredomain.roster.batch import RecognisedRun
from caredomain_gtt.columns import ColumnLoop

if TYPE_CHECKING:
    from _csv import Reader
    from hashlib import _Hash

__all__ = ["DIGEST_SIZE", "RunLayout", "Runs"]

VERSION = b"caredomain-gtt-runs/1"
"""Changes whenever what a digest stands for changes: older digests then match nothing."""

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


class Runs:
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
