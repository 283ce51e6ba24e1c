"""Reading a GTT export (CSV) into a :class:`~caredomain.roster.batch.FeedBatch`.

The file is read by runs of lines, each digested, and those the roster already knows are
left unparsed (:mod:`caredomain_gtt.runs`); the others go through :mod:`csv` straight into
the batch's columns: the days are parsed once per distinct text, and nothing else is done
per row. A file that does not read so — whose rows are not all well formed, say — is read as
text, in one pass, and if need be row by row, to name each bad row with its line and
reason. Problems with the whole file — unreadable, wrongly encoded, a column missing, no
extraction time — raise :class:`~caredomain.errors.InvalidInput` naming the file (and the
line where there is one); bad rows are reported in the batch, for the strict or lenient
policy to decide.

:meth:`GttCsvReader.read_chunks` reads the same three ways a chunk of the body at a time,
each chunk ending with an agent's last line (:mod:`caredomain_gtt.chunks`), for the roster
to apply an export of any size in bounded memory.

The export's preamble (its extraction time and column headers) is read by
:mod:`caredomain_gtt.preamble`; what else stands apart is in :mod:`caredomain_gtt.runs`
(with :mod:`caredomain_gtt.digests` and :mod:`caredomain_gtt.partly_recognised`),
:mod:`caredomain_gtt.columns`, :mod:`caredomain_gtt.chunks` and
:mod:`caredomain_gtt.encoding`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from caredomain.errors import InvalidInput, excerpt
from caredomain.roster.batch import FeedBatch, FeedRejection, RunColumn
from caredomain.text import Text, counted
from caredomain_gtt.chunks import agent_blocks, agent_reader, csv_lines, separator, skip_lines
from caredomain_gtt.columns import Days, column_reader
from caredomain_gtt.digests import RunLayout
from caredomain_gtt.encoding import byte_order_mark, undecodable, unopened
from caredomain_gtt.folder import GttFolder
from caredomain_gtt.partly_recognised import KnownRuns
from caredomain_gtt.preamble import column_positions, preamble
from caredomain_gtt.runs import read_by_runs, runs_batch
from caredomain_gtt.settings import GttSettings

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["GttCsvReader"]

BOM = "\ufeff"


class GttCsvReader:
    """Reads GTT export files written as its :class:`GttSettings` say."""

    def __init__(self, settings: GttSettings | None = None) -> None:
        self.settings = settings or GttSettings()

    def read(self, source: str) -> FeedBatch:
        """The batch of one export file. Each run of rows that is one agent's whole run of
        lines comes with its digest (:attr:`~caredomain.roster.batch.FeedBatch.run_digests`)."""
        return self._read(Path(source), {})

    def read_recognising(self, source: str, known: Mapping[bytes, str]) -> FeedBatch:
        """:meth:`read`, but each run of lines whose digest is in ``known`` (digest → agent)
        is given as a :class:`~caredomain.roster.batch.RecognisedRun`, not parsed."""
        return self._read(Path(source), known)

    def _read(self, path: Path, known: Mapping[bytes, str]) -> FeedBatch:
        settings = self.settings
        with self._open(path) as file:
            extracted_at, first_line = preamble(self.settings, path, file)
            reader = csv.reader(file, delimiter=settings.delimiter)
            columns, width = column_positions(self.settings, path, reader, first_line)
            body_line = first_line + reader.line_num
        batch = read_by_runs(
            path,
            self._layout(columns, width),
            Days(settings.date_formats),
            body_line=body_line,
            known=known,
            extracted_at=extracted_at,
            strict=settings.strict,
        )
        if batch is not None:
            return batch
        with self._body(path) as reader:
            batch = self._fast(
                path, reader, columns, width, line=body_line, extracted_at=extracted_at
            )
        if batch is not None:
            return batch
        with self._body(path) as reader:
            return self._row_by_row(
                path, reader, columns, width, line=body_line, extracted_at=extracted_at
            )

    def read_chunks(self, source: str, known: Mapping[bytes, str]) -> Iterator[FeedBatch]:
        """The file's batch in chunks of about ``chunk_bytes`` (:class:`GttSettings`), each
        ending with an agent's last line (:mod:`caredomain_gtt.chunks`), read as
        :meth:`read_recognising` reads a whole file; one empty batch for a file of no rows.
        The file stays open until the last chunk is taken or the iterator is closed."""
        path = Path(source)
        with self._open(path) as file:
            extracted_at, first_line = preamble(self.settings, path, file)
            reader = csv.reader(file, delimiter=self.settings.delimiter)
            columns, width = column_positions(self.settings, path, reader, first_line)
            line = first_line + reader.line_num
        layout = self._layout(columns, width)
        held = KnownRuns(known)
        try:
            raw = path.open("rb")
        except OSError as error:
            raise unopened(path, error) from None
        with raw:
            skip_lines(raw, line - 1)
            chunks = 0
            blocks = agent_blocks(
                raw, agent_reader(layout), self.settings.chunk_bytes, delimiter=separator(layout)
            )
            for data in blocks:
                batch, lines = self._chunk(
                    path, data, layout, line=line, extracted_at=extracted_at, known=held
                )
                yield batch
                line += lines
                chunks += 1
            if not chunks:
                yield self._chunk(
                    path, b"", layout, line=line, extracted_at=extracted_at, known=held
                )[0]

    def _chunk(
        self,
        path: Path,
        data: bytes,
        layout: RunLayout,
        *,
        line: int,
        extracted_at: datetime,
        known: KnownRuns,
    ) -> tuple[FeedBatch, int]:
        """The batch of one chunk, whose first line is ``line``, read as :meth:`_read` reads
        a whole body: by runs, else in one pass, else row by row; and how many lines the
        chunk has (read by runs, one per row, recognised or not: counting them again would
        scan the chunk once more)."""
        strict = self.settings.strict
        batch = runs_batch(
            str(path),
            data,
            0,
            layout,
            Days(self.settings.date_formats),
            body_line=line,
            known=known,
            extracted_at=extracted_at,
            strict=strict,
        )
        if batch is not None:
            return batch, len(batch) + batch.recognised_rows
        columns, width = layout.columns, layout.width
        lines = csv_lines(data)
        with self._translated(path):
            batch = self._fast(
                path, _rows(data, layout), columns, width, line=line, extracted_at=extracted_at
            )
            if batch is not None:
                return batch, lines
            rows = _rows(data, layout)
            batch = self._row_by_row(
                path, rows, columns, width, line=line, extracted_at=extracted_at
            )
            return batch, lines

    def _layout(self, columns: tuple[int, int, int], width: int) -> RunLayout:
        """How this file's lines read, for :func:`~caredomain_gtt.runs.read_by_runs`."""
        settings = self.settings
        encoding = "utf-8" if settings.encoding == "utf-8-sig" else settings.encoding
        return RunLayout(
            encoding,
            settings.delimiter,
            columns,
            width,
            settings.trim,
            settings.date_formats,
            column_reader(width, *columns, trim=settings.trim),
        )

    def folder(self, path: str) -> GttFolder:
        """The folder source reading files dropped into ``path`` with this reader."""
        return GttFolder(Path(path), self)

    def extraction_time(self, source: str) -> datetime:
        """When a file was extracted, without reading its rows."""
        path = Path(source)
        with self._open(path) as file:
            return preamble(self.settings, path, file)[0]

    # -- the parts of a file ----------------------------------------------------------

    @contextmanager
    def _open(self, path: Path) -> Iterator[TextIO]:
        encoding = self.settings.encoding
        with_bom = codecs.lookup(encoding).name == "utf-8-sig" or (
            byte_order_mark(path, encoding) == "UTF-8" and codecs.lookup(encoding).name == "utf-8"
        )
        try:
            # The BOM is skipped here: Python's "utf-8-sig" decodes every block through a
            # Python function, "utf-8" in C, which a million-row export notices.
            file = path.open(encoding="utf-8" if with_bom else encoding, newline="")
        except OSError as error:
            raise unopened(path, error) from None
        with file, self._translated(path):
            if with_bom and file.read(1) != BOM:
                file.seek(0)
            yield file

    @contextmanager
    def _translated(self, path: Path) -> Iterator[None]:
        """A byte the encoding cannot read, or text :mod:`csv` cannot, as
        :class:`~caredomain.errors.InvalidInput` naming the file."""
        try:
            yield
        except UnicodeDecodeError:
            raise undecodable(path, self.settings.encoding) from None
        except csv.Error as error:
            raise InvalidInput(
                Text("not readable as CSV: {reason}", reason=str(error)), source=str(path)
            ) from None

    @contextmanager
    def _body(self, path: Path) -> Iterator[Reader]:
        """The rows of the file, past its extraction line and column headers."""
        with self._open(path) as file:
            preamble(self.settings, path, file)
            reader = csv.reader(file, delimiter=self.settings.delimiter)
            next(reader)
            yield reader

    def _fast(
        self,
        path: Path,
        reader: Reader,
        columns: tuple[int, int, int],
        width: int,
        *,
        line: int,
        extracted_at: datetime,
    ) -> FeedBatch | None:
        """The batch of the rows ``reader`` has left, the first on line ``line``, in one
        pass, or ``None`` if any row needs a closer look. The agents come out as runs (an
        export lists each agent's days together), and the distinct days as the reader met
        them."""
        before = reader.line_num
        run_agents: list[str] = []
        run_starts: list[int] = []
        days: list[date | None] = []
        codes: list[str] = []
        day_of = Days(self.settings.date_formats)
        loop = column_reader(width, *columns, trim=self.settings.trim)
        try:
            loop(reader, run_agents.append, run_starts.append, day_of, days, codes)
        except ValueError:  # a row with more or fewer fields
            return None
        if reader.line_num - before != len(codes):
            return None  # blank lines, or a field over several lines
        if "" in run_agents or "" in codes or None in day_of.values():
            return None
        return FeedBatch(
            str(path),
            extracted_at,
            RunColumn(run_agents, run_starts, len(codes)),
            days,
            codes,
            range(line, line + len(codes)),
            strict=self.settings.strict,
            distinct_days=frozenset(cast(dict[str, date], day_of).values()),
        )

    def _row_by_row(
        self,
        path: Path,
        reader: Reader,
        columns: tuple[int, int, int],
        width: int,
        *,
        line: int,
        extracted_at: datetime,
    ) -> FeedBatch:
        """The batch of the rows ``reader`` has left, the first on line ``line``, each bad
        row rejected with its line and why."""
        settings = self.settings
        agent_at, day_at, code_at = columns
        day_of = Days(settings.date_formats)
        agents: list[str] = []
        days: list[date] = []
        codes: list[str] = []
        lines: list[int] = []
        rejected: list[FeedRejection] = []
        offset = line - 1 - reader.line_num
        previous_end = reader.line_num
        for row in reader:
            line = offset + previous_end + 1
            previous_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            text = settings.delimiter.join(row)
            if len(row) != width:
                rejected.append(
                    FeedRejection(
                        line,
                        counted(
                            "expected {width} fields, got {n}",
                            "expected {width} fields, got {n}",
                            n=len(row),
                            width=width,
                        ),
                        text,
                    )
                )
                continue
            agent, code = row[agent_at], row[code_at]
            if settings.trim:
                agent, code = agent.strip(), code.strip()
            day = day_of[row[day_at]]
            reason: str | None = None
            if not agent:
                reason = Text("no agent (column {column})", column=settings.agent_column)
            elif day is None:
                reason = Text(
                    "not a day: {text} (date_formats {formats})",
                    text=excerpt(row[day_at]),
                    formats=_shown(settings.date_formats),
                )
            elif not code:
                reason = Text("no code (column {column})", column=settings.code_column)
            if reason is not None or day is None:
                rejected.append(FeedRejection(line, reason or "", text))
                continue
            agents.append(agent)
            days.append(day)
            codes.append(code)
            lines.append(line)
        return FeedBatch(
            str(path),
            extracted_at,
            agents,
            days,
            codes,
            lines,
            rejected=rejected,
            strict=settings.strict,
        )


def _rows(data: bytes, layout: RunLayout) -> Reader:
    """The rows of a chunk of the body."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=layout.encoding, newline="")
    return csv.reader(text, delimiter=layout.delimiter)


def _shown(formats: Sequence[str]) -> str:
    names = {"%d/%m/%Y": "dd/mm/yyyy", "iso": "iso"}
    return ",".join(names.get(pattern, pattern) for pattern in formats)
