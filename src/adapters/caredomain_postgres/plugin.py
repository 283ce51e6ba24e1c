"""The ``caredomain_postgres`` plugin: opens ``postgresql://`` and ``postgres://`` URLs.

Registered through the ``caredomain`` entry-point group, exactly as a third-party plugin.
The driver (psycopg, the ``postgres`` extra) is imported only when such a URL is opened,
so the plugin loads, and passes other URLs on, where it is not installed.
"""

from __future__ import annotations

from caredomain import hookimpl
from caredomain.errors import NotFound
from caredomain.ports import Store
from caredomain.text import Text
from caredomain_postgres.url import PostgresLocation, is_postgres_url


@hookimpl
def caredomain_open_store(url: str) -> Store | None:
    """A :class:`~caredomain_postgres.store.PostgresStore` for a ``postgresql://`` URL;
    ``None`` (pass) for any other scheme. A malformed URL raises
    :class:`~caredomain.errors.InvalidInput` naming it, its password masked."""
    if not is_postgres_url(url):
        return None
    location = PostgresLocation.parse(url)
    try:
        from caredomain_postgres.store import PostgresStore
    except ImportError:
        raise NotFound(
            Text(
                "{url}: the PostgreSQL driver is not installed; pip install 'caredomain[postgres]'",
                url=location.url(),
            )
        ) from None
    return PostgresStore(location)
