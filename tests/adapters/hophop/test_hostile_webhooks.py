"""HopHop's webhook receiver as a hostile world calls it, served by uvicorn on loopback: any
bytes, any JSON, mutated events, any signature header, oversized bodies and a lying
``Content-Length``, the same event id raced. Every request gets one JSON answer — 200, or
one 4xx with a short message, never a 500 nor a traceback — and a refused one leaves the
daycare's store as it was."""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.pickup.ports import pickup_unit_of_work
from caredomain.services import ServiceContext
from caredomain.testing.hostile import hostile_values, json_values, mutated
from caredomain_hophop.signature import HEADER
from caredomain_hophop.webhooks import MAX_BODY

MONTREAL = ZoneInfo("America/Toronto")
DAYCARE = "cpe-soleil"
WEBHOOK_SECRET = "whsec-Kp4Tn8Rw2Zb6"
Send = Callable[..., httpx.Response]


def at(hhmm: str) -> str:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, 3, 2, hours, minutes, tzinfo=MONTREAL).isoformat()


PARENT = {"email": "marie@example.ca"}
LEA = {"reference": "lea", "first_name": "Léa", "last_name": "Tremblay"}
GPS = {"latitude": 45.5, "longitude": -73.57, "travel_seconds": 600}
EVENTS: list[dict[str, Any]] = [
    {
        "id": "evt-1",
        "type": "pickup.announced",
        "occurred_at": at("15:00"),
        "data": {"parent": PARENT, "children": [LEA], "arrival": at("16:45")},
    },
    {
        "id": "evt-1",
        "type": "pickup.announced",
        "occurred_at": at("15:00"),
        "data": {"parent": PARENT, "children": [LEA], "gps": GPS},
    },
    {
        "id": "evt-1",
        "type": "position.updated",
        "occurred_at": at("15:00"),
        "data": {"parent": PARENT, "gps": GPS},
    },
    {
        "id": "evt-1",
        "type": "pickup.cancelled",
        "occurred_at": at("15:00"),
        "data": {"parent": PARENT},
    },
    {
        "id": "evt-1",
        "type": "photo.changed",
        "occurred_at": at("15:00"),
        "data": {"parent": PARENT, "children": ["lea"]},
    },
]
_ids = itertools.count()


def state(context: ServiceContext) -> tuple[list[str], list[Any]]:
    """What a refused request must leave as it was: the journal and the open pickups."""
    with context.store.unit_of_work(write=False) as uow:
        journal = [event.kind for _, event in uow.events.since(0, 100_000)]
    with pickup_unit_of_work(context.store, write=False) as uow:
        return journal, uow.pickup.open_pickups(DAYCARE)


def answered(answer: httpx.Response) -> dict[str, Any]:
    """The JSON of an answer that is a 200 or one clear 4xx (never a 500, a traceback or an
    endless message)."""
    assert answer.status_code == 200 or 400 <= answer.status_code < 500, answer.text[:500]
    body = answer.json()
    assert isinstance(body, dict)
    if answer.status_code != 200:
        error = body["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)
        assert 0 < len(error["message"]) < 400
        assert "Traceback" not in answer.text
    return body


def refused_or_applied(
    webhook: Send, daycare: ServiceContext, answer_of: Callable[[], httpx.Response]
) -> int:
    before = state(daycare)
    answer = answer_of()
    answered(answer)
    if answer.status_code != 200:
        assert state(daycare) == before
    return answer.status_code


def fresh(body: Any) -> Any:
    """``body`` with a new event id where it still had the valid one, so that a valid
    mutation is applied rather than taken for a duplicate."""
    if isinstance(body, dict) and body.get("id") == "evt-1":
        return {**body, "id": f"evt-h{next(_ids)}"}
    return body


QUICK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# -- plain examples of each breach found -------------------------------------------------


def test_a_signature_header_that_is_not_ascii_is_refused(
    webhook: Send, daycare: ServiceContext
) -> None:
    before = state(daycare)
    for header in [b"t=1, v1=\xe9\xe9", "t=1, v1=é".encode(), b"v1=\xff, t=2"]:
        answer = webhook(EVENTS[0], signature=header)
        assert answer.status_code in (400, 401), header
        assert answered(answer)["error"]["code"] in ("bad_signature_header", "bad_signature")
    assert state(daycare) == before


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59-14:00",  # not even in UTC
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59+00:00",  # in UTC, but a trip or a wall clock away is not
        "0001-01-01T00:00:00+00:00",
    ],
)
def test_a_time_at_the_ends_of_the_calendar_is_refused(
    webhook: Send, daycare: ServiceContext, moment: str
) -> None:
    before = state(daycare)
    for template, where in [(0, "occurred_at"), (1, "occurred_at"), (0, "data.arrival")]:
        event: dict[str, Any] = json.loads(json.dumps(EVENTS[template]))
        event["id"] = f"evt-c{next(_ids)}"
        if where == "occurred_at":
            event["occurred_at"] = moment
        else:
            event["data"]["arrival"] = moment
        answer = webhook(event)
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["field"] == where
    assert state(daycare) == before


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("id",), "id"),
        (("data", "parent", "email"), "data.parent.email"),
        (("data", "children", 0, "reference"), "data.children[0].reference"),
        (("data", "children", 0, "first_name"), "data.children[0].first_name"),
    ],
)
@pytest.mark.parametrize("surrogate", [chr(0xD800), chr(0xDFFF)], ids=["high", "low"])
def test_text_holding_a_lone_surrogate_is_refused(
    webhook: Send, daycare: ServiceContext, path: tuple[Any, ...], field: str, surrogate: str
) -> None:
    event: Any = json.loads(json.dumps(EVENTS[0]))
    inner = event
    for key in path[:-1]:
        inner = inner[key]
    inner[path[-1]] = f"a{surrogate}@b" if "email" in field else f"lea{surrogate}"
    before = state(daycare)
    answer = webhook(raw=json.dumps(event).encode())
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["field"] == field
    assert state(daycare) == before


@pytest.mark.parametrize(
    ("number", "says"),
    [("1e999", "not a finite number"), ("NaN", "not a finite number"), ("4" * 40, "more than")],
)
def test_a_refused_number_is_named_by_its_path(
    webhook: Send, daycare: ServiceContext, number: str, says: str
) -> None:
    event = {**EVENTS[1], "id": f"evt-n{next(_ids)}"}
    raw = json.dumps(event).replace('"latitude": 45.5', f'"latitude": {number}').encode()
    before = state(daycare)
    answer = webhook(raw=raw)
    assert answer.status_code == 400, answer.text
    error = answered(answer)["error"]
    assert error["field"] == "data.gps.latitude"
    assert says in error["message"]
    assert state(daycare) == before


def test_an_email_with_control_characters_is_refused_and_not_echoed(
    webhook: Send, daycare: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    event: Any = json.loads(json.dumps(EVENTS[0]))
    event["data"]["parent"]["email"] = "x@y\n\x1b[31mFORGED LOG LINE" + "z" * 150
    answer = webhook(event)
    assert answer.status_code == 400
    error = answered(answer)["error"]
    assert error["field"] == "data.parent.email"
    for shown in (error["message"], caplog.text):
        assert "\n\x1b" not in shown
        assert "\x1b" not in shown


# -- oversized bodies, a lying Content-Length --------------------------------------------


def raw_request(base: str, head: bytes, body: bytes = b"", *, half_close: bool = False) -> bytes:
    """What the receiver answers to ``head`` and ``body`` written as they are on a socket."""
    where = urlsplit(base)
    with socket.create_connection((where.hostname or "", where.port or 80), timeout=10) as sock:
        sock.sendall(head + b"\r\n\r\n" + body)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def headers(length: str, *extra: bytes) -> bytes:
    lines = [
        f"POST /organisations/{DAYCARE}/hophop HTTP/1.1".encode(),
        b"Host: 127.0.0.1",
        b"Connection: close",
        b"Content-Type: application/json",
        f"{HEADER}: t=1, v1=00".encode(),
        *([f"Content-Length: {length}".encode()] if length else []),
        *extra,
    ]
    return b"\r\n".join(lines)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def test_a_body_declared_larger_than_the_bound_is_refused_unread(
    webhook: Send, daycare: ServiceContext
) -> None:
    before = state(daycare)
    for length in (str(MAX_BODY + 1), str(10**12)):
        answer = raw_request(webhook.base, headers(length), b"{}")  # type: ignore[attr-defined]
        assert status_of(answer) == 413
        assert b'"too_large"' in answer
    answer = raw_request(webhook.base, headers(str(10**30)), b"{}")  # type: ignore[attr-defined]
    assert 400 <= status_of(answer) < 500  # uvicorn's own refusal, before the application
    assert state(daycare) == before


def test_a_chunked_body_larger_than_the_bound_is_refused(
    webhook: Send, daycare: ServiceContext
) -> None:
    chunk = b"x" * 8192
    body = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * (
        MAX_BODY // 8192 + 2
    ) + b"0\r\n\r\n"
    answer = raw_request(
        webhook.base,  # type: ignore[attr-defined]
        headers("", b"Transfer-Encoding: chunked"),
        body,
    )
    assert status_of(answer) == 413
    assert state(daycare)[0] == state(daycare)[0]


def test_a_body_shorter_than_its_content_length_is_not_applied(
    webhook: Send, daycare: ServiceContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    before = state(daycare)
    body = json.dumps(EVENTS[0]).encode()
    answer = raw_request(webhook.base, headers(str(len(body) + 100)), body, half_close=True)  # type: ignore[attr-defined]
    assert answer == b"" or 400 <= status_of(answer) < 500
    deadline = time.monotonic() + 10  # the receiver notices the hang-up after we do
    while "hung up" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state(daycare) == before
    assert "hung up before the end of its body" in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_body_longer_than_its_content_length_is_read_as_declared(
    webhook: Send, daycare: ServiceContext
) -> None:
    before = state(daycare)
    body = json.dumps(EVENTS[0]).encode()
    answer = raw_request(webhook.base, headers("10"), body)  # type: ignore[attr-defined]
    assert 400 <= status_of(answer) < 500  # ten bytes are not a signed event
    assert state(daycare) == before


def test_a_malformed_content_length_is_refused(webhook: Send, daycare: ServiceContext) -> None:
    before = state(daycare)
    for length in ["-1", "abc", "1e3", "0x10", " 5 5"]:
        answer = raw_request(webhook.base, headers(length), b"{}")  # type: ignore[attr-defined]
        assert 400 <= status_of(answer) < 500, length
    assert state(daycare) == before


# -- one event raced ---------------------------------------------------------------------


def test_the_same_event_sent_at_once_from_four_threads_is_applied_once(
    webhook: Send, daycare: ServiceContext
) -> None:
    before_journal, _ = state(daycare)
    statuses: list[int] = []
    gate = threading.Barrier(4)

    def deliver() -> None:
        gate.wait()
        statuses.append(webhook(EVENTS[0]).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    journal, pickups = state(daycare)
    assert journal.count("PickupAnnounced") - before_journal.count("PickupAnnounced") == 1
    assert len(pickups) == 1


def test_a_reused_id_for_another_kind_of_event_is_not_applied_twice(
    webhook: Send, daycare: ServiceContext
) -> None:
    assert webhook(EVENTS[0]).status_code == 200
    before = state(daycare)
    answer = webhook(EVENTS[3])
    assert answer.status_code == 409
    assert answered(answer)["error"]["code"] == "pickup.inbound_reused"
    assert state(daycare) == before  # the cancellation under a used id changed nothing


def test_four_events_under_one_id_at_once_only_one_is_applied(
    webhook: Send, daycare: ServiceContext
) -> None:
    answers: list[httpx.Response] = []
    gate = threading.Barrier(4)

    def deliver(event: dict[str, Any]) -> None:
        gate.wait()
        answers.append(webhook(event))

    threads = [threading.Thread(target=deliver, args=(EVENTS[i],)) for i in (0, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409]
    for answer in answers:
        if answer.status_code == 409:
            assert answered(answer)["error"]["code"] == "pickup.inbound_reused"
    (applied,) = [answer.json()["type"] for answer in answers if answer.status_code == 200]
    journal, pickups = state(daycare)
    assert (journal.count("PickupAnnounced"), len(pickups)) == (
        (1, 1) if applied == "pickup.announced" else (0, 0)
    )


# -- properties --------------------------------------------------------------------------


@QUICK
@given(body=st.binary(max_size=300))
def test_any_bytes_get_one_clear_answer(
    webhook: Send, daycare: ServiceContext, body: bytes
) -> None:
    refused_or_applied(webhook, daycare, lambda: webhook(raw=body))


@QUICK
@given(body=json_values)
def test_any_json_gets_one_clear_answer(
    webhook: Send, daycare: ServiceContext, body: object
) -> None:
    raw = json.dumps(body).encode("utf-8", "surrogatepass")
    refused_or_applied(webhook, daycare, lambda: webhook(raw=raw))


@settings(QUICK, max_examples=150)
@given(body=st.sampled_from(EVENTS).flatmap(mutated).map(fresh))
def test_any_mutated_event_is_applied_or_refused_whole(
    webhook: Send, daycare: ServiceContext, body: Any
) -> None:
    raw = json.dumps(body).encode("utf-8", "surrogatepass")
    refused_or_applied(webhook, daycare, lambda: webhook(raw=raw))


@QUICK
@given(
    kind=st.text(max_size=30) | hostile_values.map(str),
    value=json_values,
)
def test_an_unknown_kind_or_a_field_of_any_type_is_refused_whole(
    webhook: Send, daycare: ServiceContext, kind: str, value: object
) -> None:
    event = {**EVENTS[0], "id": f"evt-k{next(_ids)}", "type": kind, "data": value}
    raw = json.dumps(event).encode("utf-8", "surrogatepass")
    refused_or_applied(webhook, daycare, lambda: webhook(raw=raw))


@QUICK
@given(header=st.binary(max_size=120).map(lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F)))
def test_any_signature_header_is_refused_with_400_or_401(
    webhook: Send, daycare: ServiceContext, header: bytes
) -> None:
    before = state(daycare)
    answer = webhook(EVENTS[0], signature=header.strip() or b"x")
    assert answer.status_code in (400, 401), answer.text[:300]
    answered(answer)
    assert state(daycare) == before
