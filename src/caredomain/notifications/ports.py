"""The notifications' ports: what a store keeps of them inside one unit of work (settings and
the outbox, ``uow.notifications`` of a :class:`NotificationsUnitOfWork`), and the senders
of mail, SMS or push.

Nothing here is specific to SQLite. A PostgreSQL store claims with
``UPDATE … WHERE key IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …``; the embedded
store relies on its write transactions being serialised (``BEGIN IMMEDIATE``).

A :class:`Sender` delivers a batch; a :class:`ConnectingSender` also opens a
:class:`Connection` that offers one message at a time, so that a dispatcher can check its
lease on each message before offering it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol, cast, runtime_checkable

from attrs import frozen

from caredomain.errors import NotFound
from caredomain.notifications.outbound import OutboundMessage, SendResult
from caredomain.notifications.outbox import OutboxMessage, OutboxStatus, Outcome
from caredomain.ports import Store, UnitOfWork, holding
from caredomain.text import Text

__all__ = [
    "ConnectingSender",
    "Connection",
    "NotificationRepository",
    "NotificationsUnitOfWork",
    "Sender",
    "SenderOffers",
    "SenderSpec",
    "notifications_of",
    "notifications_unit_of_work",
]


class Sender(Protocol):
    """Delivers messages of one channel. Sends a batch so that it can reuse a connection."""

    @property
    def channel(self) -> str: ...

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """One result per message, in order. Never raises for a delivery failure."""
        ...


class Connection(Protocol):
    """An open connection of a sender, that offers one message at a time, so that the
    dispatcher can check its lease on each message before offering it."""

    def offer(self, message: OutboundMessage) -> SendResult:
        """The result of offering ``message``. Never raises for a delivery failure."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class ConnectingSender(Sender, Protocol):
    """A sender whose connection the dispatcher holds open over a batch. A sender without
    :meth:`connect` is given one message at a time through :meth:`Sender.send`."""

    def connect(self) -> Connection:
        """A connection, made at the first offer: a failure to connect is that offer's
        result (not offered, connection lost), never an exception."""
        ...


@frozen
class SenderSpec:
    """A kind of sender a plugin offers: ``create(settings)`` builds one from its settings."""

    name: str
    channel: str
    create: Callable[[Mapping[str, str]], Sender]
    description: str = ""


class SenderOffers(Protocol):
    """What offers senders by name: the loaded plugins (:class:`caredomain.plugins.Plugins`)."""

    def sender_specs(self) -> Mapping[str, SenderSpec]: ...


class NotificationRepository(Protocol):
    """What a store keeps for the notifications."""

    def settings_data(self, organisation_id: str) -> Mapping[str, object] | None:
        """The organisation's saved settings as plain data
        (:meth:`~caredomain.notifications.settings.NotificationSettings.to_data`), or
        ``None`` if never saved."""
        ...

    def save_settings_data(self, organisation_id: str, data: Mapping[str, object]) -> None: ...

    def add(self, messages: Sequence[OutboxMessage]) -> int:
        """Queue ``messages``; one whose key is already queued is left as it is.
        Returns how many were added."""
        ...

    def withdraw(self, topic: str, kind: str, reason: str) -> int:
        """Mark the *pending* messages of ``kind`` about ``topic`` withdrawn, with
        ``reason``; returns how many. A message being sent is left to finish."""
        ...

    def claim(
        self,
        *,
        now: datetime,
        channels: Collection[str],
        limit: int,
        lease_until: datetime,
        token: str,
    ) -> list[OutboxMessage]:
        """Atomically take up to ``limit`` messages of ``channels`` that are due — pending
        and due by ``now``, or sending with a lease that ran out by ``now`` — oldest due
        first: mark them sending under ``token`` until ``lease_until``, count the attempt,
        and return them as claimed. Two dispatchers never hold the same message."""
        ...

    def renew(self, token: str, *, lease_until: datetime) -> set[str]:
        """Extend to ``lease_until`` the lease of every message still sending under
        ``token``, and return their keys: a message another dispatcher took over (its lease
        ran out and it claimed it) is no longer among them."""
        ...

    def finish(self, token: str, outcomes: Sequence[Outcome]) -> int:
        """Record the outcomes of messages claimed under ``token``; a message whose claim
        was lost (its lease ran out and another dispatcher took it) is left alone. An
        outcome not ``offered`` gives back the attempt its claim counted.
        Returns how many were recorded."""
        ...

    def requeue(self, keys: Collection[str] | None, *, now: datetime) -> list[str]:
        """Put the dead letters among ``keys`` (every dead letter when ``None``) back to
        pending, due at ``now``, with no attempt counted, their last error kept; returns
        the keys requeued, sorted."""
        ...

    def get(self, key: str) -> OutboxMessage:
        """The message with ``key``, or :class:`~caredomain.errors.NotFound`."""
        ...

    def counts(self) -> dict[OutboxStatus, int]:
        """How many messages each status holds (statuses with none left out)."""
        ...

    def messages(
        self, *, status: OutboxStatus | None = None, topic: str | None = None, limit: int = 100
    ) -> list[OutboxMessage]:
        """Messages, optionally of one status and/or topic, by due time then key."""
        ...

    def next_due(self) -> datetime | None:
        """When the earliest pending message falls due, or ``None`` if none is pending."""
        ...


class NotificationsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work of a store that keeps the notifications."""

    @property
    def notifications(self) -> NotificationRepository: ...


def notifications_unit_of_work(store: Store, *, write: bool = True) -> NotificationsUnitOfWork:
    """A new unit of work of ``store``, which must keep the notifications
    (:func:`caredomain.ports.holding`)."""
    return cast(NotificationsUnitOfWork, holding(store, "notifications", write=write))


def notifications_of(uow: UnitOfWork) -> NotificationRepository:
    """The notifications' repository of a unit of work begun by another module's use case;
    :class:`~caredomain.errors.NotFound` if its store keeps none."""
    repository: NotificationRepository | None = getattr(uow, "notifications", None)
    if repository is None:
        raise NotFound(Text("this store keeps no notifications"))
    return repository
