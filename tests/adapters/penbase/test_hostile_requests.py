"""The reference server as the hostile world finds it: every request gets an HTTP answer
with a JSON error naming what was wrong, never a dropped connection nor a 500. One server
on loopback serves the whole module."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.interventions import Caregiver, CaregiverId
from caredomain.testing.hostile import json_values, mutated
from caredomain_penbase.limits import MAX_DEPTH, MAX_REQUEST_BYTES
from caredomain_penbase.reference import PenbaseServer

OFFICE_TOKEN = "office-token-Zq8xW2vR"
PHONE_TOKEN = "device-token-alice-0001"
OFFICE = {"Authorization": f"Bearer {OFFICE_TOKEN}"}
PHONE = {"Authorization": f"Bearer {PHONE_TOKEN}"}
TIME = "2026-03-02T08:02:00+01:00"
DIGITS = "1" * 5000

CAREGIVER = {"id": "cg-bob", "name": "Bob", "manager": "mgr-1", "transmit": True}
CLIENT = {
    "id": "cl-1",
    "name": "M. Durand",
    "address": "1 rue X",
    "location": {"latitude": 45.7, "longitude": 4.8},
    "badges": [{"kind": "nfc", "value": "04A1"}],
}
PLANNING = {
    "caregiver_id": "cg-alice",
    "interventions": [
        {
            "id": "iv-1",
            "caregiver_id": "cg-alice",
            "client_id": "cl-1",
            "service_id": "s-1",
            "start": TIME,
            "end": "2026-03-02T09:02:00+01:00",
        }
    ],
    "services": [{"id": "s-1", "label": "Aide", "tasks": [{"code": "meal", "label": "Repas"}]}],
    "alert": True,
}
MESSAGE = {
    "id": "msg-1",
    "caregiver_id": "cg-alice",
    "direction": "to-caregiver",
    "sender": "mgr-1",
    "recipient": "cg-alice",
    "text": "Appelez le bureau",
    "sent_at": TIME,
    "kind": "text",
}
NUMBERS = {"numbers": [{"label": "Samu", "number": "15", "kind": "short", "region": "FR"}]}
GPS = {"latitude": 45.7, "longitude": 4.8, "accuracy_m": 12.0, "taken_at": TIME}
PUNCH = {
    "type": "punch",
    "id": "p-1",
    "caregiver_id": "cg-alice",
    "intervention_id": "iv-1",
    "kind": "in",
    "method": "manual",
    "device_time": TIME,
    "gps": GPS,
    "reason": "badge illisible",
}
MILEAGE = {
    "type": "mileage",
    "id": "e-1",
    "intervention_id": "iv-1",
    "caregiver_id": "cg-alice",
    "entered_at": TIME,
    "km": "12.40",
}
REQUEST = {
    "type": "request",
    "id": "rq-1",
    "caregiver_id": "cg-alice",
    "kind": "absence",
    "first_day": "2026-03-09",
    "reason": "Rendez-vous",
    "submitted_at": TIME,
}

# (method, path, headers, a valid body to start from)
ENDPOINTS: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
    ("PUT", "v1/caregivers/cg-bob", OFFICE, CAREGIVER),
    ("PUT", "v1/clients/cl-1", OFFICE, CLIENT),
    ("PUT", "v1/plannings/cg-alice", OFFICE, PLANNING),
    ("PUT", "v1/messages/msg-1", OFFICE, MESSAGE),
    ("PUT", "v1/emergency-numbers", OFFICE, NUMBERS),
    ("POST", "v1/devices/ph-other/block", OFFICE, {"reason": "lost"}),
    ("POST", "v1/device/items", PHONE, PUNCH),
    ("POST", "v1/device/items", PHONE, MILEAGE),
    ("POST", "v1/device/items", PHONE, REQUEST),
]


@pytest.fixture(scope="module")
def server() -> Iterator[PenbaseServer]:
    with PenbaseServer(office_token=OFFICE_TOKEN) as running:
        running.caregivers["cg-alice"] = Caregiver(
            CaregiverId("cg-alice"), "Alice", "mgr-1", transmit=True
        )
        running.enrol("ph-alice", "cg-alice", token=PHONE_TOKEN)
        running.enrol("ph-other", "cg-other", token="device-token-other-0001")
        yield running


@pytest.fixture(scope="module")
def http(server: PenbaseServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client


def answered(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON: below 500, and a 4xx is a located ``{"error": {...}}``."""
    assert response.status_code < 500, response.text[:300]
    body = json.loads(response.content) if response.content else {}
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/json"
        error = body["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)
        assert len(response.content) < 2000  # an excerpt, never the body echoed
    return body


def refused(response: httpx.Response, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text[:300]
    error: dict[str, Any] = answered(response)["error"]
    return error


def send_text(http: httpx.Client, endpoint: int, text: str) -> httpx.Response:
    method, path, headers, _ = ENDPOINTS[endpoint]
    content_type = {"Content-Type": "application/json"}
    return http.request(method, path, content=text.encode(), headers={**headers, **content_type})


def raw_exchange(server: PenbaseServer, request: bytes) -> bytes:
    """Send ``request`` as it is over a socket; what the server answered, to its end."""
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def raw_status(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


# -- each case of the campaign ---------------------------------------------------------


def test_a_5000_digit_integer_is_refused_naming_its_field(http: httpx.Client) -> None:
    text = json.dumps(CAREGIVER).replace('"Bob"', DIGITS)
    error = refused(send_text(http, 0, text))
    assert error["field"] == "name"
    assert "more than 32 characters" in error["message"]


def test_deeply_nested_json_is_refused(http: httpx.Client) -> None:
    error = refused(send_text(http, 6, "[" * 100_000 + "]" * 100_000))
    assert error["field"] == "body"
    assert f"deeper than {MAX_DEPTH}" in error["message"]


def test_nesting_within_the_limit_reaches_the_fields(http: httpx.Client) -> None:
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    text = json.dumps(CAREGIVER).replace('"Bob"', nested)
    assert refused(send_text(http, 0, text))["field"] == "name"


def test_a_400_digit_latitude_is_refused_naming_its_field(http: httpx.Client) -> None:
    text = json.dumps(CLIENT).replace("45.7", "4" * 400 + ".5")
    error = refused(send_text(http, 1, text))
    assert error["field"] == "location.latitude"


def test_a_kilometre_count_of_1e999999999_is_refused(http: httpx.Client) -> None:
    error = refused(send_text(http, 7, json.dumps({**MILEAGE, "km": "1e999999999"})))
    assert error["field"] == "km"
    assert "digits before the point" in error["message"]


@pytest.mark.parametrize(
    ("number", "field"),
    [
        ("1e999", "location.longitude"),
        ("NaN", "location.longitude"),
        ("-Infinity", "location.longitude"),
    ],
)
def test_a_number_that_is_not_finite_is_refused(
    http: httpx.Client, number: str, field: str
) -> None:
    text = json.dumps(CLIENT).replace("4.8", number)
    error = refused(send_text(http, 1, text))
    assert error["field"] == field
    assert "finite" in error["message"]


def test_a_time_beyond_what_utc_can_tell_is_refused(http: httpx.Client) -> None:
    body = {**PUNCH, "id": "p-far", "device_time": "9999-12-31T23:59:00-14:00"}
    error = refused(send_text(http, 6, json.dumps(body)))
    assert error["field"] == "device_time"


def test_a_5000_digit_cursor_and_limit_are_refused(http: httpx.Client) -> None:
    error = refused(http.get("v1/inbound", params={"after": DIGITS}, headers=OFFICE))
    assert error["field"] == "after"
    assert len(error["message"]) < 200  # the message and an excerpt of 80 digits, not 5,000
    assert DIGITS[:80] + "'…" in error["message"]
    assert refused(http.get("v1/inbound", params={"limit": DIGITS}, headers=OFFICE))["field"] == (
        "limit"
    )
    superscript = refused(http.get("v1/inbound", params={"after": "²"}, headers=OFFICE))
    assert superscript["field"] == "after"


def test_bytes_that_are_not_utf8_are_refused(http: httpx.Client) -> None:
    method, path, headers, _ = ENDPOINTS[0]
    response = http.request(method, path, content=b'{"id": "\xff"}', headers=headers)
    error = refused(response)
    assert "not UTF-8 (byte 8)" in error["message"]


@pytest.mark.parametrize("surrogate", ["\\ud800", "\\uDBFF", "\\udc00", "\\uDFFF"])
def test_a_lone_surrogate_is_refused_naming_its_field(http: httpx.Client, surrogate: str) -> None:
    error = refused(send_text(http, 0, json.dumps(CAREGIVER).replace("Bob", surrogate)))
    assert error["field"] == "name"


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "42", "null", "{", "{'a': 1}"])
def test_a_body_that_is_not_a_json_object_is_refused(http: httpx.Client, body: str) -> None:
    refused(send_text(http, 6, body))


@pytest.mark.parametrize(
    ("length", "status"),
    [("abc", 400), ("-5", 400), ("1e3", 400), ("99999999999999999999999", 413)],
)
def test_a_bad_content_length_is_answered_without_reading_the_body(
    server: PenbaseServer, length: str, status: int
) -> None:
    request = (
        "PUT /v1/caregivers/cg-bob HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {OFFICE_TOKEN}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()
    code, body = raw_status(raw_exchange(server, request + b'{"id": "cg-bob"}'))
    assert code == status
    assert body["error"]["field"] == "Content-Length"


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(
    server: PenbaseServer,
) -> None:
    head = (
        "PUT /v1/caregivers/cg-bob HTTP/1.1\r\nHost: x\r\n"
        f"Content-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n"
    ).encode()
    code, body = raw_status(raw_exchange(server, head + b"x" * 100_000))
    assert code == 413
    assert str(MAX_REQUEST_BYTES) in body["error"]["message"]


def test_a_chunked_body_is_asked_for_with_a_length(server: PenbaseServer) -> None:
    request = b"POST /v1/device/items HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    code, _ = raw_status(raw_exchange(server, request + b"5\r\nhello\r\n0\r\n\r\n"))
    assert code == 411


def test_a_body_shorter_than_its_length_is_refused(server: PenbaseServer) -> None:
    request = b"PUT /v1/caregivers/cg-bob HTTP/1.0\r\nContent-Length: 100\r\n\r\n{}"
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        connection.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert raw_status(answer)[0] == 400


def test_a_malformed_request_line_gets_a_json_error(server: PenbaseServer) -> None:
    code, body = raw_status(raw_exchange(server, b"GET /v1/inbound HTTP/9.x\r\n\r\n"))
    assert code == 400
    assert body["error"]["code"] == "invalid"


# -- properties --------------------------------------------------------------------------


QUICK = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@settings(QUICK, max_examples=200)  # the campaign's cases are a few among many
@given(data=st.data(), endpoint=st.integers(0, len(ENDPOINTS) - 1))
def test_any_mutated_body_gets_an_answer_below_500(
    http: httpx.Client, data: st.DataObject, endpoint: int
) -> None:
    body = data.draw(mutated(ENDPOINTS[endpoint][3]))
    answered(send_text(http, endpoint, json.dumps(body)))


@QUICK
@given(endpoint=st.integers(0, len(ENDPOINTS) - 1), value=json_values)
def test_any_json_gets_an_answer_below_500(
    http: httpx.Client, endpoint: int, value: object
) -> None:
    answered(send_text(http, endpoint, json.dumps(value)))


@QUICK
@given(endpoint=st.integers(0, len(ENDPOINTS) - 1), body=st.binary(max_size=200))
def test_any_bytes_get_an_answer_below_500(http: httpx.Client, endpoint: int, body: bytes) -> None:
    method, path, headers, _ = ENDPOINTS[endpoint]
    answered(http.request(method, path, content=body, headers=headers))
