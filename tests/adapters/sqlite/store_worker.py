"""A child process for the crash and race tests. Run ``python store_worker.py COMMAND ...``:

* ``crash URL`` — commits the organisation "before", then, in a second unit of work, writes
  enough rows for SQLite to spill them to the WAL file, prints ``ready`` and sleeps until
  killed;
* ``race URL BARRIER PARTIES`` — waits for every party at the barrier directory, opens the
  store, waits again, then adds the organisation "contested" while holding the write lock
  a moment; prints ``committed`` or ``conflict: <message>``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from caredomain import Conflict, Organisation, OrganisationId
from caredomain_sqlite import SqliteStore
from caredomain_sqlite.url import SqliteLocation

SPILLED_ROWS = 1000  # 3 MB of documents: more than a 2 MiB page cache


def crash(url: str) -> None:
    store = SqliteStore(SqliteLocation.parse(url).path, cache_mib=2)  # spills soon
    with store.unit_of_work() as uow:
        uow.organisations.add(Organisation(OrganisationId("before"), "Before the crash"))
        uow.commit()
    uow = store.unit_of_work().__enter__()
    for number in range(SPILLED_ROWS):
        uow.organisations.add(Organisation(OrganisationId(f"during-{number:05}"), "x" * 3000))
    print("ready", flush=True)
    time.sleep(60)


def race(url: str, barrier: Path, parties: int) -> None:
    _meet(barrier, "open", parties)
    store = SqliteStore.from_url(url)
    _meet(barrier, "write", parties)
    try:
        with store.unit_of_work() as uow:
            uow.organisations.add(
                Organisation(OrganisationId("contested"), f"Won by {os.getpid()}")
            )
            time.sleep(0.1)  # hold the write lock, so that the other party really waits
            uow.commit()
    except Conflict as error:
        print(f"conflict: {error}", flush=True)
    else:
        print("committed", flush=True)
    finally:
        store.close()


def _meet(barrier: Path, stage: str, parties: int) -> None:
    """Wait until ``parties`` processes have reached ``stage``."""
    (barrier / f"{stage}-{os.getpid()}").touch()
    deadline = time.monotonic() + 10
    while len(list(barrier.glob(f"{stage}-*"))) < parties:
        if time.monotonic() > deadline:
            sys.exit(f"gave up waiting at the {stage} barrier")
        time.sleep(0.001)


if __name__ == "__main__":
    command, url, *rest = sys.argv[1:]
    if command == "crash":
        crash(url)
    elif command == "race":
        race(url, Path(rest[0]), int(rest[1]))
    else:
        sys.exit(f"unknown command {command!r}")
