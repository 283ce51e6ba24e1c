"""The one call an application makes to use caredomain: a ready context from a store URL.

:func:`open_context` loads the installed plugins, opens the store the URL names through
them, and yields a :class:`~caredomain.services.ServiceContext` whose committed events reach
every plugin's ``caredomain_on_event`` and whose changes queue the notifications they call
for. Building a ``ServiceContext`` by hand is for tests and special cases: one built with
only a store journals its events and tells no plugin.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from caredomain.clock import Clock, SystemClock
from caredomain.notifications.notifier import Notifier
from caredomain.plugins import Plugins, load_plugins
from caredomain.services.context import ServiceContext

__all__ = ["open_context"]


@contextmanager
def open_context(
    url: str,
    *,
    clock: Clock | None = None,
    plugins: Plugins | None = None,
    environ: Mapping[str, str] | None = None,
    notify: bool = True,
) -> Iterator[ServiceContext]:
    """Yield a context on the store at ``url``; close the store on leaving the block.

    ``plugins``: those already loaded; by default every installed plugin, loaded with the
    settings of ``environ`` (``os.environ`` by default: ``CAREDOMAIN_PLUGINS_STRICT``,
    ``CAREDOMAIN_DISABLE_PLUGINS``). ``clock``: the system clock by default. ``notify``:
    queue the notifications the changes call for in their own unit of work (the outbox);
    ``False`` leaves them out.

    Open it once when the application starts and share it: each use case called with it runs
    in a unit of work of its own, and threads may call use cases at once.
    """
    if plugins is None:
        plugins = load_plugins(os.environ if environ is None else environ)
    store = plugins.open_store(url)
    try:
        yield ServiceContext(
            store=store,
            clock=SystemClock() if clock is None else clock,
            publish=plugins.publish,
            notifier=Notifier() if notify else None,
        )
    finally:
        store.close()
