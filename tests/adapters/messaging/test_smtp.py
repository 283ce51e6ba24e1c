"""The outbox through a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from caredomain import FixedClock
from caredomain.notifications import OutboxMessage, OutboxStatus, RetryPolicy
from caredomain.notifications.outbound import (
    CalendarEntry,
    CalendarMethod,
    OutboundMessage,
    SendResult,
    SendStatus,
)
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.services import ServiceContext
from caredomain_messaging import SmtpSender, message_id
from caredomain_sqlite import SqliteStore

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
START = datetime(2026, 2, 3, 13, 30, tzinfo=UTC)


def message(number: int, *, calendar: bool = False) -> OutboxMessage:
    recipient = f"person{number}@example.org"
    entry = CalendarEntry(
        uid=f"appointment:{number}@sainte-anne",
        sequence=7,
        method=CalendarMethod.REQUEST,
        start=START,
        end=START + timedelta(minutes=20),
        summary="Pièces d'identité — Guichet 1",
        location="Hôtel de ville, 1 place de la Mairie",
    )
    return OutboxMessage(
        key=f"event-{number}/mail/{recipient}",
        event_id=f"event-{number}",
        organisation_id="sainte-anne",
        kind="appointment.created",
        topic=f"appointment:{number}",
        channel="mail",
        recipient=recipient,
        subject=f"Confirmation {number} : mardi 3 février 2026 à 14 h 30",
        body="Bonjour,\n\nVotre rendez-vous est confirmé.",
        created_at=NOW,
        due_at=NOW,
        calendar=entry if calendar else None,
    )


def _outbox(tmp_path: Path, messages: Sequence[OutboxMessage]) -> SqliteStore:
    store = SqliteStore(tmp_path / "outbox.db")
    with store.unit_of_work() as uow:
        uow.notifications.add(messages)
        uow.commit()
    return store


def _sender(port: int, **extra: str) -> SmtpSender:
    settings = {
        "host": "127.0.0.1",
        "port": str(port),
        "security": "none",
        "from": "Mairie <rdv@mairie.example>",
        "timeout": "5",
        **extra,
    }
    return SmtpSender.from_settings(settings)


def _statuses(store: SqliteStore) -> dict[str, OutboxStatus]:
    with store.unit_of_work(write=False) as uow:
        return {m.key: m.status for m in uow.notifications.messages(limit=10_000)}


def _dispatch_until_done(
    context: ServiceContext, clock: FixedClock, senders: dict[str, Any], policy: RetryPolicy
) -> int:
    passes = 0
    while passes < 50:
        passes += 1
        dispatch_notifications(
            context, NOTIFIER_ACTOR, senders, retry=policy, batch_size=8, random=lambda: 0.5
        )
        with context.store.unit_of_work(write=False) as uow:
            due = uow.notifications.next_due()
        if due is None:
            return passes
        clock.set(max(due, clock.now()))
    raise AssertionError("the outbox never emptied")


def _one_to_one(received: Sequence[Any]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    ids_by_key: dict[str, set[str]] = defaultdict(set)
    keys_by_id: dict[str, set[str]] = defaultdict(set)
    for mail in received:
        ids_by_key[mail["X-Caredomain-Key"]].add(mail["Message-ID"])
        keys_by_id[mail["Message-ID"]].add(mail["X-Caredomain-Key"])
    return ids_by_key, keys_by_id


def test_a_server_refusing_the_first_deliveries_gets_every_message(
    tmp_path: Path, smtp_server: Callable[..., Any]
) -> None:
    mailbox, port = smtp_server(refuse_first=5)
    messages = [message(n, calendar=n % 2 == 0) for n in range(20)]
    store = _outbox(tmp_path, messages)
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    policy = RetryPolicy(max_attempts=4, first_delay=timedelta(seconds=10))
    _dispatch_until_done(context, clock, {"mail": _sender(port)}, policy)
    assert set(_statuses(store).values()) == {OutboxStatus.SENT}
    assert sorted(mail["X-Caredomain-Key"] for mail in mailbox.received) == sorted(
        m.key for m in messages
    )
    for mail in mailbox.received:
        assert mail["Message-ID"] == message_id(mail["X-Caredomain-Key"], "mairie.example")
        assert mail["From"] == "Mairie <rdv@mairie.example>"
    # One connection a batch: 20 messages in batches of 8, then the 5 refused ones together.
    assert mailbox.sessions == 4
    with store.unit_of_work(write=False) as uow:
        retried = [m for m in uow.notifications.messages() if m.attempts > 1]
    assert len(retried) == 5


def test_a_crash_between_send_and_mark_sends_again_under_the_same_message_id(
    tmp_path: Path, smtp_server: Callable[..., Any]
) -> None:
    class Crash(BaseException):
        """The dispatcher's process dies."""

    class CrashAfterSending:
        """The dispatcher's process dies once its whole batch was offered."""

        channel = "mail"

        def __init__(self, sender: SmtpSender, batch: int) -> None:
            self.sender = sender
            self.batch = batch

        def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
            raise AssertionError("the dispatcher offers through a connection")

        def connect(self) -> CrashAfterSending:
            self.connection = self.sender.connect()
            return self

        def offer(self, outbound: OutboundMessage) -> SendResult:
            result = self.connection.offer(outbound)
            self.batch -= 1
            if self.batch == 0:
                self.connection.close()
                raise Crash
            return result

        def close(self) -> None:
            self.connection.close()

    mailbox, port = smtp_server()
    messages = [message(n, calendar=True) for n in range(6)]
    store = _outbox(tmp_path, messages)
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    with pytest.raises(Crash):
        dispatch_notifications(
            context, NOTIFIER_ACTOR, {"mail": CrashAfterSending(_sender(port), 3)}, batch_size=3
        )
    assert len(mailbox.received) == 3
    assert list(_statuses(store).values()).count(OutboxStatus.SENDING) == 3
    # Within the lease, the claimed messages are nobody else's; after it, they are re-sent.
    clock.advance(timedelta(minutes=1))
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": _sender(port)})
    assert report.sent == 3
    clock.advance(timedelta(minutes=10))
    report = dispatch_notifications(context, NOTIFIER_ACTOR, {"mail": _sender(port)})
    assert report.sent == 3
    assert set(_statuses(store).values()) == {OutboxStatus.SENT}
    assert len(mailbox.received) == 9  # three twice: at least once, never lost
    ids_by_key, keys_by_id = _one_to_one(mailbox.received)
    assert set(ids_by_key) == {m.key for m in messages}
    assert all(len(ids) == 1 for ids in ids_by_key.values())  # a retry is not a new message
    assert all(len(keys) == 1 for keys in keys_by_id.values())  # never two keys for one id
    copies = [
        ids
        for key, ids in ids_by_key.items()
        if sum(mail["X-Caredomain-Key"] == key for mail in mailbox.received) == 2
    ]
    assert len(copies) == 3


def test_a_server_down_is_never_charged_nor_dead_lettered(tmp_path: Path) -> None:
    """The campaign: mail the server never saw was dead-lettered. Nothing is offered to a
    server that cannot be reached, so nothing is charged: a run stops at the failed
    connection and its batch waits a minute, as many times as it takes."""
    port = _closed_port()
    messages = [message(n) for n in range(5)]
    store = _outbox(tmp_path, messages)
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    policy = RetryPolicy(max_attempts=2, first_delay=timedelta(seconds=10))
    for _ in range(6):
        report = dispatch_notifications(
            context, NOTIFIER_ACTOR, {"mail": _sender(port)}, retry=policy, batch_size=2
        )
        assert (report.claimed, report.deferred, report.retried, report.dead) == (2, 2, 0, 0)
        assert report.batches == 1  # the run ended at the failed connection
        clock.advance(timedelta(minutes=1))
    with store.unit_of_work(write=False) as uow:
        assert uow.notifications.counts() == {OutboxStatus.PENDING: 5}
        kept = uow.notifications.messages()
    assert all(letter.attempts == 0 for letter in kept)
    tried = [letter for letter in kept if letter.last_error]
    assert tried
    for letter in tried:
        assert letter.last_error.startswith(
            "not offered, no attempt charged: cannot deliver through "
            f"127.0.0.1:{port}: ConnectionRefusedError"
        )


def test_an_unknown_mailbox_is_permanent_and_the_batch_goes_on(
    tmp_path: Path, smtp_server: Callable[..., Any]
) -> None:
    mailbox, port = smtp_server(unknown=frozenset({"person1@example.org"}))
    results = _sender(port).send([message(n).outbound() for n in range(3)])
    assert [r.status for r in results] == [SendStatus.SENT, SendStatus.PERMANENT, SendStatus.SENT]
    assert results[1].detail == "550 5.1.1 <person1@example.org>: unknown mailbox"
    assert mailbox.sessions == 1
    assert len(mailbox.received) == 2


def test_a_4xx_is_transient(smtp_server: Callable[..., Any]) -> None:
    _, port = smtp_server(refuse_first=1)
    first, second = _sender(port).send([message(0).outbound(), message(1).outbound()])
    assert (first.status, first.detail) == (SendStatus.TRANSIENT, "451 4.3.0 try again later")
    assert second.status is SendStatus.SENT


def test_appointment_mails_carry_a_calendar_entry(smtp_server: Callable[..., Any]) -> None:
    mailbox, port = smtp_server()
    _sender(port).send([message(4, calendar=True).outbound()])
    (mail,) = mailbox.received
    assert mail["Subject"] == "Confirmation 4 : mardi 3 février 2026 à 14 h 30"
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "rendez-vous.ics"
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_content())
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == "appointment:4@sainte-anne"
    assert event["SEQUENCE"] == 7
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=20)
    assert str(event["LOCATION"]) == "Hôtel de ville, 1 place de la Mairie"


def test_login_and_a_refused_login_never_show_the_password(
    smtp_server: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mailbox, port = smtp_server(login=("rdv", "s3cret-pw"))
    good = _sender(port, username="rdv", password="s3cret-pw")
    assert [r.status for r in good.send([message(0).outbound()])] == [SendStatus.SENT]
    bad = _sender(port, username="rdv", password="wrong-pw")
    (result,) = bad.send([message(1).outbound()])
    assert result.status is SendStatus.TRANSIENT
    assert result.detail.startswith(f"127.0.0.1:{port} refused the login: 535")
    for text in (repr(good), repr(bad), result.detail, caplog.text):
        assert "s3cret-pw" not in text
        assert "wrong-pw" not in text
    assert repr(good) == (
        f"SmtpSender(smtp://127.0.0.1:{port}, security='none', username='rdv', password=***, "
        "from='rdv@mairie.example')"
    )
    assert len(mailbox.received) == 1


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        accepted: list[socket.socket] = []
        thread = threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True)
        thread.start()
        (result,) = _sender(port, timeout="0.3").send([message(0).outbound()])
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()
    assert result.status is SendStatus.TRANSIENT
    assert "TimeoutError" in result.detail or "timed out" in result.detail


def test_bad_settings_are_named() -> None:
    from caredomain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="sender smtp needs this setting") as missing:
        SmtpSender.from_settings({"from": "a@b.example"})
    assert missing.value.field == "host"
    with pytest.raises(InvalidInput, match="expected one of none, ssl, starttls"):
        SmtpSender.from_settings({"host": "h", "from": "a@b.example", "security": "tls"})
    with pytest.raises(InvalidInput, match="unknown setting") as unknown:
        SmtpSender.from_settings({"host": "h", "from": "a@b.example", "passwd": "x"})
    assert unknown.value.field == "passwd"
    assert (
        SmtpSender.from_settings({"host": "h", "from": "a@b.example", "security": "ssl"}).port
        == 465
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the probe is closed


# -- over TLS (a throwaway certificate authority the sender trusts for the test) -------------


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_mail_goes_through_tls_with_a_login(
    smtp_server: Callable[..., Any], server_tls: ssl.SSLContext, security: str
) -> None:
    mailbox, port = smtp_server(
        login=("rdv", "s3cret-Pw"), tls=server_tls, implicit=security == "ssl"
    )
    sender = _sender(port, security=security, username="rdv", password="s3cret-Pw")
    [result] = sender.send([message(1).outbound()])
    assert result.status is SendStatus.SENT, result.detail
    assert [mail["X-Caredomain-Key"] for mail in mailbox.received] == [message(1).key]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_a_server_whose_certificate_does_not_verify_is_offered_nothing(
    smtp_server: Callable[..., Any],
    server_tls: ssl.SSLContext,
    monkeypatch: pytest.MonkeyPatch,
    security: str,
) -> None:
    mailbox, port = smtp_server(tls=server_tls, implicit=security == "ssl")
    monkeypatch.delenv("SSL_CERT_FILE")
    [result] = _sender(port, security=security).send([message(1).outbound()])
    assert (result.status, result.offered) == (SendStatus.TRANSIENT, False)
    assert "CERTIFICATE_VERIFY_FAILED" in result.detail
    assert mailbox.received == []
