"""The JSON of the contract: every office object survives the trip through JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from caredomain.errors import InvalidInput
from caredomain.interventions import (
    Badge,
    Caregiver,
    Client,
    EmergencyNumber,
    Expense,
    GeoPoint,
    Message,
    PlannedIntervention,
    PlanningPush,
    Service,
    Task,
)
from caredomain_penbase import wire, wire_messages, wire_planning

PARIS_WINTER = timezone(timedelta(hours=1))
START = datetime(2026, 3, 2, 9, 0, tzinfo=PARIS_WINTER)


def through_json(data: wire.Json) -> wire.Fields:
    return wire.Fields(json.loads(json.dumps(data)), "")


def test_office_objects_round_trip() -> None:
    caregiver = Caregiver("cg-1", "Alice", "mgr-1", "chef@agence.example", transmit=True)
    client = Client("cl-1", "M. Durand", "1 rue X", GeoPoint(45.7, 4.8), [Badge("qr", "Q-1")])
    planning = PlanningPush(
        "cg-1",
        (PlannedIntervention("iv-1", "cg-1", "cl-1", "s-1", START, START + timedelta(hours=2)),),
        (Service("s-1", "Aide", (Task("meal", "Repas"),)),),
        alert=True,
    )
    message = Message(
        id="m-1",
        caregiver_id="cg-1",
        direction="to-caregiver",
        sender="mgr-1",
        recipient="cg-1",
        text="Bonjour",
        sent_at=START,
    )
    number = EmergencyNumber.parse("Samu", "15")
    assert (
        wire_planning.caregiver_from(through_json(wire_planning.caregiver_json(caregiver)))
        == caregiver
    )
    assert wire_planning.client_from(through_json(wire_planning.client_json(client))) == client
    assert (
        wire_planning.planning_from(through_json(wire_planning.planning_json(planning))) == planning
    )
    assert wire_messages.message_from(through_json(wire_messages.message_json(message))) == message
    assert (
        wire_messages.emergency_number_from(
            through_json(wire_messages.emergency_number_json(number))
        )
        == number
    )


def test_times_are_written_in_utc_with_their_offset() -> None:
    intervention = PlannedIntervention(
        "iv-1", "cg-1", "cl-1", "s-1", START, START + timedelta(hours=1)
    )
    written = wire_planning.planning_json(PlanningPush("cg-1", (intervention,)))
    assert written["interventions"][0]["start"] == "2026-03-02T08:00:00+00:00"


def test_amounts_travel_as_text() -> None:
    expense = Expense(
        id="e-1",
        intervention_id="iv-1",
        caregiver_id="cg-1",
        entered_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        amount="8.40",
        category="meal",
    )
    assert wire.item_json(expense)["amount"] == "8.40"


def test_a_page_is_read_with_its_cursor() -> None:
    page = wire.page_from({"cursor": "7", "more": False, "items": []})
    assert page == wire.Page("7", False, ())
    assert wire.inbound(page.cursor, page.items).cursor == "7"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"more": False, "items": []}, "cursor"),
        ({"cursor": "1", "items": {}}, "items"),
        ({"cursor": "1", "items": [{"type": "punch"}]}, "items[0].id"),
        (["not", "an", "object"], "body"),
    ],
)
def test_a_bad_page_names_the_field(data: object, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        wire.page_from(data)
    assert refused.value.field == field
