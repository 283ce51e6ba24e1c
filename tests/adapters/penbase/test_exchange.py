"""The office client against the real reference server over HTTP: pushes reach the phones,
what the phones send is pulled once, blocked phones are cut off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from caredomain.errors import NotFound
from caredomain.interventions import (
    Acknowledgement,
    AlarmSignal,
    Badge,
    Caregiver,
    CaregiverId,
    Client,
    Comment,
    DeviceId,
    EmergencyNumber,
    Expense,
    GeoPoint,
    GpsFix,
    LossKind,
    Message,
    Mileage,
    PhoneMessage,
    PlannedIntervention,
    PlanningPush,
    Punch,
    Report,
    Service,
    StaffRequest,
    Task,
    TasksDone,
)
from caredomain_penbase import PenbaseClient
from caredomain_penbase.reference import PenbaseServer, PhoneRefused

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ALICE_TOKEN = "device-token-alice-0001"
ALICE_SPARE_TOKEN = "device-token-alice-0002"

ALICE = Caregiver(id="cg-alice", name="Alice Martin", manager="mgr-1", transmit=True)
DURAND = Client(
    id="cl-durand",
    name="Marcel Durand",
    address="12 rue des Lilas, Lyon",
    location=GeoPoint(45.76, 4.83),
    badges=[Badge("nfc", "04A1B2C3"), Badge("qr", "QR-DURAND")],
)
HOME_HELP = Service(
    id="srv-help", label="Aide à domicile", tasks=(Task("meal", "Repas"), Task("bath", "Toilette"))
)
MORNING = PlannedIntervention(
    id="iv-1",
    caregiver_id="cg-alice",
    client_id="cl-durand",
    service_id="srv-help",
    start=START,
    end=START + timedelta(hours=1),
)


def clock_in(punch_id: str = "p-1", **changes: object) -> Punch:
    values: dict[str, object] = {
        "id": punch_id,
        "caregiver_id": "cg-alice",
        "intervention_id": "iv-1",
        "kind": "in",
        "method": "badge-nfc",
        "device_time": START + timedelta(minutes=2),
        "received_at": START + timedelta(minutes=2),
        "badge": "04A1B2C3",
        "gps": GpsFix(GeoPoint(45.7601, 4.8302), 12.0, START + timedelta(minutes=1)),
    }
    values.update(changes)
    return Punch(**values)  # type: ignore[arg-type]


def office_message(message_id: str, text: str = "Appelez le bureau") -> Message:
    return Message(
        id=message_id,
        caregiver_id="cg-alice",
        direction="to-caregiver",
        sender="mgr-1",
        recipient="cg-alice",
        text=text,
        sent_at=START,
    )


def transmit_alice(client: PenbaseClient, server: PenbaseServer) -> None:
    assert client.push_caregivers([ALICE]) == {"cg-alice"}
    assert client.push_clients([DURAND]) == {"cl-durand"}
    server.enrol("ph-alice", "cg-alice", token=ALICE_TOKEN)
    client.push_planning(PlanningPush("cg-alice", (MORNING,), (HOME_HELP,), alert=True))


def test_a_pushed_planning_is_what_the_phone_reads(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    phone = server.phone(ALICE_TOKEN)
    shown = phone.planning()
    assert shown.planning == PlanningPush("cg-alice", (MORNING,), (HOME_HELP,), alert=True)
    assert shown.clients == (DURAND,)
    assert phone.planning().planning.alert is False  # the phone rang once


def test_a_punch_from_the_phone_is_pulled_by_the_office(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    assert server.phone(ALICE_TOKEN).punch(clock_in()) is True
    inbound = client.pull()
    # the platform stamps when it received the punch (its clock is fixed at 07:30)
    assert inbound.punches == (clock_in(received_at=datetime(2026, 3, 2, 7, 30, tzinfo=UTC)),)
    assert len(inbound) == 1


def test_a_punch_sent_again_with_the_same_id_is_one_item(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    phone = server.phone(ALICE_TOKEN)
    assert phone.punch(clock_in()) is True
    assert phone.punch(clock_in()) is False  # the same Idempotency-Key: the first answer
    again = httpx.post(  # no key at all: the server still knows the punch by its id
        server.url + "v1/device/items",
        json={"type": "punch", "id": "p-1", **_punch_fields()},
        headers={"Authorization": f"Bearer {ALICE_TOKEN}"},
    )
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert len(client.pull().punches) == 1


def test_another_punch_under_a_known_id_is_a_conflict(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    phone = server.phone(ALICE_TOKEN)
    phone.punch(clock_in())
    with pytest.raises(PhoneRefused) as refused:
        phone.send(clock_in(kind="out"), id="p-1")
    assert refused.value.status == 409


def _punch_fields() -> dict[str, object]:
    return {
        "caregiver_id": "cg-alice",
        "intervention_id": "iv-1",
        "kind": "in",
        "method": "badge-nfc",
        "device_time": "2026-03-02T08:02:00+00:00",
        "badge": "04A1B2C3",
        "gps": {
            "latitude": 45.7601,
            "longitude": 4.8302,
            "accuracy_m": 12.0,
            "taken_at": "2026-03-02T08:01:00+00:00",
        },
        "offline": False,
        "reason": None,
    }


def test_a_pull_after_the_cursor_brings_only_what_is_new(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    phone = server.phone(ALICE_TOKEN)
    phone.punch(clock_in())
    first = client.pull()
    nothing = client.pull(first.cursor)
    assert len(nothing) == 0
    assert nothing.cursor == first.cursor
    phone.punch(clock_in("p-2", kind="out", device_time=START + timedelta(minutes=58)))
    assert [p.id for p in client.pull(first.cursor).punches] == ["p-2"]


def test_a_pull_follows_the_pages_to_the_end(
    make_client: Callable[..., PenbaseClient], server: PenbaseServer
) -> None:
    client = make_client(page_size=2)
    transmit_alice(client, server)
    phone = server.phone(ALICE_TOKEN)
    for n in range(5):
        phone.punch(clock_in(f"p-{n}"))
    inbound = client.pull()
    assert [p.id for p in inbound.punches] == [f"p-{n}" for n in range(5)]
    assert inbound.cursor == "5"
    assert sum(1 for method, path in server.requests if path == "/v1/inbound") == 3


def test_every_kind_of_item_a_phone_sends_reaches_the_office(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    client.push_messages([office_message("msg-1")])
    at = START + timedelta(minutes=20)
    common = {"intervention_id": "iv-1", "caregiver_id": "cg-alice", "entered_at": at}
    entries = (
        Mileage(id="e-1", km=Decimal("12.40"), comment="détour", **common),  # type: ignore[arg-type]
        Expense(id="e-2", amount="8.40", category="parking", label="Parc", **common),  # type: ignore[arg-type]
        Comment(id="e-3", text="Chien agité", **common),  # type: ignore[arg-type]
        Report(id="e-4", text="RAS", **common),  # type: ignore[arg-type]
        TasksDone(id="e-5", tasks=["meal", "bath"], **common),  # type: ignore[arg-type]
    )
    message = PhoneMessage("pm-1", "cg-alice", "Rappelez-moi", at, kind="call-back")
    ack = Acknowledgement("msg-1", "cg-alice", at)
    alarm = AlarmSignal("al-1", "cg-alice", "trigger", at, GpsFix(GeoPoint(45.7, 4.8), 30, at))
    request = StaffRequest(
        id="rq-1",
        caregiver_id="cg-alice",
        kind="absence",
        first_day=date(2026, 3, 9),
        last_day=date(2026, 3, 10),
        reason="Rendez-vous médical",
        submitted_at=at,
    )
    phone = server.phone(ALICE_TOKEN)
    for item in (*entries, message, ack, alarm, request):
        assert phone.send(item) is True
    inbound = client.pull()
    assert inbound.entries == entries
    assert inbound.messages == (message,)
    assert inbound.acknowledgements == (ack,)
    assert inbound.alarms == (alarm,)
    assert inbound.requests == (request,)
    assert phone.messages() == ()  # acknowledged: the app is free again


def test_an_office_message_blocks_the_phone_until_acknowledged(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    client.push_messages([office_message("msg-1")])
    phone = server.phone(ALICE_TOKEN)
    assert [m.id for m in phone.messages()] == ["msg-1"]
    phone.send(Acknowledgement("msg-1", "cg-alice", START))
    assert phone.messages() == ()
    assert server.messages["msg-1"].acknowledged_at == START


def test_emergency_numbers_reach_the_phones(client: PenbaseClient, server: PenbaseServer) -> None:
    transmit_alice(client, server)
    numbers = [
        EmergencyNumber.parse("Samu", "15"),
        EmergencyNumber.parse("Astreinte", "0472000000"),
    ]
    client.push_emergency_numbers(numbers)
    assert server.phone(ALICE_TOKEN).emergency_numbers() == tuple(numbers)


def test_withdrawing_removes_and_is_idempotent(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    client.withdraw([CaregiverId("cg-alice")], ["cl-durand"])
    assert server.caregivers == {}
    assert server.clients == {}
    client.withdraw([CaregiverId("cg-alice")], ["cl-durand"])  # gone already: fine


def test_a_planning_for_a_caregiver_the_platform_does_not_hold_is_not_found(
    client: PenbaseClient,
) -> None:
    with pytest.raises(NotFound, match="no caregiver 'cg-alice'"):
        client.push_planning(PlanningPush("cg-alice", (MORNING,)))


def test_a_blocked_phone_is_refused_at_once_and_gets_nothing_more(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    server.enrol("ph-spare", "cg-alice", token=ALICE_SPARE_TOKEN)
    client.push_messages([office_message("msg-1")])
    lost, spare = server.phone(ALICE_TOKEN), server.phone(ALICE_SPARE_TOKEN)
    assert [m.id for m in lost.messages()] == ["msg-1"]
    assert "msg-1" in server.queued("ph-alice")

    client.block_device(DeviceId("ph-alice"), LossKind.STOLEN)

    for read in (lost.planning, lost.messages, lost.emergency_numbers):
        with pytest.raises(PhoneRefused) as refused:
            read()
        assert refused.value.status == 401
    with pytest.raises(PhoneRefused):
        lost.punch(clock_in())
    assert server.queued("ph-alice") == ()  # what waited for it is dropped
    client.push_messages([office_message("msg-2", "Nouvelle consigne")])
    client.push_planning(PlanningPush("cg-alice", (MORNING,), alert=True))
    assert server.queued("ph-alice") == ()  # and nothing is queued for it again
    assert [m.id for m in spare.messages()] == ["msg-1", "msg-2"]
    client.block_device(DeviceId("ph-alice"), LossKind.STOLEN)  # again: nothing changes


def test_blocking_an_unknown_phone_is_not_found(client: PenbaseClient) -> None:
    with pytest.raises(NotFound, match="ph-nobody"):
        client.block_device(DeviceId("ph-nobody"), LossKind.LOST)


def test_an_iphone_only_views_its_planning_and_clocks(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    server.enrol("ph-ios", "cg-alice", token="device-token-iphone-01", platform="ios")
    client.push_messages([office_message("msg-1")])
    iphone = server.phone("device-token-iphone-01")
    assert server.queued("ph-ios") == ()
    assert iphone.planning().planning.interventions == (MORNING,)
    assert iphone.punch(clock_in()) is True
    with pytest.raises(PhoneRefused) as refused:
        iphone.send(
            Comment(
                id="e-1",
                intervention_id="iv-1",
                caregiver_id="cg-alice",
                entered_at=START,
                text="x",
            )
        )
    assert refused.value.status == 403
    assert "device.not_supported_on_ios" in refused.value.message


def test_a_phone_cannot_send_for_another_caregiver(
    client: PenbaseClient, server: PenbaseServer
) -> None:
    transmit_alice(client, server)
    with pytest.raises(PhoneRefused) as refused:
        server.phone(ALICE_TOKEN).punch(clock_in(caregiver_id="cg-bob"))
    assert refused.value.status == 403
