"""Applies a GTT export to a SQLite store in chunks of 16 KiB, printing ``chunk N`` as the
roster asks for each chunk after the first (the earlier ones applied and saved, not
committed), then ``applied`` once committed: the chunked-apply tests kill it in between.

    python chunk_worker.py DATABASE EXPORT NOW
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

from attrs import evolve

from caredomain import FixedClock
from caredomain.roster.batch import FeedBatch
from caredomain.roster.services import apply_gtt_file
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_sqlite import SqliteStore


def main(database: str, export: str, now: str) -> None:
    reader = GttCsvReader(evolve(GttSettings(), chunk_bytes=16 << 10))

    def chunks(source: str, known: Mapping[bytes, str]) -> Iterator[FeedBatch]:
        for number, batch in enumerate(reader.read_chunks(source, known)):
            if number:
                print(f"chunk {number}", flush=True)
            yield batch

    with SqliteStore(Path(database)) as store:
        context = ServiceContext(store=store, clock=FixedClock(datetime.fromisoformat(now)))
        run = apply_gtt_file(
            context, reader.read, export, size=Path(export).stat().st_size, chunks=chunks
        )
        assert run.report is not None, run.lines()
        assert not run.report.refused, run.lines()
        print("applied", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
