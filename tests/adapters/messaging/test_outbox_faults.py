"""The fault campaign kept as tests: the outbox against a real SMTP server on loopback that
is slow or drops connections, with several dispatchers — threads in the property, processes
in the plain tests — on one SQLite file. Every message is received exactly once, or is a
dead letter the server never received."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import FixedClock
from caredomain.notifications import OutboxStatus, RetryPolicy
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore


def _helpers() -> ModuleType:
    path = Path(__file__).with_name("faulty_smtp.py")
    spec = importlib.util.spec_from_file_location("faulty_smtp", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


faulty = _helpers()
NOW = faulty.NOW
MAX_ATTEMPTS = 2


def _run_threads(db: Path, port: int, dispatchers: int, lease: float, batch: int) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            faulty.dispatch_until_settled(
                str(db), port, lease=lease, batch=batch, max_attempts=MAX_ATTEMPTS, patience=60.0
            )
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(dispatchers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    dispatchers=st.integers(min_value=1, max_value=4),
    batch=st.integers(min_value=1, max_value=12),
    lease=st.sampled_from([1.0, 1.5, 2.0]),
    delay=st.sampled_from([0.0, 0.05, 0.1]),
    drops=st.lists(st.integers(min_value=0, max_value=3), min_size=12, max_size=12),
)
def test_every_message_is_received_once_or_is_a_dead_letter_never_received(
    tmp_path_factory: pytest.TempPathFactory,
    *,
    dispatchers: int,
    batch: int,
    lease: float,
    delay: float,
    drops: list[int],
) -> None:
    messages = [faulty.message(n) for n in range(len(drops))]
    db = tmp_path_factory.mktemp("outbox") / "outbox.db"
    faulty.queue(db, messages)
    pattern = {m.key: times for m, times in zip(messages, drops, strict=True)}
    mailbox = faulty.FaultyMailbox(delay, pattern)
    with faulty.faulty_server(mailbox) as port:
        _run_threads(db, port, dispatchers, lease, batch)
    dropped_for_good = {key for key, times in pattern.items() if times >= MAX_ATTEMPTS}
    faulty.exactly_once_or_never(mailbox, faulty.statuses(db), dropped_for_good)


def test_dispatcher_processes_on_a_slow_server_send_each_mail_once(tmp_path: Path) -> None:
    """The campaign at a quarter of its scale: four dispatchers, a server taking 0.1 s a
    message, a 1.5 s lease and batches of 20 (2 s a batch): every mail arrived three
    times. Each batch outlives its lease; the dispatchers renew it as they go. (A lease
    of a second or two leaves room for a loaded machine's pauses and lock waits: the
    promise holds while one send and one store write take less than half the lease.)"""
    messages = [faulty.message(n) for n in range(60)]
    db = tmp_path / "outbox.db"
    faulty.queue(db, messages)
    mailbox = faulty.FaultyMailbox(0.1)
    _run_processes(db, mailbox, lease=1.5, batch=20)
    faulty.exactly_once_or_never(mailbox, faulty.statuses(db), set())
    assert sum(mailbox.received.values()) == 60


def test_dispatcher_processes_with_dropped_connections_charge_only_what_was_offered(
    tmp_path: Path,
) -> None:
    """A connection dropped during one message charged an attempt to every message left in
    its batch. Now each message is charged only for its own drops: dropped once it is sent
    at its second attempt; dropped at every attempt it is a dead letter the server never
    received; the others are sent at their first."""
    messages = [faulty.message(n) for n in range(40)]
    db = tmp_path / "outbox.db"
    faulty.queue(db, messages)
    drops = {messages[n].key: 1 for n in (3, 11, 20)} | {messages[n].key: 5 for n in (7, 30)}
    mailbox = faulty.FaultyMailbox(0.01, drops)
    _run_processes(db, mailbox, lease=1.5, batch=10)
    found = faulty.statuses(db)
    faulty.exactly_once_or_never(mailbox, found, {messages[7].key, messages[30].key})
    attempts = {key: letter.attempts for key, letter in found.items()}
    assert {attempts[messages[n].key] for n in (3, 11, 20, 7, 30)} == {MAX_ATTEMPTS}
    others = set(found) - set(drops)
    assert {attempts[key] for key in others} == {1}


def _run_processes(db: Path, mailbox: Any, *, lease: float, batch: int) -> None:
    helpers = Path(__file__).with_name("faulty_smtp.py")
    with faulty.faulty_server(mailbox) as port:
        arguments = [str(helpers), str(db), str(port), str(lease), str(batch), str(MAX_ATTEMPTS)]
        processes = [
            subprocess.Popen([sys.executable, "-c", faulty.CHILD, *arguments, "90"])
            for _ in range(4)
        ]
        codes = [process.wait(timeout=180) for process in processes]
    assert codes == [0, 0, 0, 0]


def test_a_server_slower_than_the_timeout_uses_one_attempt_a_run(tmp_path: Path) -> None:
    """One run against a server slower than the client's timeout used all 8 attempts and
    dead-lettered every mail, many of which the server had received. Now the timed-out
    message is charged once and the rest of the batch waits uncharged; the run ends there.
    The server may have received the timed-out mail: it is sent again later under the same
    Message-ID (at least once, and recognisable as the same)."""
    messages = [faulty.message(n) for n in range(8)]
    db = tmp_path / "outbox.db"
    faulty.queue(db, messages)
    mailbox = faulty.FaultyMailbox(1.0, slow_first=1, keeps_late=True)
    clock = FixedClock(NOW)
    store = SqliteStore(db)
    context = ServiceContext(store=store, clock=clock)
    with faulty.faulty_server(mailbox) as port:
        report = dispatch_notifications(
            context, NOTIFIER_ACTOR, {"mail": faulty.sender(port, timeout=0.3)}, random=lambda: 0.0
        )
        assert (report.claimed, report.retried, report.deferred, report.dead) == (8, 1, 7, 0)
        found = faulty.statuses(db)
        first = found[messages[0].key]
        assert (first.status, first.attempts) == (OutboxStatus.PENDING, 1)
        assert "timed out" in first.last_error
        assert first.due_at == NOW + RetryPolicy().first_delay / 2
        assert {found[m.key].attempts for m in messages[1:]} == {0}
        # Retries are minutes apart: within the run's minute nothing is due again.
        again = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": faulty.sender(port)})
        assert again.claimed == 0
        clock.advance(timedelta(minutes=1))
        later = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": faulty.sender(port)})
        assert later.sent == 8
    store.close()
    assert {letter.status for letter in faulty.statuses(db).values()} == {OutboxStatus.SENT}
    assert mailbox.received[messages[0].key] == 2  # the slow one, received twice…
    assert len(mailbox.message_ids[messages[0].key]) == 1  # …under one Message-ID
