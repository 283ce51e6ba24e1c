"""A hostile SMTP server on loopback — slow, dropping connections — and a dispatcher that
runs until the outbox has settled, in a thread or in a process of its own.

Tests load this file by its path (the suite imports test modules in ``importlib`` mode,
which puts no test folder on ``sys.path``); a dispatcher process runs :data:`CHILD`."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from caredomain.notifications import OutboxMessage, OutboxStatus, RetryPolicy
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.plugins import load_plugins
from caredomain.ports import Store
from caredomain.services import ServiceContext
from caredomain_messaging import SmtpSender
from caredomain_sqlite import SqliteStore

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)

CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("faulty_smtp", sys.argv[1])
helpers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(helpers)
db, port, lease, batch, attempts, patience = sys.argv[2:]
helpers.dispatch_until_settled(
    db, int(port), lease=float(lease), batch=int(batch), max_attempts=int(attempts),
    patience=float(patience),
)
"""


class FaultyMailbox:
    """Takes ``delay`` seconds over each mail's content (the first ``slow_first`` mails
    only, when given); drops the connection instead of accepting the mail whose key is in
    ``drops``, as many times as it says. ``received`` counts what it accepted, by key;
    ``keeps_late`` keeps each slow mail before its delay, as a server that stores the mail
    and answers too late does."""

    def __init__(
        self,
        delay: float = 0.0,
        drops: Mapping[str, int] | None = None,
        slow_first: int = -1,
        *,
        keeps_late: bool = False,
    ) -> None:
        self.keeps_late = keeps_late
        self.delay = delay
        self.slow_first = slow_first
        self.drops = dict(drops or {})
        self.received: Counter[str] = Counter()
        self.message_ids: dict[str, set[str]] = defaultdict(set)
        self.lock = threading.Lock()
        self.seen = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        key = str(mail["X-Caredomain-Key"])
        with self.lock:
            self.seen += 1
            slow = self.slow_first < 0 or self.seen <= self.slow_first
        if slow and self.keeps_late:
            self._keep(key, str(mail["Message-ID"]))
            await asyncio.sleep(self.delay)
            return "250 2.0.0 accepted, late"
        if slow and self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.drops.get(key, 0) > 0:
                self.drops[key] -= 1
                server.transport.abort()  # the connection drops; the mail was not accepted
                return "421 gone"
        self._keep(key, str(mail["Message-ID"]))
        return "250 2.0.0 accepted"

    def _keep(self, key: str, message_id: str) -> None:
        with self.lock:
            self.received[key] += 1
            self.message_ids[key].add(message_id)


@contextmanager
def faulty_server(mailbox: FaultyMailbox) -> Iterator[int]:
    """The server started on 127.0.0.1; its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def message(number: int) -> OutboxMessage:
    recipient = f"person{number}@example.org"
    return OutboxMessage(
        key=f"event-{number}/mail/{recipient}",
        event_id=f"event-{number}",
        organisation_id="sainte-anne",
        kind="appointment.created",
        topic=f"appointment:{number}",
        channel="mail",
        recipient=recipient,
        subject=f"Confirmation {number}",
        body="Bonjour,\n\nVotre rendez-vous est confirmé.",
        created_at=NOW,
        due_at=NOW,
    )


def open_store(db: Path | str, timeout: float = 5.0) -> Store:
    """The SQLite file at ``db``, or the store a URL names (the PostgreSQL tests use these
    helpers too)."""
    if "://" in str(db):
        return load_plugins({}).open_store(str(db))
    return SqliteStore(db, timeout=timeout)


def queue(db: Path | str, messages: Sequence[OutboxMessage]) -> None:
    store = open_store(db)
    try:
        with notifications_unit_of_work(store) as uow:
            uow.notifications.add(messages)
            uow.commit()
    finally:
        store.close()


def sender(port: int, timeout: float = 5.0) -> SmtpSender:
    return SmtpSender.from_settings(
        {
            "host": "127.0.0.1",
            "port": str(port),
            "security": "none",
            "from": "Mairie <rdv@mairie.example>",
            "timeout": str(timeout),
        }
    )


def statuses(db: Path | str) -> dict[str, OutboxMessage]:
    store = open_store(db)
    try:
        with notifications_unit_of_work(store, write=False) as uow:
            return {m.key: m for m in uow.notifications.messages(limit=100_000)}
    finally:
        store.close()


def dispatch_until_settled(
    db: str, port: int, *, lease: float, batch: int, max_attempts: int, patience: float
) -> None:
    """Dispatch run after run, on the machine's clock, until nothing is pending or sending
    (or ``patience`` seconds went by: the test's checks then say what was left). Retries
    wait milliseconds, so that a run's back-off does not make the test wait."""
    store = open_store(db, timeout=60)
    retry = RetryPolicy(max_attempts, timedelta(milliseconds=2), timedelta(milliseconds=10))
    try:
        context = ServiceContext(store=store)
        senders = {"mail": sender(port)}
        give_up = time.monotonic() + patience
        while time.monotonic() < give_up:
            dispatch_notifications(
                context,
                NOTIFIER_ACTOR,
                senders,
                retry=retry,
                batch_size=batch,
                lease=timedelta(seconds=lease),
            )
            with notifications_unit_of_work(store, write=False) as uow:
                counts = uow.notifications.counts()
            if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
                return
            time.sleep(0.005)
    finally:
        store.close()


def exactly_once_or_never(
    mailbox: FaultyMailbox, messages: Mapping[str, OutboxMessage], dropped_for_good: set[str]
) -> None:
    """Every message received once and sent, or never received and a dead letter: the
    ones the server dropped at every attempt."""
    for key, found in messages.items():
        if key in dropped_for_good:
            assert (found.status, mailbox.received[key]) == (OutboxStatus.DEAD, 0), found
        else:
            assert (found.status, mailbox.received[key]) == (OutboxStatus.SENT, 1), found
            assert len(mailbox.message_ids[key]) == 1
