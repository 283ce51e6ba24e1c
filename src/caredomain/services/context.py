"""What every use case needs: the store, the clock, ids, and where committed events go."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from attrs import field, frozen

from caredomain.clock import Clock, SystemClock
from caredomain.documents import DocumentCache
from caredomain.events import Event
from caredomain.ports import Store, UnitOfWork

__all__ = ["EventQueue", "ServiceContext"]


class EventQueue(Protocol):
    """What queues, in the unit of work that commits them, the work events call for
    (:class:`caredomain.notifications.Notifier` queues their notifications)."""

    def queue(self, uow: UnitOfWork, events: Sequence[Event]) -> object: ...


def _new_id() -> str:
    return uuid.uuid4().hex


def _ignore(event: Event) -> None:
    """Default publisher: committed events stay in the store's journal only."""


@frozen
class ServiceContext:
    """The dependencies of the use cases, passed explicitly.

    ``publish`` receives each event after its unit of work has committed; an application
    passes :meth:`caredomain.plugins.Plugins.publish` so that plugins see them.
    ``notifier``, when set, queues the notifications the events call for in the same unit
    of work, just before it commits (an :class:`EventQueue`, such as
    :class:`caredomain.notifications.Notifier`). ``documents`` keeps what use cases derive
    from large stored documents (the slot settings) while their stored version does not
    change (:mod:`caredomain.documents`): share the context to share it.
    """

    store: Store
    clock: Clock = field(factory=SystemClock)
    new_id: Callable[[], str] = _new_id
    publish: Callable[[Event], object] = _ignore
    notifier: EventQueue | None = None
    documents: DocumentCache = field(factory=DocumentCache, eq=False, repr=False)

    def commit(self, uow: UnitOfWork, events: Iterable[Event]) -> None:
        """Journal ``events`` in ``uow``, queue their notifications, commit, then publish."""
        recorded = list(events)
        uow.events.extend(recorded)
        if self.notifier is not None:
            self.notifier.queue(uow, recorded)
        uow.commit()
        for event in recorded:
            self.publish(event)
