"""Dispatch: the outbox's due messages sent at least once, and never by two dispatchers.

A run claims a batch of due messages in one short write transaction, under a lease and a
token of its own (so two dispatchers never hold the same message), offers them one by one
through each channel's connection outside any transaction, and records their outcomes:
sent, retried later (back-off with jitter), or dead-lettered with the last error. The
rules, each with its reason:

- **Offered only under a held lease.** Before each offer the dispatcher reads its clock;
  when less than half the lease is left, it records the outcomes so far and renews the
  lease of the rest of its batch in one transaction, and offers only the messages it still
  holds. A batch may take longer than its lease, and another dispatcher still never takes
  over a message this one is about to send (the campaign's four dispatchers at 0.4 s a
  message with a 5 s lease sent every mail three times). One message's send must take
  less than half the lease.
- **Charged only when offered.** A message whose connection could not be made, or broke
  before it, goes back to pending with its attempt given back; a connection that fails
  (dropped, timed out) ends its channel's part of the batch and the run, so that the
  messages after it are not charged for a fault of the connection.
- **One offer a run.** A run takes only what was due when it began: a message retried
  during the run waits for a later run, so that a slow server cannot use up a message's
  attempts in one run.

A dispatcher that dies between sending and recording leaves its batch claimed until its
lease runs out; the next dispatch sends it again under the same idempotency key.
"""

from __future__ import annotations

import random as _random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from attrs import frozen

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.arguments import checked
from caredomain.errors import InvalidInput
from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.notifications.outbox import (
    OutboxMessage,
    OutboxStatus,
    Outcome,
    RetryPolicy,
    outcome_of,
    released,
)
from caredomain.notifications.ports import (
    ConnectingSender,
    Connection,
    NotificationRepository,
    Sender,
    notifications_unit_of_work,
)
from caredomain.services.context import ServiceContext
from caredomain.text import Text

__all__ = ["DispatchReport", "dispatch_notifications"]


@frozen
class DispatchReport:
    """What one dispatch did. ``deferred`` counts messages put back without an attempt
    charged (never offered: the connection failed); ``lost`` those another dispatcher had
    taken over (their lease ran out), whose outcome is not recorded."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    lost: int = 0
    batches: int = 0
    deferred: int = 0

    def __add__(self, other: DispatchReport) -> DispatchReport:
        return DispatchReport(
            claimed=self.claimed + other.claimed,
            sent=self.sent + other.sent,
            retried=self.retried + other.retried,
            dead=self.dead + other.dead,
            lost=self.lost + other.lost,
            batches=self.batches + other.batches,
            deferred=self.deferred + other.deferred,
        )


@checked
def dispatch_notifications(
    context: ServiceContext,
    actor: Actor,
    senders: Mapping[str, Sender],
    *,
    retry: RetryPolicy | None = None,
    batch_size: int = 100,
    lease: timedelta = timedelta(minutes=5),
    random: Callable[[], float] | None = None,
    max_batches: int | None = None,
) -> DispatchReport:
    """Send the messages of the channels in ``senders`` (channel -> sender) that are due
    when the run begins, batch by batch, until none is left (or ``max_batches`` were done,
    or a connection failed).

    ``random`` gives the retry jitter (a value in [0, 1)); pass a fixed one in tests.
    Messages of a channel without a sender stay pending.
    """
    authorize(actor, Action.NOTIFICATION_DISPATCH, Resource("outbox"))
    if lease <= timedelta(0):
        raise InvalidInput(Text("must be longer than zero"), field="lease", text=str(lease))
    run = _Run(
        context,
        senders,
        retry if retry is not None else RetryPolicy(),
        random if random is not None else _random.Random().random,
        lease,
    )
    report = DispatchReport()
    if max_batches is not None and max_batches < 1:
        return report
    batch = run.claim_first(batch_size)
    while batch is not None:
        broken = batch.deliver()
        more = not broken and (max_batches is None or report.batches + 1 < max_batches)
        done, batch = batch.finish(batch_size if more else 0)
        report += done
    return report


class _Run:
    """What every batch of one run shares."""

    def __init__(
        self,
        context: ServiceContext,
        senders: Mapping[str, Sender],
        policy: RetryPolicy,
        random: Callable[[], float],
        lease: timedelta,
    ) -> None:
        self.context = context
        self.senders = senders
        self.policy = policy
        self.random = random
        self.lease = lease
        self.started = context.clock.now()
        self.id = context.new_id()
        self.channels = sorted(senders)
        self.batches = 0

    def claim(self, repository: NotificationRepository, limit: int) -> _Batch | None:
        """The next batch, claimed inside the caller's unit of work, or ``None``."""
        if limit < 1:
            return None
        token = f"{self.id}:{self.batches}"
        until = self.context.clock.now() + self.lease
        found = repository.claim(
            now=self.started, channels=self.channels, limit=limit, lease_until=until, token=token
        )
        if not found:
            return None
        self.batches += 1
        return _Batch(self, token, found, until)

    def claim_first(self, limit: int) -> _Batch | None:
        with notifications_unit_of_work(self.context.store) as uow:
            batch = self.claim(uow.notifications, limit)
            uow.commit()
        return batch


class _Batch:
    """One claimed batch: offered message by message under its lease."""

    def __init__(
        self, run: _Run, token: str, messages: Sequence[OutboxMessage], held_until: datetime
    ) -> None:
        self.run = run
        self.token = token
        self.messages = messages
        self.held_until = held_until
        self.held = {message.key for message in messages}
        self.outcomes: list[Outcome] = []  # not recorded yet
        self.all: list[Outcome] = []
        self.recorded = 0
        self.taken_over = 0

    def deliver(self) -> bool:
        """Offer every message; whether a connection failed."""
        by_channel: dict[str, list[OutboxMessage]] = {}
        for message in self.messages:
            if message.attempts > self.run.policy.max_attempts:  # its dispatchers kept dying
                self._add(
                    Outcome(
                        message.key,
                        OutboxStatus.DEAD,
                        message.due_at,
                        f"gave up after {message.attempts - 1} attempts; "
                        f"last: {message.last_error}",
                    )
                )
            else:
                by_channel.setdefault(message.channel, []).append(message)
        broken = False
        for channel, messages in by_channel.items():
            broken |= self._deliver_channel(self.run.senders[channel], messages)
        return broken

    def _deliver_channel(self, sender: Sender, messages: Sequence[OutboxMessage]) -> bool:
        connection = _connect(sender)
        lost: SendResult | None = None
        try:
            for message in messages:
                if lost is not None:
                    self._release(message, lost.detail)
                elif not self._hold(message.key):
                    continue
                elif self.run.context.clock.now() + self.run.lease / 2 >= self.held_until:
                    self._release(message, "its lease could not be renewed in time")
                else:
                    result = _offer(connection, message.outbound())
                    lost = result if result.connection_lost else None
                    self._add(self._outcome(message, result))
        finally:
            _close(connection)
        return lost is not None

    def _outcome(self, message: OutboxMessage, result: SendResult) -> Outcome:
        run = self.run
        now = run.context.clock.now()
        return outcome_of(message, result, now=now, policy=run.policy, random=run.random)

    def _release(self, message: OutboxMessage, reason: str) -> None:
        now = self.run.context.clock.now()
        self._add(released(message, reason, now=now, policy=self.run.policy))

    def _add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self.all.append(outcome)

    def _hold(self, key: str) -> bool:
        """Whether this batch still holds ``key``, its lease renewed (and the outcomes so
        far recorded) when less than half of it is left."""
        now = self.run.context.clock.now()
        if now + self.run.lease / 2 >= self.held_until:
            until = now + self.run.lease
            with notifications_unit_of_work(self.run.context.store) as uow:
                self.recorded += uow.notifications.finish(self.token, self.outcomes)
                self.held = uow.notifications.renew(self.token, lease_until=until)
                uow.commit()
            self.outcomes = []
            self.held_until = until
        if key in self.held:
            return True
        self.taken_over += 1
        return False

    def finish(self, limit: int) -> tuple[DispatchReport, _Batch | None]:
        """Record the outcomes left and claim the next batch (up to ``limit``), in one
        transaction: one commit a batch."""
        with notifications_unit_of_work(self.run.context.store) as uow:
            self.recorded += uow.notifications.finish(self.token, self.outcomes)
            following = self.run.claim(uow.notifications, limit)
            uow.commit()
        self.outcomes = []
        return self._report(), following

    def _report(self) -> DispatchReport:
        deferred = sum(not outcome.offered for outcome in self.all)
        statuses = [outcome.status for outcome in self.all if outcome.offered]
        return DispatchReport(
            claimed=len(self.messages),
            sent=statuses.count(OutboxStatus.SENT),
            retried=statuses.count(OutboxStatus.PENDING),
            dead=statuses.count(OutboxStatus.DEAD),
            lost=self.taken_over + len(self.all) - self.recorded,
            batches=1,
            deferred=deferred,
        )


class _OneAtATime:
    """A connection over a sender that only sends batches: a batch of one per offer."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def offer(self, message: OutboundMessage) -> SendResult:
        results = self.sender.send([message])
        found = [result for result in results if result.key == message.key]
        if not found:
            return SendResult(message.key, SendStatus.TRANSIENT, "the sender reported no result")
        return found[0]

    def close(self) -> None:
        """Nothing held open."""


def _connect(sender: Sender) -> Connection:
    if isinstance(sender, ConnectingSender):
        try:
            return sender.connect()
        except Exception as error:  # a sender's bug: its messages are retried, not lost
            return _Failing(sender.channel, error)
    return _OneAtATime(sender)


class _Failing:
    """The connection of a sender whose ``connect`` raised: nothing offered."""

    def __init__(self, channel: str, error: Exception) -> None:
        self.detail = _failure(channel, error)

    def offer(self, message: OutboundMessage) -> SendResult:
        return SendResult(
            message.key, SendStatus.TRANSIENT, self.detail, offered=False, connection_lost=True
        )

    def close(self) -> None:
        """Nothing was opened."""


def _failure(channel: str, error: Exception) -> str:
    return f"the {channel} sender failed: {type(error).__name__}: {error}"


def _offer(connection: Connection, message: OutboundMessage) -> SendResult:
    """The result of one offer, whatever the sender does: a sender that raises leaves the
    message to be retried."""
    try:
        return connection.offer(message)
    except Exception as error:
        return SendResult(message.key, SendStatus.TRANSIENT, _failure(message.channel, error))


def _close(connection: Connection) -> None:
    try:
        connection.close()
    except Exception:  # the outcomes are known; a failing goodbye changes none of them
        return
