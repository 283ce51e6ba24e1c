"""HopHop's webhooks received by the ASGI app, served by uvicorn on loopback and called with
real HTTP requests, applied to a daycare on a real SQLite file that was linked and synced
through the client and the reference HopHop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from caredomain import FixedClock
from caredomain.organisation import ConfigurationId
from caredomain.pickup import PickupAlertDue, PickupStatus
from caredomain.pickup.ports import pickup_unit_of_work
from caredomain.pickup.services import HOPHOP_ACTOR, ready_child, tick_pickups
from caredomain.services import ServiceContext
from caredomain_hophop import HopHopClient
from caredomain_hophop.reference import HopHopServer, Ready

MONTREAL = ZoneInfo("America/Toronto")
DAYCARE = "cpe-soleil"
Send = Callable[..., Any]


def at(hhmm: str) -> str:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, 3, 2, hours, minutes, tzinfo=MONTREAL).isoformat()


def announcement(event_id: str = "evt-1", eta: str = "16:45", **data: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "parent": {"email": "marie@example.ca"},
        "children": [{"reference": "lea", "first_name": "Léa", "last_name": "Tremblay"}],
        "arrival": at(eta),
    }
    body.update(data)
    return {"id": event_id, "type": "pickup.announced", "occurred_at": at("15:00"), "data": body}


def gps(event_id: str, occurred: str, travel_minutes: int, kind: str) -> dict[str, Any]:
    position = {"latitude": 45.5, "longitude": -73.57, "travel_seconds": travel_minutes * 60}
    data: dict[str, Any] = {"parent": {"email": "Marie@Example.ca"}, "gps": position}
    if kind == "pickup.announced":
        data["children"] = [{"reference": "lea", "first_name": "Léa", "last_name": "Tremblay"}]
    return {"id": event_id, "type": kind, "occurred_at": at(occurred), "data": data}


def open_pickups(context: ServiceContext) -> list[Any]:
    with pickup_unit_of_work(context.store, write=False) as uow:
        return uow.pickup.open_pickups(DAYCARE)


def journal(context: ServiceContext) -> list[str]:
    with context.store.unit_of_work(write=False) as uow:
        return [event.kind for _, event in uow.events.since(0, 10_000)]


def test_a_good_announcement_is_applied(webhook: Send, daycare: ServiceContext) -> None:
    answer = webhook(announcement())
    assert answer.status_code == 200
    assert answer.json() == {
        "id": "evt-1",
        "type": "pickup.announced",
        "result": {"pickups": ["evt-1:lea"], "unmatched": []},
    }
    (pickup,) = open_pickups(daycare)
    assert (pickup.id, pickup.parent, pickup.child) == ("evt-1:lea", "marie", "lea")
    assert pickup.status is PickupStatus.ANNOUNCED
    assert "PickupAnnounced" in journal(daycare)


def test_the_same_event_twice_is_applied_once(webhook: Send, daycare: ServiceContext) -> None:
    first, again = webhook(announcement()), webhook(announcement())
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(open_pickups(daycare)) == 1
    assert journal(daycare).count("PickupAnnounced") == 1


def test_the_same_event_delivered_again_reformatted_is_applied_once(
    webhook: Send, daycare: ServiceContext
) -> None:
    import json

    event = announcement("evt-r")
    event["data"]["arrival"] = datetime.fromisoformat(at("16:45")).astimezone(UTC).isoformat()
    first = webhook(announcement("evt-r"))
    again = webhook(raw=json.dumps(event, indent=2, sort_keys=True).encode())
    assert (first.status_code, again.status_code) == (200, 200)
    assert journal(daycare).count("PickupAnnounced") == 1


@pytest.mark.parametrize(
    "other",
    [
        {"id": "evt-1", "type": "pickup.cancelled", "occurred_at": at("15:00"), "data": {}},
        announcement(eta="17:15"),
        announcement(children=[{"reference": "max", "first_name": "Max", "last_name": "Gagnon"}]),
        gps("evt-1", "15:00", 10, "position.updated"),
        gps("evt-1", "15:00", 10, "pickup.announced"),
    ],
    ids=["cancellation", "another-arrival", "another-child", "gps-update", "gps-announcement"],
)
def test_an_id_applied_before_to_another_event_is_refused_and_nothing_applied(
    webhook: Send, daycare: ServiceContext, other: dict[str, Any]
) -> None:
    other["data"].setdefault("parent", {"email": "marie@example.ca"})
    assert webhook(announcement()).status_code == 200
    before = (open_pickups(daycare), journal(daycare))
    answer = webhook(other)
    assert answer.status_code == 409, answer.text
    error = answer.json()["error"]
    assert error["code"] == "pickup.inbound_reused"
    assert error["field"] == "id"
    assert "evt-1" in error["message"]
    assert (open_pickups(daycare), journal(daycare)) == before
    assert webhook(announcement()).status_code == 200  # the event applied stays idempotent


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ({"secret": "not-the-secret"}, (401, "bad_signature")),
        ({"signature": "t=123, v1=00ff"}, (401, "bad_signature")),
        ({"signature": "v1=abc"}, (400, "bad_signature_header")),
        ({"signature": ""}, (400, "bad_signature_header")),
        ({"timestamp_shift": -301}, (401, "stale_timestamp")),
        ({"timestamp_shift": +301}, (401, "future_timestamp")),
    ],
)
def test_a_request_not_signed_now_is_refused_and_nothing_applied(
    webhook: Send,
    daycare: ServiceContext,
    clock: FixedClock,
    how: dict[str, Any],
    expected: tuple[int, str],
) -> None:
    status, code = expected
    before = journal(daycare)
    shift = how.pop("timestamp_shift", None)
    if shift is not None:
        how["timestamp"] = int(clock.now().timestamp()) + shift
    answer = webhook(announcement(), **how)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert open_pickups(daycare) == []
    assert journal(daycare) == before


def test_a_request_within_the_window_is_accepted(webhook: Send, clock: FixedClock) -> None:
    answer = webhook(announcement(), timestamp=int(clock.now().timestamp()) - 290)
    assert answer.status_code == 200


def test_a_replayed_request_is_refused_once_the_window_passed(
    webhook: Send, daycare: ServiceContext, clock: FixedClock
) -> None:
    signed_at = int(clock.now().timestamp())
    assert webhook(announcement("evt-9"), timestamp=signed_at).status_code == 200
    clock.advance(timedelta(minutes=6))
    replayed = webhook(announcement("evt-9"), timestamp=signed_at)
    assert replayed.status_code == 401
    assert replayed.json()["error"]["code"] == "stale_timestamp"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[]", "body"),
        (b'{"id": "e", "type": "pickup.teleported"}', "type"),
        (b'{"id": "e", "type": "pickup.announced", "occurred_at": "yesterday"}', "occurred_at"),
        (
            b'{"id": "e", "type": "pickup.announced", "occurred_at": "2027-03-02T15:00:00"}',
            "occurred_at",
        ),
    ],
)
def test_a_malformed_body_is_refused_naming_the_field(
    webhook: Send, daycare: ServiceContext, body: bytes, field: str
) -> None:
    before = journal(daycare)
    answer = webhook(raw=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == field
    assert journal(daycare) == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"children": [{"reference": "lea", "first_name": "Léa"}]}, "data.children[0].last_name"),
        ({"parent": {}}, "data.parent.email"),
        ({"arrival": None}, "data.arrival"),
        (
            {"gps": {"latitude": 45.5, "longitude": -73.5, "travel_seconds": 60}},
            "data.arrival",
        ),
        ({"arrival": None, "gps": {"latitude": 95, "longitude": 0, "travel_seconds": 60}}, None),
    ],
)
def test_a_malformed_event_is_refused_whole(
    webhook: Send, daycare: ServiceContext, data: dict[str, Any], field: str | None
) -> None:
    answer = webhook(announcement(**data))
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"] == (field or "data.gps.latitude")
    assert open_pickups(daycare) == []


def test_a_body_too_large_is_refused(webhook: Send, daycare: ServiceContext) -> None:
    answer = webhook(raw=b'{"id": "' + b"x" * 70_000 + b'"}')
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_a_domain_refusal_is_422_with_its_code(webhook: Send, daycare: ServiceContext) -> None:
    answer = webhook(announcement(eta="19:30"))  # the call window ends at 18:00
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "pickup.outside_window"
    assert "18:00" in error["message"]
    assert open_pickups(daycare) == []


def test_an_unknown_parent_is_404(webhook: Send) -> None:
    answer = webhook(announcement(parent={"email": "nobody@example.ca"}))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_a_child_renamed_in_hophop_is_reported_unmatched(
    webhook: Send, daycare: ServiceContext
) -> None:
    renamed = [{"reference": "lea", "first_name": "Léa-Rose", "last_name": "Tremblay"}]
    answer = webhook(announcement(children=renamed))
    assert answer.json()["result"] == {"pickups": [], "unmatched": ["lea"]}
    assert "ChildUnmatched" in journal(daycare)


def test_other_paths_answer_json(webhook: Send, daycare: ServiceContext) -> None:
    answer = webhook(announcement(), organisation="a/b")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_an_unknown_organisation_is_404_and_nothing_applied(
    webhook: Send, daycare: ServiceContext
) -> None:
    answer = webhook(announcement(), organisation="cpe-lune")
    assert answer.status_code == 404
    assert open_pickups(daycare) == []


def test_a_gps_stream_gives_one_alert(
    webhook: Send, daycare: ServiceContext, clock: FixedClock
) -> None:
    assert webhook(gps("g-0", "16:00", 25, "pickup.announced")).status_code == 200
    for n in range(1, 21):
        clock.set(datetime.fromisoformat(at(f"16:{n:02d}")))
        for copy in range(2):  # every report delivered twice
            update = gps(f"g-{n}", f"16:{n:02d}", 25 - n, "position.updated")
            assert webhook(update).status_code == 200, copy
    clock.set(datetime.fromisoformat(at("16:30")))
    tick_pickups(daycare, HOPHOP_ACTOR, DAYCARE)
    alerts = [kind for kind in journal(daycare) if kind == PickupAlertDue.__name__]
    assert alerts == ["PickupAlertDue"]


def test_a_cancellation_ends_the_parents_pickups(webhook: Send, daycare: ServiceContext) -> None:
    webhook(announcement())
    cancel = {
        "id": "c-1",
        "type": "pickup.cancelled",
        "occurred_at": at("15:10"),
        "data": {"parent": {"email": "marie@example.ca"}},
    }
    answer = webhook(cancel)
    assert answer.status_code == 200
    assert answer.json()["result"] == {"events": ["PickupCancelled"]}
    assert open_pickups(daycare) == []


def test_a_photo_change_holds_the_parent_until_approved(
    webhook: Send, daycare: ServiceContext
) -> None:
    photo = {
        "id": "p-1",
        "type": "photo.changed",
        "occurred_at": at("15:05"),
        "data": {"parent": {"email": "marie@example.ca"}, "children": ["lea"]},
    }
    assert webhook(photo).status_code == 200
    refused = webhook(announcement("evt-2"))
    assert refused.status_code == 422
    assert open_pickups(daycare) == []


def test_ready_goes_back_to_hophop_for_the_announced_pickup(
    webhook: Send, daycare: ServiceContext, client: HopHopClient, server: HopHopServer
) -> None:
    from caredomain import Actor
    from caredomain.pickup.services import call_child

    webhook(announcement())
    educator = Actor.administrator("ana", "Ana", configuration=ConfigurationId(DAYCARE))
    call_child(daycare, educator, DAYCARE, "evt-1:lea")
    ready_child(daycare, educator, DAYCARE, "evt-1:lea", client)
    assert server.told_ready == [Ready("soleil@hophop.ca", "evt-1:lea", "evt-1", "lea")]


def test_a_password_changed_on_hophop_turns_the_link_red_over_http(
    webhook: Send, daycare: ServiceContext, client: HopHopClient, server: HopHopServer
) -> None:
    from caredomain import Actor
    from caredomain.errors import RuleViolation
    from caredomain.pickup import LinkProblem
    from caredomain.pickup.ports import pickup_unit_of_work
    from caredomain.pickup.services import call_child

    webhook(announcement())
    server.change_password("soleil@hophop.ca", "changed on app.hophop.ca")
    educator = Actor.administrator("ana", "Ana", configuration=ConfigurationId(DAYCARE))
    call_child(daycare, educator, DAYCARE, "evt-1:lea")
    with pytest.raises(RuleViolation, match="password-changed"):
        ready_child(daycare, educator, DAYCARE, "evt-1:lea", client)
    with pickup_unit_of_work(daycare.store, write=False) as uow:
        accounts = [uow.pickup.account(DAYCARE, i.id) for i in uow.pickup.installations(DAYCARE)]
    (account,) = [a for a in accounts if a is not None and a.email == "soleil@hophop.ca"]
    assert account.problem is LinkProblem.PASSWORD_CHANGED
