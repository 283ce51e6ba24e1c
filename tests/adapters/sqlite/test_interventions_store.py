"""The home-care tables of the SQLite store: every record round-trips, filters select what
they say, and the punch log, the corrections and the visit data stay append-only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from caredomain.errors import Conflict
from caredomain.interventions import (
    Alarm,
    AlarmId,
    AlarmSettings,
    AlarmState,
    Badge,
    BadgeKind,
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    Comment,
    Correction,
    CorrectionId,
    CorrectionReason,
    Device,
    DeviceId,
    Directory,
    DirectoryEntry,
    DirectoryEntryId,
    EmergencyNumbers,
    EntryId,
    Expense,
    ExpenseCategory,
    GeoPoint,
    GpsFix,
    InterventionId,
    LogEntry,
    LossKind,
    Message,
    MessageDirection,
    MessageId,
    Mileage,
    Outbound,
    PayloadKind,
    PlannedIntervention,
    Platform,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
    Refusal,
    Report,
    RequestId,
    RequestKind,
    Service,
    ServiceId,
    StaffRequest,
    Task,
    TasksDone,
    Thread,
    Tolerances,
    parse_phone,
)
from caredomain.interventions.ports import AgencySettings, PlatformState
from caredomain.organisation import OrganisationId
from caredomain_sqlite import SqliteStore

ORG = OrganisationId("agency")
OTHER = OrganisationId("other-agency")
T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "care.db") as opened:
        yield opened


def _punch(ident: str, caregiver: str = "cg-1", minutes: int = 0) -> Punch:
    at = T0 + timedelta(minutes=minutes)
    return Punch(
        id=PunchId(ident),
        caregiver_id=CaregiverId(caregiver),
        intervention_id=InterventionId("iv-1"),
        kind=PunchKind.CLOCK_IN,
        method=PunchMethod.MANUAL,
        device_time=at,
        received_at=at,
        reason="badge illisible",
        gps=GpsFix(GeoPoint(48.86, 2.39), 8.5, at),
    )


def _intervention(ident: str, caregiver: str, hour: int) -> PlannedIntervention:
    return PlannedIntervention(
        id=InterventionId(ident),
        caregiver_id=CaregiverId(caregiver),
        client_id=ClientId("cl-1"),
        service_id=ServiceId("sv-1"),
        start=T0.replace(hour=hour),
        end=T0.replace(hour=hour + 1),
    )


def test_the_schema_is_at_version_5(store: SqliteStore) -> None:
    assert store.schema_version >= 5


def test_people_services_and_documents_round_trip(store: SqliteStore) -> None:
    caregiver = Caregiver(CaregiverId("cg-1"), "Marie Dupont", "mgr", "m@example.org", True)
    client = Client(
        ClientId("cl-1"),
        "Léon Bernard",
        "12 rue des Lilas",
        GeoPoint(48.87, 2.39),
        [Badge(BadgeKind.NFC, "04A1"), Badge(BadgeKind.QR, "QR-1")],
    )
    service = Service(ServiceId("sv-1"), "Aide à la toilette", [Task("toilette", "Toilette")])
    settings = AgencySettings(
        AlarmSettings(call_number=parse_phone("15"), office_email="a@example.org", countdown=12),
        Tolerances(late_start=5),
    )
    numbers = EmergencyNumbers().add("Samu", "15").add("Standard", "01 45 67 89 01")
    directory = Directory(
        [DirectoryEntry(DirectoryEntryId("d-1"), "Accueil", "Standard", parse_phone("0145678901"))]
    )
    state = PlatformState(cursor="c-7", acknowledged_caregivers={"cg-1"}, pushed_blocks={"ph-1"})
    with store.unit_of_work() as uow:
        repo = uow.interventions
        repo.save_caregivers(ORG, [caregiver])
        repo.save_clients(ORG, [client])
        repo.save_services(ORG, [service])
        repo.save_settings(ORG, settings)
        repo.save_emergency_numbers(ORG, numbers)
        repo.save_directory(ORG, directory)
        repo.save_platform_state(ORG, state)
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        repo = uow.interventions
        assert repo.caregivers(ORG) == [caregiver]
        assert repo.clients(ORG, [ClientId("cl-1")]) == [client]
        assert repo.services(ORG) == [service]
        assert repo.settings(ORG) == settings
        assert repo.emergency_numbers(ORG) == numbers
        assert repo.directory(ORG) == directory
        assert repo.platform_state(ORG) == state
        assert repo.agencies() == [ORG]
        # Another organisation sees nothing of it.
        assert repo.caregivers(OTHER) == []
        assert repo.settings(OTHER) is None
        assert repo.platform_state(OTHER) == PlatformState()
        assert repo.emergency_numbers(OTHER) == EmergencyNumbers()


def test_interventions_are_selected_by_ids_caregivers_and_time(store: SqliteStore) -> None:
    a, b, c = (
        _intervention("iv-a", "cg-1", 8),
        _intervention("iv-b", "cg-2", 9),
        _intervention("iv-c", "cg-1", 11),
    )
    with store.unit_of_work() as uow:
        uow.interventions.save_interventions(ORG, [c, a, b])
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        repo = uow.interventions
        assert repo.interventions(ORG) == [a, b, c]
        assert repo.interventions(ORG, caregivers=[CaregiverId("cg-1")]) == [a, c]
        assert repo.interventions(ORG, ids=[InterventionId("iv-b")]) == [b]
        assert repo.interventions(
            ORG, ids=[InterventionId("iv-a"), InterventionId("iv-b")], caregivers=["cg-2"]
        ) == [b]
        span = repo.interventions(
            ORG, ends_after=T0.replace(hour=9), starts_before=T0.replace(hour=11)
        )
        assert span == [b]  # a ends at 9:00 exactly, c starts at 11:00 exactly
    with store.unit_of_work() as uow:
        uow.interventions.remove_interventions(ORG, [InterventionId("iv-b")])
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        assert uow.interventions.interventions(ORG) == [a, c]


def test_the_punch_log_keeps_entries_in_order_with_their_decisions(store: SqliteStore) -> None:
    refused = LogEntry(1, _punch("p-2", minutes=5), Refusal("punch.visit_open", "open"))
    entries = [LogEntry(0, _punch("p-1")), refused, LogEntry(0, _punch("p-3", "cg-2"))]
    with store.unit_of_work() as uow:
        uow.interventions.add_log_entries(ORG, entries)
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        repo = uow.interventions
        assert repo.log_entries(ORG) == entries
        assert repo.log_entries(ORG, caregivers=[CaregiverId("cg-1")]) == entries[:2]
        assert repo.log_entries(ORG, interventions=[InterventionId("iv-1")]) == entries
        assert repo.log_entries(ORG, interventions=[InterventionId("iv-9")]) == []


def test_a_punch_id_or_a_sequence_number_held_already_is_a_conflict(store: SqliteStore) -> None:
    with store.unit_of_work() as uow:
        uow.interventions.add_log_entries(ORG, [LogEntry(0, _punch("p-1"))])
        uow.commit()
    for again in (LogEntry(1, _punch("p-1")), LogEntry(0, _punch("p-9"))):
        with store.unit_of_work() as uow, pytest.raises(Conflict):
            uow.interventions.add_log_entries(ORG, [again])
    with store.unit_of_work() as uow:  # another organisation has its own log
        uow.interventions.add_log_entries(OTHER, [LogEntry(0, _punch("p-1"))])
        uow.commit()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE care_punches SET document = '{}'",
        "DELETE FROM care_punches",
        "UPDATE care_corrections SET caregiver = 'x'",
        "DELETE FROM care_corrections",
        "UPDATE care_visit_entries SET kind = 'report'",
        "DELETE FROM care_visit_entries",
    ],
)
def test_the_logs_refuse_updates_and_deletes(store: SqliteStore, statement: str) -> None:
    correction = Correction(
        id=CorrectionId("co-1"),
        intervention_id=InterventionId("iv-1"),
        caregiver_id=CaregiverId("cg-1"),
        reason=CorrectionReason.FORGOTTEN_CLOCK_OUT,
        by="office",
        made_at=T0,
        end=T0 + timedelta(hours=1),
    )
    comment = Comment(
        id=EntryId("e-1"),
        intervention_id=InterventionId("iv-1"),
        caregiver_id=CaregiverId("cg-1"),
        entered_at=T0,
        text="RAS",
    )
    with store.unit_of_work() as uow:
        uow.interventions.add_log_entries(ORG, [LogEntry(0, _punch("p-1"))])
        uow.interventions.add_corrections(ORG, [correction])
        uow.interventions.add_visit_entries(ORG, [comment])
        uow.commit()
    with store.unit_of_work() as uow, pytest.raises(Conflict, match="append-only"):
        uow.change(statement)
    with store.unit_of_work(write=False) as uow:
        assert len(uow.interventions.log_entries(ORG)) == 1
        assert uow.interventions.corrections(ORG) == [correction]
        assert uow.interventions.visit_entries(ORG) == [comment]


def test_visit_entries_of_every_kind_round_trip_with_their_decimals(store: SqliteStore) -> None:
    common = {
        "intervention_id": InterventionId("iv-1"),
        "caregiver_id": CaregiverId("cg-1"),
        "entered_at": T0,
    }
    entries = [
        Mileage(id=EntryId("e-1"), km=Decimal("12.50"), comment="aller", **common),  # type: ignore[arg-type]
        Expense(  # type: ignore[arg-type]
            id=EntryId("e-2"), amount="3.20", category=ExpenseCategory.PARKING, **common
        ),
        Comment(id=EntryId("e-3"), text="Tout va bien", **common),  # type: ignore[arg-type]
        Report(id=EntryId("e-4"), text="Compte-rendu", **common),  # type: ignore[arg-type]
        TasksDone(id=EntryId("e-5"), tasks=["toilette", "lit"], **common),  # type: ignore[arg-type]
    ]
    with store.unit_of_work() as uow:
        uow.interventions.add_visit_entries(ORG, entries)
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        back = uow.interventions.visit_entries(ORG, caregivers=[CaregiverId("cg-1")])
    assert back == entries
    assert isinstance(back[0], Mileage)
    assert back[0].km == Decimal("12.50")
    assert str(back[0].km) == "12.50"


def test_threads_requests_alarms_and_devices_round_trip(store: SqliteStore) -> None:
    message = Message(
        id=MessageId("m-1"),
        caregiver_id=CaregiverId("cg-1"),
        direction=MessageDirection.TO_CAREGIVER,
        sender="office",
        recipient="cg-1",
        text="Nouveau planning",
        sent_at=T0,
    )
    thread = Thread(caregiver_id=CaregiverId("cg-1"), alert_by_email=False, messages=[message])
    request = StaffRequest(
        id=RequestId("r-1"),
        caregiver_id=CaregiverId("cg-1"),
        kind=RequestKind.ABSENCE,
        first_day=date(2026, 3, 9),
        last_day=date(2026, 3, 10),
        reason="Rendez-vous médical",
        submitted_at=T0,
    )
    caregiver = Caregiver(CaregiverId("cg-1"), "Marie Dupont", "mgr")
    settings = AlarmSettings(call_number=parse_phone("15"), office_email="a@example.org")
    alarm, _ = Alarm.trigger(
        AlarmId("al-1"), caregiver, T0, settings, new_id=lambda: "ev", gps=_punch("x").gps
    )
    device = Device.enrol(
        DeviceId("ph-1"), CaregiverId("cg-1"), Platform.ANDROID, token="t" * 24, android_version=8
    ).enqueue([Outbound("m-1", PayloadKind.MESSAGE)])[0]
    blocked = Device.enrol(
        DeviceId("ph-2"), CaregiverId("cg-1"), Platform.IOS, token="u" * 24
    ).block(LossKind.STOLEN, by="office", at=T0, new_id=lambda: "ev2")
    with store.unit_of_work() as uow:
        repo = uow.interventions
        repo.save_threads(ORG, [thread])
        repo.save_staff_requests(ORG, [request])
        repo.save_alarms(ORG, [alarm])
        repo.save_devices(ORG, [device, blocked.device])
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        repo = uow.interventions
        assert repo.threads(ORG) == [thread]
        assert repo.threads(ORG, [CaregiverId("cg-2")]) == []
        assert repo.staff_requests(ORG, pending_only=True) == [request]
        assert repo.alarms(ORG, states=[AlarmState.COUNTDOWN]) == [alarm]
        assert repo.alarms(ORG, states=[AlarmState.FIRED]) == []
        assert repo.devices(ORG, caregiver_id=CaregiverId("cg-1")) == [device, blocked.device]
        stored = repo.devices(ORG, ids=[DeviceId("ph-1")])[0]
    assert stored.authenticate("t" * 24) == device  # the token's digest is kept
