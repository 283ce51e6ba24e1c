"""The notifications' repository port: settings and the outbox, inside one unit of work
(``uow.notifications``).

Nothing here is specific to SQLite. A PostgreSQL store claims with
``UPDATE … WHERE key IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING …``; the embedded
store relies on its write transactions being serialised (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Protocol

from caredomain.notifications.outbox import OutboxMessage, OutboxStatus, Outcome

__all__ = ["NotificationRepository"]


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
