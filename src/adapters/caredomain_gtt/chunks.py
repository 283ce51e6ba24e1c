"""Cutting an export's body into chunks of whole agents' runs, so that the roster can apply
it a chunk at a time (:func:`~caredomain.roster.services.apply_gtt_file` with ``chunks``)
and hold one chunk in memory rather than the whole export.

A chunk is at least ``size`` bytes of whole lines (the rest of the file, if less), then as
many lines more as it takes to end where the agent changes: an agent's run of lines is
never cut, so each chunk reads exactly as that stretch of the whole file does. Nor is a
quoted field over several lines: a chunk ends only where :mod:`csv` ends a row
(:class:`_Rows`) — a quote opens a field only at its start, and one inside an unquoted field
is a character like any other. The agent of a line is read as the reader reads it
(:func:`agent_reader`); a line that does not read as a row has no agent, and a chunk may end
beside it — the roster then finds one agent in two chunks and reads the file whole. Lines
end where the file's do: at ``\n`` (``\r\n`` included), or at a lone ``\r`` in a file whose
first line ends so.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import BinaryIO

from caredomain_gtt.digests import RunLayout

__all__ = ["agent_blocks", "agent_reader", "csv_lines", "separator", "skip_lines"]

AgentOf = Callable[[bytes], str | None]

_QUOTE = b'"'


def agent_reader(layout: RunLayout) -> AgentOf:
    """The agent of one line of bytes read with ``layout``, or ``None`` if it has none."""
    column = layout.columns[0]

    def agent_of(line: bytes) -> str | None:
        text = line.decode(layout.encoding, errors="replace").rstrip("\r\n")
        try:
            row = next(csv.reader([text], delimiter=layout.delimiter), None)
        except csv.Error:  # a line end of another kind inside: not one row
            return None
        if row is None or len(row) <= column:
            return None
        return row[column].strip() if layout.trim else row[column]

    return agent_of


def separator(layout: RunLayout) -> bytes:
    """The delimiter as the file's encoding writes it (for :func:`agent_blocks`); empty if
    it cannot, for then no byte of the file is one."""
    try:
        return layout.delimiter.encode(layout.encoding)
    except UnicodeEncodeError:
        return b""


def csv_lines(data: bytes) -> int:
    """How many lines :mod:`csv` counts in ``data`` (a line ends at ``\\n``, ``\\r\\n`` or a
    lone ``\\r``), as the reader numbers them."""
    newlines = data.count(b"\n")
    if b"\r" not in data:
        return newlines
    return newlines + data.count(b"\r") - data.count(b"\r\n")


def skip_lines(raw: BinaryIO, count: int) -> None:
    """Move ``raw`` past its first ``count`` lines, as :mod:`csv` counts them."""
    head = b""
    offset = 0
    for _ in range(count):
        while True:
            ends = [at for at in (head.find(b"\n", offset), head.find(b"\r", offset)) if at >= 0]
            end = min(ends, default=-1)
            if end >= 0 and (head[end : end + 1] == b"\n" or end + 1 < len(head)):
                break
            more = raw.read(1 << 16)
            if not more:
                raw.seek(len(head))
                return
            head += more
        offset = end + (2 if head[end : end + 2] == b"\r\n" else 1)
    raw.seek(offset)


def agent_blocks(
    raw: BinaryIO, agent_of: AgentOf, size: int, *, delimiter: bytes = b";"
) -> Iterator[bytes]:
    """The rest of ``raw`` in chunks of at least ``size`` bytes, each ending where an
    agent's run of lines does (see the module); ``delimiter`` is the fields' separator, as
    the file's encoding writes it."""
    size = max(size, 1)
    buffer = b""
    eof = False
    newline: bytes | None = None
    rows = _Rows(delimiter)  # the chunk's, kept while more bytes are read
    while buffer or not eof:
        if newline is None:
            newline = _newline(buffer, eof)
        cut = (
            None
            if not buffer or newline is None
            else _cut(buffer, agent_of, size, eof=eof, newline=newline, rows=rows)
        )
        if cut is None:
            more = raw.read(max(size, 1 << 16))
            eof = not more
            buffer += more
            continue
        yield buffer[:cut]
        buffer = buffer[cut:]
        rows = _Rows(delimiter)


def _newline(buffer: bytes, eof: bool) -> bytes | None:
    """What ends the lines: ``\n``, unless the first line ends with a lone ``\r``;
    ``None`` while ``buffer`` does not tell (a ``\r`` last may be followed by ``\n``)."""
    first = buffer.find(b"\n")
    carriage = buffer.find(b"\r", 0, None if first < 0 else first)
    if carriage < 0 or carriage == first - 1:
        return b"\n" if first >= 0 or eof else None
    if carriage + 1 < len(buffer) or eof:
        return b"\r"
    return None


def _cut(
    buffer: bytes, agent_of: AgentOf, size: int, *, eof: bool, newline: bytes, rows: _Rows
) -> int | None:
    """Where the first chunk of ``buffer`` ends; ``None`` if more bytes are needed to
    know, and then ``rows`` keeps where to go on from. At the end of the file, an
    unfinished last line ends there."""
    if len(buffer) <= size:
        return len(buffer) if eof else None
    end = rows.resume or _line_end(buffer, size - 1, eof, newline)
    if end is None:
        return None
    quoted = _QUOTE in buffer  # a search at memory speed: without quotes, rows end with lines
    last: str | None = None
    read = False  # whether ``last`` is the agent of the line ending at ``end``
    while end < len(buffer):
        following = _line_end(buffer, end, eof, newline)
        if following is None:
            break
        if not read:
            last = agent_of(buffer[_line_start(buffer, end, newline) : end])
        agent = agent_of(buffer[end:following])
        read = True
        if last != agent:
            if not quoted or rows.end_at(buffer, end):
                return end
            if rows.open:  # no row ends before the line of the next quote
                quote = buffer.find(_QUOTE, end)
                following = len(buffer) if quote < 0 else _line_end(buffer, quote, eof, newline)
                if following is None or (following == len(buffer) and not eof):
                    break
                read = False
        last = agent
        end = following
    else:
        if eof:
            return end
    rows.resume = end
    return None


class _Rows:
    """Where :mod:`csv` (its default dialect, but the delimiter) ends the rows of a buffer
    that starts with one, asked at ends further and further on: whether a quoted field is
    open there. Each stretch is matched once, by a regular expression written as :mod:`csv`
    reads — a quote opens a field only at its start, ``""`` inside one is a quote, the
    characters after its closing quote and before the delimiter are the field's too — so
    that a file of quoted fields costs one pass at the speed of :mod:`re`."""

    def __init__(self, delimiter: bytes) -> None:
        self.rows, self.rest, self.opened = _patterns(delimiter)
        self.at = 0  # where the stretch already matched ends
        self.open = False  # whether a quoted field is open there
        self.resume: int | None = None  # where the cutter stopped for want of bytes

    def end_at(self, buffer: bytes, end: int) -> bool:
        """Whether a row ends at ``end`` of ``buffer``, a line end at or past the last
        asked (``buffer`` may have grown since, never changed)."""
        at = self.at
        if end < at:
            return False  # asked before
        if self.open:
            closed = self.rest.match(buffer, at, end)
            if closed is None:  # the quoted field is still open at ``end``
                self.at = end
                return False
            at = closed.end()
            self.open = False
        rows = self.rows.match(buffer, at, end)
        at = at if rows is None else rows.end()  # it always matches, perhaps nothing
        if at == end:
            self.at = end
            return True
        opened = self.opened.match(buffer, at, end)
        if opened is not None and opened.end() == end:
            self.at, self.open = end, True
        else:  # cannot be: every text but an open quoted field is rows; look again later
            self.at = at
        return False


@cache
def _patterns(delimiter: bytes) -> tuple[re.Pattern[bytes], re.Pattern[bytes], re.Pattern[bytes]]:
    """Whole rows; the rest of a row whose quoted field is open; the start of a row up to
    the end, with a quoted field opened and not closed."""
    d = re.escape(delimiter) if delimiter else rb"(?!)"  # none: one the encoding cannot write
    if len(delimiter) <= 1:
        escaped = re.escape(delimiter)
        plain, first = rb"[^%s\r\n]" % escaped, rb'[^"%s\r\n]' % escaped
    else:  # a delimiter of several bytes (UTF-8 never has one inside another character)
        plain, first = rb"(?:(?!%s)[^\r\n])" % d, rb'(?:(?!%s)[^"\r\n])' % d
    unquoted = rb"(?:%s%s*+)?" % (first, plain)
    inside = rb'[^"]*+(?:""[^"]*+)*+'
    field = rb'(?>"%s"%s|%s)' % (inside, unquoted, unquoted)
    end = rb"(?:\r\n|\r|\n)"
    others = rb"(?:%s%s)*+" % (d, field)
    return (
        re.compile(rb"(?:%s%s%s)*+" % (field, others, end)),
        re.compile(rb'%s"%s%s%s' % (inside, unquoted, others, end)),
        re.compile(rb'(?:%s%s)*+"%s' % (field, d, inside)),
    )


def _line_end(buffer: bytes, offset: int, eof: bool, newline: bytes) -> int | None:
    """Just past the end of the line holding byte ``offset``; ``None`` if it is not in
    ``buffer`` yet."""
    found = buffer.find(newline, offset)
    if found < 0:
        return len(buffer) if eof else None
    if newline == b"\r":  # a "\r\n" here is one line end, never cut in two
        if found + 1 == len(buffer) and not eof:
            return None
        if buffer[found + 1 : found + 2] == b"\n":
            return found + 2
    return found + 1


def _line_start(buffer: bytes, end: int, newline: bytes) -> int:
    """Where the line ending just before ``end`` begins."""
    stop = end
    if buffer.endswith(b"\n", 0, stop):
        stop -= 1
    if buffer.endswith(b"\r", 0, stop) and (newline == b"\r" or stop < end):
        stop -= 1
    start = buffer.rfind(newline, 0, stop) + 1
    if newline == b"\r" and buffer[start : start + 1] == b"\n":  # the "\n" of a "\r\n"
        start += 1
    return start
