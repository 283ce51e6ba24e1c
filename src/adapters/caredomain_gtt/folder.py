"""A folder that GTT exports are dropped into (``caredomain gtt watch DIR``).

:meth:`GttFolder.pending` lists the files waiting, oldest extraction first (a file whose
extraction time cannot be read comes first, to be rejected). Once a file's batch is
committed, :meth:`GttFolder.done` moves it to ``done/`` — or :meth:`GttFolder.rejected` to
``rejected/`` — with a ``.report.txt`` beside it. The roster's service records each applied
file in the transaction that applies it, so a crash between the commit and the move leaves a
file that the next run recognises and only moves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from caredomain.errors import InvalidInput
from caredomain.roster.batch import FeedBatch
from caredomain.text import Text

__all__ = ["DONE", "REJECTED", "ExportReader", "GttFolder"]

DONE = "done"
REJECTED = "rejected"
_UNREADABLE = datetime.min.replace(tzinfo=UTC)


class ExportReader(Protocol):
    """What a folder reads its files with (:class:`caredomain_gtt.reader.GttCsvReader`)."""

    def extraction_time(self, source: str) -> datetime: ...

    def read(self, source: str) -> FeedBatch: ...

    def read_recognising(self, source: str, known: Mapping[bytes, str]) -> FeedBatch: ...

    def read_chunks(self, source: str, known: Mapping[bytes, str]) -> Iterator[FeedBatch]: ...


class GttFolder:
    """The files of ``inbox`` (``*.csv``, any case), read with ``reader``."""

    def __init__(self, inbox: Path, reader: ExportReader) -> None:
        if not inbox.is_dir():
            raise InvalidInput(Text("not a folder"), source=str(inbox))
        self.inbox = inbox
        self.reader = reader

    def pending(self) -> list[str]:
        waiting = []
        for path in self.inbox.iterdir():
            if path.is_file() and path.suffix.lower() == ".csv":
                try:
                    moment = self.reader.extraction_time(str(path))
                except InvalidInput:
                    moment = _UNREADABLE
                waiting.append((moment, path.name, str(path)))
        return [source for _, _, source in sorted(waiting)]

    def read(self, source: str) -> FeedBatch:
        return self.reader.read(source)

    def read_recognising(self, source: str, known: Mapping[bytes, str]) -> FeedBatch:
        return self.reader.read_recognising(source, known)

    def read_chunks(self, source: str, known: Mapping[bytes, str]) -> Iterator[FeedBatch]:
        return self.reader.read_chunks(source, known)

    def size(self, source: str) -> int:
        try:
            return Path(source).stat().st_size
        except OSError as error:
            raise InvalidInput(
                Text("cannot stat: {reason}", reason=error.strerror), source=source
            ) from None

    def done(self, source: str, report: Sequence[str]) -> str:
        return self._move(source, DONE, report)

    def rejected(self, source: str, report: Sequence[str]) -> str:
        return self._move(source, REJECTED, report)

    def _move(self, source: str, where: str, report: Sequence[str]) -> str:
        path = Path(source)
        folder = self.inbox / where
        folder.mkdir(exist_ok=True)
        target = folder / path.name
        number = 1
        while target.exists():
            target = folder / f"{path.stem}.{number}{path.suffix}"
            number += 1
        try:
            os.replace(path, target)
        except FileNotFoundError:
            if path.exists():
                raise
            # Another run of the folder source (a second watcher on the folder) took it
            # between listing and moving; the store's record keeps it from being applied twice.
            return str(path)
        target.with_name(target.name + ".report.txt").write_text(
            "\n".join(report) + "\n", encoding="utf-8"
        )
        return str(target)
