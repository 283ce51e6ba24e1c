"""The ``caredomain_sqlite`` plugin: opens ``sqlite://`` URLs.

Registered through the ``caredomain`` entry-point group, exactly as a third-party plugin.
"""

from __future__ import annotations

from caredomain import hookimpl
from caredomain.ports import Store
from caredomain_sqlite.store import SqliteStore
from caredomain_sqlite.url import is_sqlite_url


@hookimpl
def caredomain_open_store(url: str) -> Store | None:
    """A :class:`SqliteStore` for a ``sqlite://`` URL; ``None`` (pass) for any other scheme.

    A malformed sqlite URL raises :class:`~caredomain.errors.InvalidInput` naming it.
    """
    if not is_sqlite_url(url):
        return None
    return SqliteStore.from_url(url)
