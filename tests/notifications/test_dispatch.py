"""Dispatch: claims are atomic, failures are retried with back-off and jitter, then
dead-lettered; nothing is lost, whatever the sender does."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain import Actor, ActorId, FixedClock, Forbidden, Role
from caredomain.errors import NotFound, RuleViolation
from caredomain.notifications import OutboxMessage, OutboxStatus, RetryPolicy
from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.notifications.outbox import Outcome
from caredomain.notifications.services import (
    NOTIFIER_ACTOR,
    dispatch_notifications,
    outbox_summary,
    requeue_dead_letters,
)
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)


def message(number: int, channel: str = "mail", due: datetime = NOW) -> OutboxMessage:
    recipient = f"person{number}@example.org" if channel == "mail" else f"+3361234{number:04d}"
    return OutboxMessage(
        key=f"event-{number}/{channel}/{recipient}",
        event_id=f"event-{number}",
        organisation_id="o",
        kind="appointment.created",
        topic=f"appointment:{number}",
        channel=channel,
        recipient=recipient,
        subject=f"Message {number}",
        body="Bonjour",
        created_at=NOW,
        due_at=due,
    )


class Scripted:
    """A sender answering each message from a script of statuses (then SENT)."""

    def __init__(self, channel: str = "mail", *script: SendStatus) -> None:
        self.channel = channel
        self.script = list(script)
        self.sent: list[OutboundMessage] = []
        self.lock = threading.Lock()

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        results = []
        for outbound in messages:
            with self.lock:
                status = self.script.pop(0) if self.script else SendStatus.SENT
                if status is SendStatus.SENT:
                    self.sent.append(outbound)
            results.append(SendResult(outbound.key, status, f"scripted {status.value}"))
        return results


class Exploding:
    channel = "mail"

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        raise RuntimeError("bug in a sender")


def _store(tmp_path: Path, *messages: OutboxMessage) -> SqliteStore:
    store = SqliteStore(tmp_path / "outbox.db")
    with store.unit_of_work() as uow:
        uow.notifications.add(messages)
        uow.commit()
    return store


def _get(store: SqliteStore, key: str) -> OutboxMessage:
    with store.unit_of_work(write=False) as uow:
        found: OutboxMessage = uow.notifications.get(key)
        return found


def test_a_transient_failure_is_retried_with_back_off_and_jitter(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1))
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    sender = Scripted("mail", SendStatus.TRANSIENT, SendStatus.TRANSIENT)
    policy = RetryPolicy(max_attempts=5, first_delay=timedelta(seconds=30))
    draws = iter([0.0, 1.0])
    report = dispatch_notifications(
        context, NOTIFIER_ACTOR, {"mail": sender}, retry=policy, random=lambda: next(draws)
    )
    assert (report.claimed, report.retried, report.sent) == (1, 1, 0)
    first = _get(store, message(1).key)
    assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
    assert first.due_at == NOW + timedelta(seconds=15)  # half of 30 s, no jitter drawn
    assert first.last_error == "attempt 1: scripted transient"
    # Not due yet: nothing is claimed.
    assert dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}).claimed == 0
    clock.set(first.due_at)
    dispatch_notifications(
        context, NOTIFIER_ACTOR, {"mail": sender}, retry=policy, random=lambda: next(draws)
    )
    second = _get(store, message(1).key)
    assert second.due_at == first.due_at + timedelta(seconds=60)  # 60 s, all of it jitter-drawn
    clock.set(second.due_at)
    dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}, retry=policy)
    sent = _get(store, message(1).key)
    assert (sent.status, sent.attempts, sent.sent_at) == (OutboxStatus.SENT, 3, second.due_at)
    assert [m.key for m in sender.sent] == [message(1).key]


def test_attempts_used_up_make_a_dead_letter_with_the_last_error(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1))
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    sender = Scripted("mail", *[SendStatus.TRANSIENT] * 10)
    policy = RetryPolicy(max_attempts=3)
    for _ in range(5):
        dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}, retry=policy)
        clock.advance(timedelta(hours=2))
    dead = _get(store, message(1).key)
    assert (dead.status, dead.attempts) == (OutboxStatus.DEAD, 3)
    assert dead.last_error == "gave up after 3 attempts: scripted transient"
    summary = outbox_summary(context, NOTIFIER_ACTOR)
    assert summary.counts == {OutboxStatus.DEAD: 1}
    assert [m.key for m in summary.dead] == [message(1).key]


def test_a_permanent_failure_is_not_retried(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1), message(2))
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    report = dispatch_notifications(
        context, NOTIFIER_ACTOR, {"mail": Scripted("mail", SendStatus.PERMANENT)}
    )
    assert (report.dead, report.sent) == (1, 1)
    dead = _get(store, message(1).key)
    assert (dead.status, dead.attempts, dead.last_error) == (
        OutboxStatus.DEAD,
        1,
        "permanent: scripted permanent",
    )


def test_a_sender_that_raises_loses_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1))
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": Exploding()})
    assert report.retried == 1
    kept = _get(store, message(1).key)
    assert kept.status is OutboxStatus.PENDING
    assert kept.last_error == "attempt 1: the mail sender failed: RuntimeError: bug in a sender"


def test_a_channel_without_a_sender_waits(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1, "sms"), message(2))
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": Scripted()})
    assert report.sent == 1
    assert _get(store, message(1, "sms").key).status is OutboxStatus.PENDING


def test_only_the_dispatcher_may_dispatch(tmp_path: Path) -> None:
    context = ServiceContext(store=_store(tmp_path), clock=FixedClock(NOW))
    clerk = Actor(ActorId("clerk"), {Role.AGENT}, configuration=ConfigurationId("sainte-anne"))
    with pytest.raises(Forbidden):
        dispatch_notifications(context, clerk, {"mail": Scripted()})
    with pytest.raises(Forbidden):
        outbox_summary(context, clerk)


def test_racing_dispatchers_never_send_a_message_twice(tmp_path: Path) -> None:
    """post_office's failure: workers racing on the queue sent one mail dozens of times."""
    messages = [message(n) for n in range(300)]
    _store(tmp_path, *messages).close()
    sender = Scripted("mail")
    errors: list[BaseException] = []

    def worker() -> None:
        store = SqliteStore(tmp_path / "outbox.db", timeout=30)
        try:
            context = ServiceContext(store=store, clock=FixedClock(NOW))
            dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}, batch_size=7)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    keys = [m.key for m in sender.sent]
    assert len(keys) == len(set(keys)) == 300


def test_a_claim_lost_to_another_dispatcher_is_not_recorded(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1))
    lease_end = NOW + timedelta(minutes=1)
    with store.unit_of_work() as uow:
        (first,) = uow.notifications.claim(
            now=NOW, channels=["mail"], limit=10, lease_until=lease_end, token="A"
        )
        assert (
            uow.notifications.claim(
                now=NOW, channels=["mail"], limit=10, lease_until=lease_end, token="B"
            )
            == []
        )
        uow.commit()
    assert first.attempts == 1
    assert first.status is OutboxStatus.SENDING
    later = lease_end + timedelta(seconds=1)
    with store.unit_of_work() as uow:
        (again,) = uow.notifications.claim(
            now=later,
            channels=["mail"],
            limit=10,
            lease_until=later + timedelta(minutes=1),
            token="B",
        )
        assert again.attempts == 2
        done = Outcome(again.key, OutboxStatus.SENT, again.due_at, sent_at=later)
        assert uow.notifications.finish("A", [done]) == 0  # A lost it
        assert uow.notifications.finish("B", [done]) == 1
        uow.commit()
    assert _get(store, message(1).key).status is OutboxStatus.SENT


def test_a_message_whose_dispatchers_keep_dying_is_dead_lettered(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1))
    policy = RetryPolicy(max_attempts=2)
    moment = NOW
    for token in "ABC":  # three dispatchers claim it and die before recording anything
        with store.unit_of_work() as uow:
            uow.notifications.claim(
                now=moment,
                channels=["mail"],
                limit=1,
                lease_until=moment + timedelta(minutes=5),
                token=token,
            )
            uow.commit()
        moment += timedelta(minutes=6)
    context = ServiceContext(store=store, clock=FixedClock(moment))
    sender = Scripted()
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}, retry=policy)
    assert (report.dead, sender.sent) == (1, [])
    assert _get(store, message(1).key).last_error.startswith("gave up after 3 attempts")


@given(
    st.integers(min_value=1, max_value=200),
    st.floats(min_value=0, max_value=1),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=1, max_value=7200),
)
def test_the_back_off_doubles_up_to_its_cap_and_keeps_half_of_it(
    attempts: int, draw: float, first: int, cap: int
) -> None:
    policy = RetryPolicy(8, timedelta(seconds=first), timedelta(seconds=cap))
    base = min(timedelta(seconds=cap), timedelta(seconds=first) * 2 ** min(attempts - 1, 32))
    delay = policy.delay(attempts, lambda: draw)
    assert base / 2 <= delay <= base


class Connected:
    """A connecting sender whose connection drops at the message numbered ``drop_at``."""

    channel = "mail"

    def __init__(self, drop_at: int) -> None:
        self.drop_at = drop_at
        self.offered: list[str] = []

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        raise AssertionError("the dispatcher offers through a connection")

    def connect(self) -> Connected:
        return self

    def offer(self, outbound: OutboundMessage) -> SendResult:
        self.offered.append(outbound.key)
        if len(self.offered) == self.drop_at:
            return SendResult(outbound.key, SendStatus.TRANSIENT, "dropped", True, True)
        return SendResult(outbound.key, SendStatus.SENT)

    def close(self) -> None:
        """Nothing to close."""


def test_a_dropped_connection_charges_only_the_message_it_dropped(tmp_path: Path) -> None:
    store = _store(tmp_path, *[message(n) for n in range(6)])
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    sender = Connected(drop_at=3)
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": sender}, batch_size=4)
    assert (report.claimed, report.sent, report.retried, report.deferred) == (4, 2, 1, 1)
    assert report.batches == 1  # the run ends at the failed connection
    with store.unit_of_work(write=False) as uow:
        attempts = {m.key: (m.status, m.attempts) for m in uow.notifications.messages()}
    assert attempts[message(2).key] == (OutboxStatus.PENDING, 1)
    assert attempts[message(3).key] == (OutboxStatus.PENDING, 0)
    assert _get(store, message(3).key).last_error == ("not offered, no attempt charged: dropped")
    assert {attempts[message(n).key] for n in (4, 5)} == {(OutboxStatus.PENDING, 0)}


def test_requeue_authorizes_first_and_is_all_or_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path, message(1), message(2), message(3))
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    dispatch_notifications(
        context,
        NOTIFIER_ACTOR,
        {"mail": Scripted("mail", SendStatus.PERMANENT, SendStatus.PERMANENT)},
    )
    dead = [message(1).key, message(2).key]
    clerk = Actor(ActorId("clerk"), {Role.AGENT}, configuration=ConfigurationId("sainte-anne"))
    with pytest.raises(Forbidden):
        requeue_dead_letters(context, clerk, ["no-such-key"])  # refused before any lookup
    with pytest.raises(NotFound):
        requeue_dead_letters(context, NOTIFIER_ACTOR, [*dead, "no-such-key"])
    with pytest.raises(RuleViolation) as not_dead:
        requeue_dead_letters(context, NOTIFIER_ACTOR, [*dead, message(3).key])
    assert not_dead.value.code == "outbox.not_dead"
    assert outbox_summary(context, NOTIFIER_ACTOR).counts[OutboxStatus.DEAD] == 2  # untouched
    assert requeue_dead_letters(context, NOTIFIER_ACTOR, [dead[0]]) == [dead[0]]
    assert requeue_dead_letters(context, NOTIFIER_ACTOR) == [dead[1]]
    assert requeue_dead_letters(context, NOTIFIER_ACTOR) == []
    again = _get(store, dead[0])
    assert (again.status, again.attempts, again.due_at) == (OutboxStatus.PENDING, 0, NOW)
    assert again.last_error == "permanent: scripted permanent"
