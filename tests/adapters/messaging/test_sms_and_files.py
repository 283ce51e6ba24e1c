"""SMS through a real HTTP gateway on loopback; the embedded Maildir and SMS file; the
encoding of an SMS; the plugin's senders hook."""

from __future__ import annotations

import base64
import json
import logging
import mailbox
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from caredomain import FixedClock, InvalidInput
from caredomain.notifications import OutboxMessage, OutboxStatus, RetryPolicy
from caredomain.notifications.outbound import (
    CalendarEntry,
    CalendarMethod,
    OutboundMessage,
    SendStatus,
)
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext
from caredomain_messaging import (
    MaildirSender,
    SmsFileSender,
    SmsHttpSender,
    reference,
    sms_encoding,
)
from caredomain_sqlite import SqliteStore

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)


def sms(
    number: int, text: str = "Rappel : RDV le mardi 3 février 2026 à 14 h 30."
) -> OutboundMessage:
    return OutboundMessage(
        f"event-{number}/sms/+3361234{number:04d}", "sms", f"+3361234{number:04d}", "", text
    )


def test_hook_caredomain_senders_messaging_offers_its_four_senders(tmp_path: Path) -> None:
    plugins = load_plugins({"CAREDOMAIN_PLUGINS_STRICT": "1"})
    specs = plugins.sender_specs()
    offered = {
        name: spec.channel
        for name, spec in specs.items()
        if name in {"smtp", "maildir", "sms-http", "sms-file"}
    }
    assert offered == {"smtp": "mail", "maildir": "mail", "sms-http": "sms", "sms-file": "sms"}
    info = {i.name: i.hooks for i in plugins.describe()}
    assert info["caredomain_messaging"] == ("caredomain_senders",)
    sender = specs["sms-file"].create({"path": str(tmp_path / "sms.jsonl")})
    assert sender.channel == "sms"
    assert [r.status for r in sender.send([sms(1)])] == [SendStatus.SENT]


def test_the_gateways_answers_retried_or_not(
    tmp_path: Path, sms_gateway: Callable[[list[int]], tuple[Any, str]]
) -> None:
    gateway, url = sms_gateway([500, 429, 400, 200])
    sender = SmsHttpSender.from_settings({"url": url, "token": "tok-123", "sender": "MAIRIE"})
    results = sender.send([sms(n) for n in range(4)])
    assert [r.status for r in results] == [
        SendStatus.TRANSIENT,
        SendStatus.TRANSIENT,
        SendStatus.PERMANENT,
        SendStatus.SENT,
    ]
    assert results[0].detail.startswith("HTTP 500 Internal Server Error")
    assert results[2].detail.startswith("HTTP 400 Bad Request")
    assert results[3].detail == "GSM-7, 1 segment; HTTP 200 OK"
    request = gateway.requests[3]
    assert json.loads(request["body"]) == {
        "to": "+33612340003",
        "text": "Rappel : RDV le mardi 3 février 2026 à 14 h 30.",
        "reference": reference(sms(3).key),
        "from": "MAIRIE",
    }
    assert request["headers"]["Idempotency-Key"] == reference(sms(3).key)
    assert request["headers"]["Authorization"] == "Bearer tok-123"


def test_the_outbox_retries_the_gateways_5xx_and_429_and_drops_its_400(
    tmp_path: Path, sms_gateway: Callable[[list[int]], tuple[Any, str]]
) -> None:
    gateway, url = sms_gateway([500, 429, 400])
    store = SqliteStore(tmp_path / "o.db")
    with store.unit_of_work() as uow:
        uow.notifications.add([_queued(n) for n in range(3)])
        uow.commit()
    clock = FixedClock(NOW)
    context = ServiceContext(store=store, clock=clock)
    sender = SmsHttpSender.from_settings({"url": url})
    policy = RetryPolicy(max_attempts=3)
    first = dispatch_notifications(context, NOTIFIER_ACTOR, {"sms": sender}, retry=policy)
    assert (first.retried, first.dead) == (2, 1)
    clock.advance(timedelta(hours=1))
    second = dispatch_notifications(context, NOTIFIER_ACTOR, {"sms": sender}, retry=policy)
    assert second.sent == 2
    with store.unit_of_work(write=False) as uow:
        statuses = {m.key: (m.status, m.attempts) for m in uow.notifications.messages()}
        (dead,) = uow.notifications.messages(status=OutboxStatus.DEAD)
    assert sorted(statuses.values()) == [
        (OutboxStatus.DEAD, 1),
        (OutboxStatus.SENT, 2),
        (OutboxStatus.SENT, 2),
    ]
    assert dead.last_error.startswith("permanent: HTTP 400 Bad Request")
    # The same reference on the retry as on the first try: one SMS, not two.
    references = [json.loads(r["body"])["reference"] for r in gateway.requests]
    assert len(references) == 5
    assert len(set(references)) == 3


def _queued(number: int) -> OutboxMessage:
    outbound = sms(number)
    return OutboxMessage(
        key=outbound.key,
        event_id=f"event-{number}",
        organisation_id="o",
        kind="appointment.reminder",
        topic=f"appointment:{number}",
        channel="sms",
        recipient=outbound.recipient,
        subject="",
        body=outbound.body,
        created_at=NOW,
        due_at=NOW,
    )


def test_form_payloads_basic_auth_and_field_names(
    sms_gateway: Callable[[list[int]], tuple[Any, str]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway, url = sms_gateway([201])
    sender = SmsHttpSender.from_settings(
        {
            "url": url,
            "format": "form",
            "to_field": "msisdn",
            "text_field": "message",
            "reference_field": "client_ref",
            "username": "mairie",
            "password": "pa55-word",
        }
    )
    (result,) = sender.send([sms(1, "Été : ça va ?")])
    assert result.detail.startswith("UCS-2, 1 segment; HTTP 201")
    request = gateway.requests[0]
    assert request["body"].startswith("msisdn=%2B33612340001&message=")
    assert "client_ref=" in request["body"]
    expected = base64.b64encode(b"mairie:pa55-word").decode()
    assert request["headers"]["Authorization"] == f"Basic {expected}"
    assert "pa55-word" not in repr(sender)
    assert "pa55-word" not in caplog.text
    assert repr(sender) == f"SmsHttpSender({url!r}, format='form', username='mairie', password=***)"


def test_an_unreachable_gateway_is_transient() -> None:
    sender = SmsHttpSender.from_settings({"url": "http://127.0.0.1:9/sms", "timeout": "2"})
    (result,) = sender.send([sms(1)])
    assert result.status is SendStatus.TRANSIENT
    assert result.detail.startswith("gateway unreachable: ConnectError")


@pytest.mark.parametrize(
    ("settings", "field", "message"),
    [
        ({}, "url", "needs this setting"),
        ({"url": "ftp://gw.example/sms"}, "url", "expected an http or https URL"),
        ({"url": "https://user:pw@gw.example/sms"}, "url", "no credentials, query or fragment"),
        ({"url": "https://gw.example/sms?api_key=pw@"}, "url", "no credentials, query or"),
        ({"url": "https://gw.example/sms#pw@"}, "url", "no credentials, query or fragment"),
        ({"url": "https://gw.example", "format": "xml"}, "format", "expected one of form, json"),
        ({"url": "https://gw.example", "username": "u"}, "username", "go together"),
        ({"url": "https://gw.example", "timeout": "soon"}, "timeout", "number of seconds"),
        ({"url": "https://gw.example", "api_key": "k"}, "api_key", "unknown setting"),
    ],
)
def test_bad_gateway_settings_are_named_without_secrets(
    settings: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        SmsHttpSender.from_settings(settings)
    assert refused.value.field == field
    assert "pw@" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("", "GSM-7", 1),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # the extension table counts twice: 160 septets
        ("€" * 81, "GSM-7", 2),
        ("RDV le mardi 3 février à 14 h 30, Hôtel de ville", "UCS-2", 1),
        ("ê" * 70, "UCS-2", 1),
        ("ê" * 71, "UCS-2", 2),
        ("😀" * 35, "UCS-2", 1),  # two UTF-16 units each
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_sms_encoding_and_segments(text: str, encoding: str, segments: int) -> None:
    found = sms_encoding(text)
    assert (found.encoding, found.segments) == (encoding, segments)


def test_the_sms_file_appends_one_json_object_a_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "sms.jsonl"
    sender = SmsFileSender(path)
    results = sender.send([sms(1), sms(2, "Noël : RDV à 9 h, ça marche ?")])
    assert [r.detail for r in results] == ["GSM-7, 1 segment", "UCS-2, 1 segment"]
    sender.send([sms(1)])
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["key"], line["encoding"], line["segments"]) for line in lines] == [
        (sms(1).key, "GSM-7", 1),
        (sms(2).key, "UCS-2", 1),
        (sms(1).key, "GSM-7", 1),
    ]
    assert lines[0]["reference"] == lines[2]["reference"] == reference(sms(1).key)


def test_an_unwritable_sms_file_is_transient(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    (result,) = SmsFileSender(blocker / "sms.jsonl").send([sms(1)])
    assert result.status is SendStatus.TRANSIENT


def test_the_maildir_holds_each_message_once_as_a_mail_client_reads_it(tmp_path: Path) -> None:
    entry = CalendarEntry(
        uid="appointment:a1@o",
        sequence=3,
        method=CalendarMethod.CANCEL,
        start=datetime(2026, 2, 3, 13, 30, tzinfo=UTC),
        end=datetime(2026, 2, 3, 13, 50, tzinfo=UTC),
        summary="Pièces d'identité",
    )
    message = OutboundMessage(
        "e1/mail/marie@example.org",
        "mail",
        "marie@example.org",
        "Annulation de votre rendez-vous du mardi 3 février 2026 à 14 h 30",
        "Bonjour Marie,\n\nVotre rendez-vous est annulé.",
        calendar=entry,
    )
    sender = MaildirSender.from_settings(
        {"path": str(tmp_path / "Mail"), "from": "rdv@mairie.example"}
    )
    (result,) = sender.send([message])
    assert result.status is SendStatus.SENT
    sender.send([message])  # sent again after a crash: the same file, not a second one
    box = mailbox.Maildir(tmp_path / "Mail", create=False)
    (stored,) = list(box)
    assert stored["Message-ID"] == f"<{reference(message.key)}@mairie.example>"
    files = os.listdir(tmp_path / "Mail" / "new")
    assert files == [sender.file_name(message.key)]
    assert result.detail == f"written to {tmp_path / 'Mail' / 'new' / files[0]}"
    parsed = message_from_bytes(
        (tmp_path / "Mail" / "new" / files[0]).read_bytes(), policy=policy.default
    )
    assert parsed["Subject"] == message.subject
    body = parsed.get_body(("plain",))
    assert body is not None
    assert "Votre rendez-vous est annulé." in body.get_content()
    (ics,) = [p for p in parsed.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert "METHOD:CANCEL" in ics.get_content()
    assert "STATUS:CANCELLED" in ics.get_content()
