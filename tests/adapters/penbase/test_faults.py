"""Retries, time-outs and refusals against the real server; the office token kept secret;
malformed inbound pages refused whole."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from caredomain.errors import CareDomainError, Forbidden, InvalidInput, RuleViolation
from caredomain.interventions import (
    Caregiver,
    EmergencyNumber,
    PlannedIntervention,
    PlanningPush,
)
from caredomain_penbase import PenbaseClient, PenbaseSettings, PenbaseUnavailable, Secret
from caredomain_penbase.reference import PenbaseServer

OFFICE_TOKEN = "office-token-Zq8xW2vR"
ALICE = Caregiver(id="cg-alice", name="Alice Martin", manager="mgr-1", transmit=True)


def test_two_503_then_success_is_retried_with_growing_pauses(
    client: PenbaseClient, server: PenbaseServer, sleeps: list[float]
) -> None:
    server.fail_next(2, 503)
    assert client.push_caregivers([ALICE]) == {"cg-alice"}
    assert sleeps == [0.01, 0.02]
    assert len(server.requests) == 3
    assert "cg-alice" in server.caregivers


def test_a_429_waits_as_long_as_the_server_asks(
    client: PenbaseClient, server: PenbaseServer, sleeps: list[float]
) -> None:
    server.fail_next(1, 429, retry_after=0.5)
    client.push_caregivers([ALICE])
    assert sleeps == [0.5]


def test_5xx_forever_gives_up_after_the_attempts(
    client: PenbaseClient, server: PenbaseServer, sleeps: list[float]
) -> None:
    server.fail_next(10, 500)
    with pytest.raises(PenbaseUnavailable) as gave_up:
        client.push_caregivers([ALICE])
    assert gave_up.value.attempts == 3
    assert len(server.requests) == 3
    assert len(sleeps) == 2
    assert str(gave_up.value).startswith(f"{client.name}: gave up after 3 tries")
    assert "HTTP 500: injected fault" in str(gave_up.value)


def test_a_server_that_never_answers_times_out_naming_the_platform(
    make_client: Callable[..., PenbaseClient], server: PenbaseServer
) -> None:
    client = make_client(timeout=0.2, attempts=2)
    server.delay_next(10.0, times=5)
    with pytest.raises(PenbaseUnavailable) as gave_up:
        client.push_caregivers([ALICE])
    assert client.name in str(gave_up.value)
    assert "no answer within 0.2 s" in str(gave_up.value)


def test_an_unreachable_platform_is_reported_naming_it(sleeps: list[float]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = PenbaseSettings(url=f"http://127.0.0.1:{port}", token=Secret(OFFICE_TOKEN))
    client = PenbaseClient(settings, sleep=sleeps.append)
    with client, pytest.raises(PenbaseUnavailable, match=r"127\.0\.0\.1.*unreachable"):
        client.pull()
    assert len(sleeps) == 3


def test_a_400_is_not_retried_and_carries_the_servers_message(
    client: PenbaseClient, server: PenbaseServer, sleeps: list[float]
) -> None:
    client.push_caregivers([ALICE])
    bobs = PlannedIntervention(
        id="iv-9",
        caregiver_id="cg-bob",
        client_id="cl-1",
        service_id="srv-1",
        start=datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        end=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    with pytest.raises(InvalidInput) as refused:
        client.push_planning(PlanningPush("cg-alice", (bobs,)))
    assert refused.value.field == "interventions[0].caregiver_id"
    assert refused.value.source == client.name
    assert "differs from the id of the URL" in str(refused.value)
    assert sleeps == []
    assert len(server.requests) == 2


def test_too_many_emergency_numbers_are_refused_before_sending(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    numbers = [EmergencyNumber.parse(f"N{n}", f"+3314567890{n}") for n in range(6)]
    with pytest.raises(RuleViolation) as refused:
        client.push_emergency_numbers(numbers)
    assert refused.value.code == "emergency.too_many"
    assert server.requests == []


def test_the_office_token_is_never_shown(
    make_client: Callable[..., PenbaseClient],
    server: PenbaseServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    shown = [repr(client), str(client), client.name, repr(client.settings)]
    server.fail_next(5, 502)
    with pytest.raises(PenbaseUnavailable) as gave_up:
        client.push_caregivers([ALICE])
    wrong = make_client(token=Secret("a-wrong-token-0000"))
    with pytest.raises(Forbidden) as forbidden:
        wrong.pull()
    shown += [str(gave_up.value), repr(gave_up.value), str(forbidden.value), caplog.text]
    for text in shown:
        assert OFFICE_TOKEN not in text
        assert "a-wrong-token-0000" not in text
    assert repr(client) == f"PenbaseClient({server.url!r}, token=***)"
    assert "unknown office token" in str(forbidden.value)


# -- malformed inbound pages -----------------------------------------------------------

GOOD = {
    "type": "punch",
    "id": "p-1",
    "received_at": "2026-03-02T08:02:05+00:00",
    "caregiver_id": "cg-alice",
    "intervention_id": "iv-1",
    "kind": "in",
    "method": "manual",
    "device_time": "2026-03-02T08:02:00+01:00",
    "reason": "badge illisible",
}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"device_time": None}, "items[1].device_time", "required"),
        ({"device_time": "2026-03-02T08:02:00"}, "items[1].device_time", "offset"),
        ({"device_time": "le 2 mars"}, "items[1].device_time", "ISO 8601"),
        ({"offline": "yes"}, "items[1].offline", "true or false"),
        ({"kind": "sideways"}, "items[1].kind", "expected one of"),
        ({"id": 42}, "items[1].id", "expected text"),
        ({"type": "selfie"}, "items[1].type", "unknown item type"),
        (
            {
                "gps": {
                    "latitude": 95,
                    "longitude": 2,
                    "accuracy_m": 5,
                    "taken_at": GOOD["device_time"],
                }
            },
            "items[1].gps.latitude",
            "-90 to 90",
        ),
        (
            {
                "type": "expense",
                "entered_at": GOOD["device_time"],
                "amount": 8.4,
                "category": "meal",
            },
            "items[1].amount",
            "expected text",
        ),
    ],
)
def test_a_malformed_item_refuses_the_whole_page_naming_it(
    client: PenbaseClient,
    server: PenbaseServer,
    changes: dict[str, Any],
    field: str,
    message: str,
) -> None:
    bad = {**GOOD, "id": "p-2", **changes}
    server.inbound.extend([(1, GOOD), (2, bad)])
    with pytest.raises(InvalidInput) as refused:
        client.pull()
    assert refused.value.field == field
    assert message in refused.value.message
    assert refused.value.source == client.name
    assert isinstance(refused.value, CareDomainError)


def test_a_page_that_is_not_an_object_is_refused(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    server.inbound.append((1, "punch"))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"items\[0\]: expected a JSON object"):
        client.pull()
