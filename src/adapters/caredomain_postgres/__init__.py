"""The PostgreSQL store: several application instances and workers on one database, with
the embedded store's promises (no double booking, a crash leaves before-or-after state,
nothing sent twice).

Open it by URL through the ``caredomain_open_store`` hook
(``postgresql://user@host/care?schema=care``), or directly::

    from caredomain_postgres.store import PostgresStore

    with PostgresStore.from_url("postgresql://care@db/care") as store:
        with store.unit_of_work() as uow:
            uow.organisations.add(organisation)
            uow.commit()

This package imports psycopg only in :mod:`caredomain_postgres.store` and below: install
the ``postgres`` extra to use it.
"""

from caredomain_postgres.url import PostgresLocation, is_postgres_url

__all__ = ["PostgresLocation", "is_postgres_url"]
