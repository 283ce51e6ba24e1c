"""The embedded SQLite store: one file, WAL, migrations applied on open.

Open it by URL through the ``caredomain_open_store`` hook (``sqlite:///care.db``), or
directly::

    from caredomain_sqlite import SqliteStore, sqlite_url

    with SqliteStore("care.db") as store, store.unit_of_work() as uow:
        uow.organisations.add(organisation)
        uow.commit()
"""

from caredomain_sqlite.store import SqliteStore
from caredomain_sqlite.url import sqlite_url

__all__ = ["SqliteStore", "sqlite_url"]
