"""The outbox's part of the store contract: what dispatchers rely on from any store's
:class:`~caredomain.notifications.ports.NotificationRepository`.

Run it on your store from a test::

    from caredomain.testing.outbox_contract import check_outbox

    def test_my_store_keeps_the_outbox_contract():
        check_outbox(lambda: MyStore(...))

``make_store`` gives a new, empty store at each call; each store is closed after use. What
it checks, with a clock that only the checks move:

* a claim holds a message for one token until its lease runs out, counting an attempt; a
  second claim meanwhile gets nothing, a claim after it takes the message over;
* ``renew`` extends the lease of what a token still holds and returns those keys; once a
  message is taken over, the old token neither renews nor finishes it;
* an outcome not ``offered`` gives its claim's attempt back;
* ``requeue`` puts dead letters (those named, or all) back to pending, due at the time given,
  with no attempt counted, and leaves every other message alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from caredomain.notifications.outbox import OutboxMessage, OutboxStatus, Outcome
from caredomain.notifications.ports import NotificationRepository, notifications_unit_of_work
from caredomain.ports import Store

__all__ = ["check_outbox"]

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _message(number: int) -> OutboxMessage:
    recipient = f"person{number}@example.org"
    return OutboxMessage(
        key=f"event-{number}/mail/{recipient}",
        event_id=f"event-{number}",
        organisation_id="o",
        kind="appointment.created",
        topic=f"appointment:{number}",
        channel="mail",
        recipient=recipient,
        subject=f"Message {number}",
        body="Bonjour",
        created_at=NOW,
        due_at=NOW,
    )


@contextmanager
def _writing(store: Store) -> Iterator[NotificationRepository]:
    with notifications_unit_of_work(store) as uow:
        yield uow.notifications
        uow.commit()


def _claim(
    repository: NotificationRepository, token: str, now: datetime, lease: timedelta = MINUTE
) -> list[OutboxMessage]:
    return repository.claim(
        now=now, channels=["mail"], limit=10, lease_until=now + lease, token=token
    )


def _claims_hold_until_the_lease_runs_out(store: Store) -> None:
    with _writing(store) as outbox:
        outbox.add([_message(1)])
        (first,) = _claim(outbox, "A", NOW)
        assert (first.status, first.attempts) == (OutboxStatus.SENDING, 1)
        assert _claim(outbox, "B", NOW + MINUTE / 2) == []
    with _writing(store) as outbox:
        (taken,) = _claim(outbox, "B", NOW + MINUTE)
        assert taken.attempts == 2
        done = Outcome(taken.key, OutboxStatus.SENT, taken.due_at, sent_at=NOW + MINUTE)
        assert outbox.finish("A", [done]) == 0
        assert outbox.finish("B", [done]) == 1
        assert outbox.get(taken.key).status is OutboxStatus.SENT


def _a_renewed_lease_keeps_the_batch(store: Store) -> None:
    with _writing(store) as outbox:
        outbox.add([_message(1), _message(2)])
        assert len(_claim(outbox, "A", NOW)) == 2
    with _writing(store) as outbox:
        sent = Outcome(_message(1).key, OutboxStatus.SENT, NOW, sent_at=NOW)
        assert outbox.finish("A", [sent]) == 1
        assert outbox.renew("A", lease_until=NOW + 3 * MINUTE) == {_message(2).key}
    with _writing(store) as outbox:
        assert _claim(outbox, "B", NOW + 2 * MINUTE) == []
        (taken,) = _claim(outbox, "B", NOW + 3 * MINUTE)
        assert taken.key == _message(2).key
        assert outbox.renew("A", lease_until=NOW + 9 * MINUTE) == set()
        assert outbox.renew("B", lease_until=NOW + 9 * MINUTE) == {taken.key}


def _an_outcome_not_offered_gives_its_attempt_back(store: Store) -> None:
    with _writing(store) as outbox:
        outbox.add([_message(1)])
        (claimed,) = _claim(outbox, "A", NOW)
        back = Outcome(claimed.key, OutboxStatus.PENDING, NOW + MINUTE, "no", offered=False)
        assert outbox.finish("A", [back]) == 1
        kept = outbox.get(claimed.key)
        assert (kept.status, kept.attempts, kept.due_at) == (OutboxStatus.PENDING, 0, back.due_at)


def _dead_letters_are_requeued(store: Store) -> None:
    messages = [_message(n) for n in range(4)]
    with _writing(store) as outbox:
        outbox.add(messages)
        claimed = _claim(outbox, "A", NOW)
        outcomes = [
            Outcome(m.key, OutboxStatus.DEAD, m.due_at, "permanent: refused") for m in claimed[:3]
        ]
        outcomes.append(Outcome(claimed[3].key, OutboxStatus.SENT, NOW, sent_at=NOW))
        outbox.finish("A", outcomes)
    later = NOW + 5 * MINUTE
    with _writing(store) as outbox:
        assert outbox.requeue([], now=later) == []
        assert outbox.requeue([messages[0].key, messages[3].key], now=later) == [messages[0].key]
        assert outbox.requeue(None, now=later) == sorted(m.key for m in messages[1:3])
        assert outbox.requeue(None, now=later) == []
        again = outbox.get(messages[0].key)
        assert (again.status, again.attempts, again.due_at) == (OutboxStatus.PENDING, 0, later)
        assert again.last_error == "permanent: refused"
        assert outbox.get(messages[3].key).status is OutboxStatus.SENT


CHECKS: tuple[Callable[[Store], None], ...] = (
    _claims_hold_until_the_lease_runs_out,
    _a_renewed_lease_keeps_the_batch,
    _an_outcome_not_offered_gives_its_attempt_back,
    _dead_letters_are_requeued,
)


def check_outbox(make_store: Callable[[], Store]) -> None:
    """Run every check of the outbox contract, each on a new store from ``make_store``."""
    for check in CHECKS:
        store = make_store()
        try:
            check(store)
        finally:
            store.close()
