"""A child process for the PostgreSQL process tests. Run ``python pg_worker.py COMMAND ...``:

* ``open URL BARRIER PARTIES`` — waits for every party at the barrier directory, opens the
  store (migrating it if no one has yet) and prints its schema version;
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from caredomain_postgres.store import PostgresStore


def open_at_once(url: str, barrier: Path, parties: int) -> None:
    _meet(barrier, parties)
    with PostgresStore.from_url(url) as store:
        print(f"version {store.schema_version}", flush=True)


def _meet(barrier: Path, parties: int) -> None:
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 30
    while len(list(barrier.glob("ready-*"))) < parties:
        if time.monotonic() > deadline:
            sys.exit("gave up waiting at the barrier")
        time.sleep(0.001)


if __name__ == "__main__":
    command, url, *rest = sys.argv[1:]
    if command == "open":
        open_at_once(url, Path(rest[0]), int(rest[1]))
    else:
        sys.exit(f"unknown command {command!r}")
