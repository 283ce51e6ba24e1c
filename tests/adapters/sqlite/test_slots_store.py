"""The appointment book's tables on a real SQLite file: settings, plan basis, appointments,
the queries by need, and the unique seat that makes a double booking impossible."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve

from caredomain import (
    ActorId,
    Closure,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
)
from caredomain.serialization import unstructure
from caredomain.slots import (
    Appointment,
    AppointmentId,
    AppointmentStatus,
    AppointmentType,
    Beneficiary,
    Channel,
    Counter,
    CounterId,
    Place,
    PlaceId,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
    plan_slots,
)
from caredomain.slots.ports import PlanBasis
from caredomain_sqlite import SqliteStore
from caredomain_sqlite.migrations import MIGRATIONS, migrate

PARIS = ZoneInfo("Europe/Paris")
TORONTO = ZoneInfo("America/Toronto")
TOWN = OrganisationId("town")
OTHER = OrganisationId("other")
MONDAY_9 = datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)
G1, G2 = CounterId("g1"), CounterId("g2")


def settings() -> SlotSettings:
    kind = AppointmentType(
        TypeId("id-card"), "Pièces d'identité", 20, "2m", "60m", options=("CNI", "passeport")
    )
    hall = Place(PlaceId("hall"), "Hôtel de ville", "1 place de la Mairie", on_portal=True)
    week = ReferenceWeek.parse("standard", {"lundi": "08h30-12h00\n13h30-17h00"})
    closed = ReferenceWeek.parse("closed", {})
    counters = (
        Counter(G1, "Guichet 1", kind.id, hall.id),
        Counter(G2, "Guichet 2", kind.id, hall.id),
    )
    applications = (
        WeekApplication(G1, WeekName("standard"), date(2025, 1, 1), date(2025, 12, 31)),
        WeekApplication(G1, WeekName("closed"), date(2025, 3, 1), date(2025, 3, 31)),
        WeekApplication(G2, WeekName("standard"), date(2025, 1, 1), date(2025, 12, 31)),
    )
    return SlotSettings((kind,), (hall,), counters, (week, closed), applications)


def appointment(
    number: int,
    start: datetime = MONDAY_9,
    *,
    counter_id: CounterId = G1,
    seat: int = 0,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    beneficiary: str = "cit-1",
) -> Appointment:
    return Appointment(
        id=AppointmentId(f"a-{number}"),
        counter_id=counter_id,
        beneficiary=Beneficiary(
            beneficiary, "Marie Curie", "association", "m@example.org", "+33612345678"
        ),
        start=start,
        duration_minutes=20,
        channel=Channel.PORTAL,
        booked_by=ActorId(beneficiary),
        booked_at=datetime(2025, 2, 1, 10, 0, 0, 123456, tzinfo=UTC),
        option="CNI",
        seat=seat,
        status=status,
        previous_start=start - timedelta(days=1),
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "care.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as store:
        yield store


def save(
    store: SqliteStore, *appointments: Appointment, organisation: OrganisationId = TOWN
) -> None:
    with store.unit_of_work() as uow:
        uow.slots.save_appointments(organisation, appointments)
        uow.commit()


def test_nothing_is_stored_for_a_new_organisation(store: SqliteStore) -> None:
    with store.unit_of_work(write=False) as uow:
        assert uow.slots.settings(TOWN) is None
        assert uow.slots.plan_basis(TOWN) is None
        assert uow.slots.appointments(TOWN) == []
        with pytest.raises(NotFound):
            uow.slots.appointment(TOWN, AppointmentId("a-1"))


def test_settings_round_trip_with_the_applications_in_their_order(store: SqliteStore) -> None:
    with store.unit_of_work() as uow:
        uow.slots.save_settings(TOWN, settings())
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        loaded = uow.slots.settings(TOWN)
        assert uow.slots.settings(OTHER) is None
    assert loaded == settings()
    assert loaded is not None
    # The later application (closed in March) still wins over the earlier one.
    assert [a.week for a in loaded.applications_of(G1)] == ["standard", "closed"]
    assert loaded.inputs(G1).week_on(date(2025, 3, 3)) == settings().week(WeekName("closed"))


def test_saving_settings_again_replaces_them(store: SqliteStore) -> None:
    smaller = settings().without_counter(G2)
    for value in (settings(), smaller):
        with store.unit_of_work() as uow:
            uow.slots.save_settings(TOWN, value)
            uow.commit()
    with store.unit_of_work(write=False) as uow:
        assert uow.slots.settings(TOWN) == smaller


def test_the_plan_is_rebuilt_from_its_basis(store: SqliteStore) -> None:
    calendar = OpeningCalendar().with_closure(Closure.on(date(2025, 3, 10), "Inventaire"))
    town = Organisation(TOWN, "Mairie", PARIS, calendar)
    plan = plan_slots(town, settings(), date(2025, 3, 3))
    with store.unit_of_work() as uow:
        uow.slots.save_plan_basis(TOWN, PlanBasis.of(plan))
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        basis = uow.slots.plan_basis(TOWN)
    assert basis == PlanBasis(date(2025, 3, 3), PARIS, calendar)
    # Rebuilt for the organisation as it is now, the plan is the one made then.
    moved = Organisation(TOWN, "Mairie", TORONTO)
    assert basis.rebuild(moved, settings()) == plan
    assert not basis.matches(moved)
    assert basis.matches(town)


def test_an_appointment_round_trips_with_every_field(store: SqliteStore) -> None:
    stored = appointment(1)
    save(store, stored)
    with store.unit_of_work(write=False) as uow:
        loaded = uow.slots.appointment(TOWN, stored.id)
        with pytest.raises(NotFound):
            uow.slots.appointment(OTHER, stored.id)
    assert loaded == stored
    assert loaded.booked_at.microsecond == 123456
    assert loaded.start.utcoffset() == timedelta(hours=1)


def test_saving_replaces_an_appointment_by_id(store: SqliteStore) -> None:
    save(store, appointment(1))
    cancelled = evolve(appointment(1), status=AppointmentStatus.CANCELLED)
    save(store, cancelled)
    with store.unit_of_work(write=False) as uow:
        assert uow.slots.appointments(TOWN) == [cancelled]


def test_appointments_are_read_by_need(store: SqliteStore) -> None:
    tuesday = MONDAY_9 + timedelta(days=1)
    everything = [
        appointment(1),
        appointment(2, counter_id=G2),
        appointment(3, tuesday, status=AppointmentStatus.CANCELLED),
        appointment(4, tuesday, beneficiary="cit-2"),
        appointment(5, MONDAY_9 - timedelta(days=365)),
    ]
    save(store, *everything)
    save(store, appointment(1, beneficiary="elsewhere"), organisation=OTHER)
    a1, a2, a3, a4, a5 = everything
    with store.unit_of_work(write=False) as uow:
        slots = uow.slots
        assert slots.appointments(TOWN) == [a5, a1, a2, a3, a4]
        assert slots.appointments(TOWN, booked_only=True, start_from=MONDAY_9) == [a1, a2, a4]
        assert slots.appointments(TOWN, counters=[G1], start_from=MONDAY_9) == [a1, a3, a4]
        assert slots.appointments(TOWN, counters=[]) == []
        assert slots.appointments(
            TOWN, booked_only=True, counters={G1}, start_from=MONDAY_9, start_before=tuesday
        ) == [a1]
        assert slots.appointments(TOWN, beneficiary="cit-2") == [a4]
        assert slots.appointments(TOWN, counters=[G1, G2], limit=2) == [a5, a1]
        assert slots.appointments(TOWN, limit=0) == []
        with pytest.raises(InvalidInput):
            slots.appointments(TOWN, start_from=datetime(2025, 3, 3))  # naive
        with pytest.raises(InvalidInput):
            slots.appointments(TOWN, limit=-1)


def test_many_counters_are_read_in_chunks(store: SqliteStore) -> None:
    many = [appointment(n, counter_id=CounterId(f"c{n:04d}")) for n in range(1200)]
    save(store, *many)
    with store.unit_of_work(write=False) as uow:
        found = uow.slots.appointments(TOWN, counters=[a.counter_id for a in many[::2]])
    assert found == sorted(many[::2], key=lambda a: a.id)


def test_two_booked_appointments_never_hold_one_seat(store: SqliteStore) -> None:
    save(store, appointment(1))
    with pytest.raises(Conflict, match="seat 0 of counter g1 at 2025-03-03T09:00:00"):
        save(store, appointment(2, beneficiary="cit-2"))
    # Another seat, another counter, another time, or a seat given up: all fine.
    save(store, appointment(3, seat=1), appointment(4, counter_id=G2))
    save(store, evolve(appointment(1), status=AppointmentStatus.DEPROGRAMMED), appointment(5))
    with store.unit_of_work(write=False) as uow:
        held = uow.slots.appointments(TOWN, booked_only=True)
    assert sorted(a.id for a in held) == ["a-3", "a-4", "a-5"]


def test_a_refused_save_leaves_nothing_behind(store: SqliteStore) -> None:
    save(store, appointment(1))
    with pytest.raises(Conflict), store.unit_of_work() as uow:
        uow.slots.save_appointments(TOWN, [appointment(2, seat=1), appointment(3)])
    with store.unit_of_work(write=False) as uow:
        assert [a.id for a in uow.slots.appointments(TOWN)] == ["a-1"]


def test_a_read_unit_refuses_to_write(store: SqliteStore) -> None:
    with store.unit_of_work(write=False) as uow, pytest.raises(Forbidden):
        uow.slots.save_appointments(TOWN, [appointment(1)])


def test_the_database_itself_refuses_a_second_holder(store: SqliteStore, path: Path) -> None:
    save(store, appointment(1))
    with closing(sqlite3.connect(path)) as connection, pytest.raises(sqlite3.IntegrityError):
        connection.execute(
            "INSERT INTO slot_appointments VALUES ('town', 'x', 'g1', ?, 0, 'booked', 'b', '{}')",
            (appointment(1).start_second,),
        )


def test_a_damaged_document_is_reported_by_name(store: SqliteStore, path: Path) -> None:
    save(store, appointment(1))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE slot_appointments SET document = '{not json'")
        connection.commit()
    with store.unit_of_work(write=False) as uow, pytest.raises(InvalidInput, match="'a-1'"):
        uow.slots.appointment(TOWN, AppointmentId("a-1"))


def test_settings_saved_before_schema_9_get_a_version_and_each_save_a_new_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    old = [migration for migration in MIGRATIONS if migration.version < 9]
    with closing(sqlite3.connect(path, isolation_level=None)) as connection:
        migrate(connection, source="old", migrations=tuple(old))
        document = json.dumps(unstructure(SlotSettings()))
        connection.execute("INSERT INTO slot_settings VALUES ('town', ?)", (document,))
    with SqliteStore(path) as store:
        with store.unit_of_work(write=False) as uow:
            version = uow.slots.settings_version(OrganisationId("town"))
            assert version == "migrated-town"  # the migration's, unlike any save's
            assert uow.slots.versioned_settings(OrganisationId("town")) == (version, SlotSettings())
            assert uow.slots.settings_version(OrganisationId("nowhere")) is None
            assert uow.slots.versioned_settings(OrganisationId("nowhere")) is None
        seen = {version}
        for _ in range(3):
            with store.unit_of_work() as uow:
                uow.slots.save_settings(OrganisationId("town"), SlotSettings())
                uow.commit()
            with store.unit_of_work(write=False) as uow:
                seen.add(uow.slots.settings_version(OrganisationId("town")))
        assert len(seen) == 4  # the same settings saved again: a new version all the same
