"""Secrets never reach an error text: a gateway on loopback that echoes the request's
headers in its error bodies, as the campaign's did, and URLs that carry credentials."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from caredomain import FixedClock
from caredomain.errors import InvalidInput
from caredomain.notifications import OutboxMessage, OutboxStatus
from caredomain.notifications.outbound import SendStatus
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.secret import Secret, scrub, url_without_credentials
from caredomain.services import ServiceContext
from caredomain_messaging import SmsHttpSender
from caredomain_penbase.settings import PenbaseSettings
from caredomain_sqlite import SqliteStore

NOW = datetime(2026, 2, 2, 7, 0, tzinfo=UTC)
TOKEN = "tok-3f9a8c7e-SECRET"
PASSWORD = "pw-Zq81-SECRET"


@pytest.fixture
def echoing_gateway() -> Iterator[str]:
    """A gateway answering every request with ``status`` (from the path's last part) and
    a body that repeats the request's headers, Authorization included."""

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = int(self.path.rsplit("/", 1)[-1])
            echoed = {"Authorization": self.headers.get("Authorization", ""), **self.headers}
            body = json.dumps({"error": "refused", "request_headers": echoed})
            answer = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def _sms(number: int) -> OutboxMessage:
    return OutboxMessage(
        key=f"event-{number}/sms/+33612345678",
        event_id=f"event-{number}",
        organisation_id="o",
        kind="appointment.created",
        topic=f"appointment:{number}",
        channel="sms",
        recipient="+33612345678",
        subject="",
        body="Votre RDV est confirmé",
        created_at=NOW,
        due_at=NOW,
    )


@pytest.mark.parametrize("status", [500, 400])
def test_a_bearer_token_echoed_by_the_gateway_is_never_stored(
    tmp_path: Path, echoing_gateway: str, status: int
) -> None:
    store = SqliteStore(tmp_path / "outbox.db")
    with store.unit_of_work() as uow:
        uow.notifications.add([_sms(1)])
        uow.commit()
    sender = SmsHttpSender.from_settings({"url": f"{echoing_gateway}/{status}", "token": TOKEN})
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    dispatch_notifications(context, NOTIFIER_ACTOR, {"sms": sender})
    with store.unit_of_work(write=False) as uow:
        (kept,) = uow.notifications.messages()
    store.close()
    assert kept.status is (OutboxStatus.PENDING if status == 500 else OutboxStatus.DEAD)
    assert "Bearer ***" in kept.last_error  # the echo is kept, the token is not
    assert TOKEN not in kept.last_error


def test_basic_credentials_echoed_back_are_scrubbed_in_every_form(echoing_gateway: str) -> None:
    sender = SmsHttpSender.from_settings(
        {"url": f"{echoing_gateway}/503", "username": "mairie", "password": PASSWORD}
    )
    (result,) = sender.send([_sms(1).outbound()])
    assert result.status is SendStatus.TRANSIENT
    basic = base64.b64encode(f"mairie:{PASSWORD}".encode()).decode()
    assert basic not in result.detail
    assert PASSWORD not in result.detail
    assert "Basic ***" in result.detail


def test_notify_outbox_prints_no_token(tmp_path: Path, echoing_gateway: str) -> None:
    db = tmp_path / "care.db"
    store = SqliteStore(db)
    with store.unit_of_work() as uow:
        uow.notifications.add([_sms(1)])
        uow.commit()
    store.close()
    config = tmp_path / "town.toml"
    config.write_text(
        '[organisation]\nid = "m"\nname = "Mairie"\n\n'
        '[notifications.sms]\nsender = "sms-http"\n[notifications.sms.settings]\n'
        f'url = "{echoing_gateway}/401"\ntoken_env = "CAREDOMAIN_TEST_SMS_TOKEN"\n',
        encoding="utf-8",
    )
    environ = {**os.environ, "CAREDOMAIN_TEST_SMS_TOKEN": TOKEN}
    for args in (("dispatch", "--once", "--config", str(config)), ("outbox",)):
        result = subprocess.run(
            [sys.executable, "-m", "caredomain", "notify", *args, "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=environ,
        )
        assert result.returncode == 0, result.stderr
        assert TOKEN not in result.stdout + result.stderr
    assert "permanent: HTTP 401 Unauthorized" in result.stdout
    assert "Bearer ***" in result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "https://gw.example/sms?api_key=SECRET",
        "https://user:SECRET@gw.example/sms",
        "https://gw.example/sms#SECRET",
    ],
)
def test_credentials_in_a_url_are_refused_alike_by_sms_http_and_penbase(url: str) -> None:
    with pytest.raises(InvalidInput, match="no credentials, query or fragment") as sms:
        SmsHttpSender.from_settings({"url": url, "token": TOKEN})
    with pytest.raises(InvalidInput, match="no credentials, query or fragment") as penbase:
        PenbaseSettings.from_mapping({"url": url, "token": TOKEN}, {})
    for refused in (sms.value, penbase.value):
        assert refused.field == "url"
        assert "SECRET" not in str(refused)


def test_scrub_masks_each_secret_plain_and_base64_longest_first() -> None:
    token = Secret("abcdef")
    text = f"token abcdef, again abcdefabcdef, encoded {base64.b64encode(b'abcdef').decode()}"
    assert scrub(text, [token, None]) == "token ***, again ******, encoded ***"
    assert scrub("no secret here", [Secret("")]) == "no secret here"
    assert url_without_credentials(" https://gw.example/sms ") == "https://gw.example/sms"
