"""What every use case needs: the store, the clock, ids, and where committed events go."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from attrs import field, frozen

from caredomain.clock import Clock, SystemClock
from caredomain.events import Event
from caredomain.ports import Store, UnitOfWork

__all__ = ["ServiceContext"]


def _new_id() -> str:
    return uuid.uuid4().hex


def _ignore(event: Event) -> None:
    """Default publisher: committed events stay in the store's journal only."""


@frozen
class ServiceContext:
    """The dependencies of the use cases, passed explicitly.

    ``publish`` receives each event after its unit of work has committed; an application
    passes :meth:`caredomain.plugins.Plugins.publish` so that plugins see them.
    """

    store: Store
    clock: Clock = field(factory=SystemClock)
    new_id: Callable[[], str] = _new_id
    publish: Callable[[Event], object] = _ignore

    def commit(self, uow: UnitOfWork, events: Iterable[Event]) -> None:
        """Journal ``events`` in ``uow``, commit, then publish them."""
        recorded = list(events)
        for event in recorded:
            uow.events.append(event)
        uow.commit()
        for event in recorded:
            self.publish(event)
