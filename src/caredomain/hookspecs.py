"""The plugin contract: the hooks a caredomain plugin may implement.

A plugin is a module (or object) with functions marked ``@caredomain.hookimpl``, registered
under the ``caredomain`` entry-point group::

    [project.entry-points.caredomain]
    my_plugin = "my_package.plugin"

Hooks are always called with keyword arguments. New arguments may be added to a hook in a
later release (a plugin that does not name them is unaffected); none is ever removed
without a deprecation period. ``docs/plugins.md`` documents each hook with an example.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

from caredomain.events import Event
from caredomain.ports import Store

if TYPE_CHECKING:  # named for type checkers only: `import caredomain` loads no module
    from caredomain.interventions.platform import MobilePlatformSpec
    from caredomain.notifications.ports import SenderSpec
    from caredomain.pickup.ports import PickupPlatformSpec
    from caredomain.roster.ports import FeedReaderSpec

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "caredomain"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(firstresult=True)
def caredomain_open_store(url: str) -> Store | None:
    """Open the store for ``url`` if this plugin handles its scheme.

    Return ``None`` to pass, so that the next plugin is asked. The embedded default,
    ``caredomain_sqlite``, handles ``sqlite:///path/to.db`` and ``sqlite:///:memory:``.
    A URL nobody handles is reported to the caller as an error naming the URL.
    """


@hookspec
def caredomain_senders(register: Callable[[SenderSpec], None]) -> None:
    """Offer channel senders (mail, SMS, push…) by calling ``register`` once for each.

    A :class:`~caredomain.notifications.ports.SenderSpec` names the sender, its channel and
    a factory that builds it from its settings, so nothing is connected until a sender is
    asked for.
    """


@hookspec
def caredomain_feed_readers(register: Callable[[FeedReaderSpec], None]) -> None:
    """Offer feed readers (a GTT export file format…) by calling ``register`` for each."""


@hookspec
def caredomain_mobile_platforms(register: Callable[[MobilePlatformSpec], None]) -> None:
    """Offer mobile platforms (Penbase…) by calling ``register`` once for each.

    A :class:`~caredomain.interventions.platform.MobilePlatformSpec` names the platform and
    a factory that builds its client from settings, so nothing is connected until a
    platform is asked for.
    """


@hookspec
def caredomain_pickup_platforms(register: Callable[[PickupPlatformSpec], None]) -> None:
    """Offer pickup platforms (HopHop…) by calling ``register`` once for each.

    A :class:`~caredomain.pickup.ports.PickupPlatformSpec` names the platform and a factory
    that builds its client (a :class:`~caredomain.pickup.ports.HopHopPlatform`) from
    settings, so nothing is connected until a platform is asked for.
    """


@hookspec
def caredomain_on_event(event: Event) -> None:
    """Called with every domain event once the unit of work that recorded it has committed.

    For integrators: push a planning change to the caregivers' phones, a status to a
    daycare app. The event is already durable; an exception raised here is reported by
    the caller and does not undo it.
    """
