"""The repositories' part of the store contract: what the use cases of every module rely on
from a store's slots, notifications, roster, home-care and pickup repositories, beside the
organisations and the journal (:mod:`caredomain.testing.store_contract`) and the outbox
(:mod:`caredomain.testing.outbox_contract`).

Run it on your store from a test::

    from caredomain.testing.repository_contract import check_repositories

    def test_my_store_keeps_the_repository_contract():
        check_repositories(lambda: MyStore(...))

``make_store`` gives a new, empty store at each call; each store is closed after use. What
it checks:

* every record a repository is given reads back equal, for its organisation only; a record
  saved again under its id replaces the first;
* slots: appointments are read by need (booked only, counters, a time range, a beneficiary,
  a limit), oldest first; two booked appointments never hold one seat of one slot — the
  second is a ``Conflict``, and the save that met it leaves nothing behind — while another
  seat, counter or time, or a seat given up, is taken freely;
* home care: the punch log keeps its entries in order; a punch id or a caregiver's sequence
  number already held is a ``Conflict``;
* rosters: agents, plannings, posts with their holders, and the GTT records read back;
  a confirmation marks the records of the agents it names only; cleared local edits are
  removed; applied batches are found by source, extraction time and size, and listed the
  most recently applied first, as many as asked (a negative limit is ``InvalidInput``);
* pickups: an inbound message id is remembered once, with the digest it was first given;
* access: configurations and their users read back, each user in her configuration only;
  the audit journal reads back in sequence order, per configuration, its last entry
  included, and an entry number already written is a ``Conflict`` that leaves the unit
  usable;
* a read-only unit refuses every write with ``Forbidden``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from attrs import evolve

from caredomain.access.audit import AuditKind, chained
from caredomain.access.configurations import Configuration, User, UserId
from caredomain.access.ports import access_unit_of_work
from caredomain.errors import CareDomainError, Conflict, Forbidden, InvalidInput
from caredomain.interventions.log_entries import LogEntry
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    InterventionId,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
)
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.pickup.model import Installation, InstallationId
from caredomain.pickup.ports import pickup_unit_of_work
from caredomain.ports import Store
from caredomain.roster.days import AgentDays, LocalEdit, micros
from caredomain.roster.model import Agent, AgentId, Planning, PlanningId, PlanningStatus, Post
from caredomain.roster.ports import AppliedBatch, roster_unit_of_work
from caredomain.slots.appointments import Appointment, AppointmentStatus, Beneficiary, Channel
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.ports import slots_unit_of_work

__all__ = ["check_repositories"]

TOWN = OrganisationId("town")
OTHER = OrganisationId("other")
PARIS = ZoneInfo("Europe/Paris")
MONDAY_9 = datetime(2025, 3, 3, 9, 0, tzinfo=PARIS)
G1, G2 = CounterId("g1"), CounterId("g2")


@contextmanager
def _raises(expected: type[CareDomainError]) -> Iterator[None]:
    try:
        yield
    except expected:
        return
    raise AssertionError(f"expected {expected.__name__}, nothing was raised")


@contextmanager
def _opened(make_store: Callable[[], Store]) -> Iterator[Store]:
    store = make_store()
    try:
        yield store
    finally:
        store.close()


def check_repositories(make_store: Callable[[], Store]) -> None:
    """Every check of this module, each on a new store from ``make_store``."""
    checks = (
        check_slots,
        check_punch_log,
        check_roster,
        check_roster_records,
        check_pickup_and_settings,
        check_access,
    )
    for check in checks:
        with _opened(make_store) as store:
            check(store)


# -- slots ----------------------------------------------------------------------------------


def _appointment(
    number: int,
    start: datetime = MONDAY_9,
    *,
    counter_id: CounterId = G1,
    seat: int = 0,
    status: AppointmentStatus = AppointmentStatus.BOOKED,
    beneficiary: str = "cit-1",
) -> Appointment:
    from caredomain.access import ActorId

    return Appointment(
        id=AppointmentId(f"a-{number}"),
        counter_id=counter_id,
        beneficiary=Beneficiary(beneficiary, "Marie Curie", "", "m@example.org"),
        start=start,
        duration_minutes=20,
        channel=Channel.PORTAL,
        booked_by=ActorId(beneficiary),
        booked_at=datetime(2025, 2, 1, 10, 0, 0, 123456, tzinfo=UTC),
        option="CNI",
        seat=seat,
        status=status,
    )


def _save(store: Store, *appointments: Appointment, organisation: OrganisationId = TOWN) -> None:
    with slots_unit_of_work(store) as uow:
        uow.slots.save_appointments(organisation, appointments)
        uow.commit()


def check_slots(store: Store) -> None:
    tuesday = MONDAY_9 + timedelta(days=1)
    a1, a2, a3, a4, a5 = everything = [
        _appointment(1),
        _appointment(2, counter_id=G2),
        _appointment(3, tuesday, status=AppointmentStatus.CANCELLED),
        _appointment(4, tuesday, beneficiary="cit-2"),
        _appointment(5, MONDAY_9 - timedelta(days=365)),
    ]
    _save(store, *everything)
    _save(store, _appointment(1, beneficiary="elsewhere"), organisation=OTHER)
    with slots_unit_of_work(store, write=False) as uow:
        slots = uow.slots
        assert slots.appointment(TOWN, a1.id) == a1
        assert slots.appointments(TOWN) == [a5, a1, a2, a3, a4]
        assert slots.appointments(TOWN, booked_only=True, start_from=MONDAY_9) == [a1, a2, a4]
        assert slots.appointments(TOWN, counters=[G1], start_from=MONDAY_9) == [a1, a3, a4]
        assert slots.appointments(TOWN, counters=[]) == []
        assert slots.appointments(TOWN, counters={G1}, start_before=tuesday) == [a5, a1]
        assert slots.appointments(TOWN, beneficiary="cit-2") == [a4]
        assert slots.appointments(TOWN, counters=[G1, G2], limit=2) == [a5, a1]
        assert slots.appointments(OTHER)[0].beneficiary.id == "elsewhere"
        with _raises(Forbidden):
            slots.save_appointments(TOWN, [_appointment(9)])
    # The seat of a1 is held: a second holder is refused, and nothing of its save is kept.
    with _raises(Conflict), slots_unit_of_work(store) as uow:
        uow.slots.save_appointments(TOWN, [_appointment(6, seat=1), _appointment(7)])
    _save(store, _appointment(8, seat=1), _appointment(9, counter_id=G2, start=tuesday))
    _save(store, evolve(a1, status=AppointmentStatus.DEPROGRAMMED), _appointment(10))
    with slots_unit_of_work(store, write=False) as uow:
        held = uow.slots.appointments(TOWN, booked_only=True, start_from=MONDAY_9)
    assert sorted(a.id for a in held) == ["a-10", "a-2", "a-4", "a-8", "a-9"]


# -- home care ------------------------------------------------------------------------------


def _punch(ident: str, caregiver: str = "cg-1", minutes: int = 0) -> Punch:
    at = datetime(2026, 3, 2, 7, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return Punch(
        id=PunchId(ident),
        caregiver_id=CaregiverId(caregiver),
        intervention_id=InterventionId("iv-1"),
        kind=PunchKind.CLOCK_IN,
        method=PunchMethod.MANUAL,
        device_time=at,
        received_at=at,
        reason="badge illisible",
        gps=None,
    )


def check_punch_log(store: Store) -> None:
    caregiver = Caregiver(CaregiverId("cg-1"), "Marie Dupont", "mgr", "m@example.org", True)
    entries = [LogEntry(0, _punch("p-1")), LogEntry(1, _punch("p-2", minutes=5))]
    with interventions_unit_of_work(store) as uow:
        uow.interventions.save_caregivers(TOWN, [caregiver])
        uow.interventions.add_log_entries(TOWN, entries)
        uow.commit()
    for again in (LogEntry(2, _punch("p-1")), LogEntry(0, _punch("p-9"))):
        with _raises(Conflict), interventions_unit_of_work(store) as uow:
            uow.interventions.add_log_entries(TOWN, [again])
    with interventions_unit_of_work(store) as uow:  # another organisation has its own log
        uow.interventions.add_log_entries(OTHER, [LogEntry(0, _punch("p-1"))])
        uow.commit()
    with interventions_unit_of_work(store, write=False) as uow:
        assert uow.interventions.caregivers(TOWN) == [caregiver]
        assert uow.interventions.log_entries(TOWN) == entries
        assert uow.interventions.log_entries(TOWN, caregivers=[CaregiverId("cg-2")]) == []
        assert uow.interventions.agencies() == [TOWN]


# -- rosters --------------------------------------------------------------------------------


def check_roster(store: Store) -> None:
    agents = [Agent(AgentId("A2"), "Bea", {"IDE", "REA"}), Agent(AgentId("A1"), "Ada", {"AS"})]
    planning = Planning(PlanningId("cardio"), "Cardiologie", "Mars", PlanningStatus.PUBLISHED)
    post = Post.on("p-1", "cardio", date(2026, 3, 3), "06h45-14h15", zone=PARIS, assigned=["A1"])
    with roster_unit_of_work(store) as uow:
        uow.roster.save_agents(agents)
        uow.roster.save_plannings([planning])
        uow.roster.save_posts([post])
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert uow.roster.agents() == sorted(agents, key=lambda a: a.id)
        assert uow.roster.agent_ids() == {AgentId("A1"), AgentId("A2")}
        assert uow.roster.plannings() == [planning]
        assert uow.roster.posts() == [post]
        assert uow.roster.posts(date(2026, 3, 4)) == []
        assert uow.roster.holders(date(2026, 3, 1), date(2026, 3, 31)) == {AgentId("A1")}
        assert uow.roster.posts_held([(AgentId("A1"), date(2026, 3, 3))]) == [post]
        with _raises(Forbidden):
            uow.roster.save_agents(agents)


def check_roster_records(store: Store) -> None:
    """The GTT records, their confirmations, the local edits and the batches applied."""
    _check_agent_days(store)
    _check_local_edits(store)
    _check_applied_batches(store)


def _check_agent_days(store: Store) -> None:
    extracted = datetime(2026, 3, 1, 18, tzinfo=PARIS)
    first, later = micros(extracted), micros(extracted + timedelta(hours=2))
    ada = AgentDays(
        AgentId("A1"), date(2026, 3, 2).toordinal(), "M  RH", (first, 0, later), 0, b"\x01\xfe"
    )
    bea = AgentDays(AgentId("A2"), date(2026, 3, 3).toordinal(), "CA", (first,))
    with roster_unit_of_work(store) as uow:
        uow.roster.save_agent_days([ada, bea])
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert sorted(uow.roster.agent_days()) == [ada, bea]
        assert uow.roster.agent_days([AgentId("A2")]) == [bea]
        assert uow.roster.agent_days([]) == []
        assert uow.roster.record_digests() == {b"\x01\xfe": "A1"}  # records with a digest
    confirmed_at = extracted + timedelta(days=1)
    changed = ada._replace(codes="M J RH", times=(first, later, later))
    with roster_unit_of_work(store) as uow:
        uow.roster.save_agent_days([changed])  # replaces the record of the same agent
        uow.roster.confirm_agent_days([AgentId("A2")], confirmed_at)
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert sorted(uow.roster.agent_days()) == [
            changed,
            bea._replace(confirmed=micros(confirmed_at)),
        ]
        with _raises(Forbidden):
            uow.roster.save_agent_days([ada])


def _check_local_edits(store: Store) -> None:
    at = datetime(2026, 3, 2, 9, 30, tzinfo=PARIS)
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    ada = LocalEdit(AgentId("A1"), tuesday, "CA", at, "cadre", "M")
    bea = LocalEdit(AgentId("A2"), monday, "RH", at, "cadre")
    cid = LocalEdit(AgentId("A3"), tuesday, "MAL", at, "cadre", "N")
    with roster_unit_of_work(store) as uow:
        uow.roster.save_local_edits([ada, bea, cid])
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert uow.roster.local_edits() == [bea, ada, cid]  # by day, then agent
    again = evolve(ada, code="RTT", edited_at=at + timedelta(hours=1))
    with roster_unit_of_work(store) as uow:
        uow.roster.save_local_edits([again], cleared=[(AgentId("A2"), monday)])
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert uow.roster.local_edits() == [again, cid]
        with _raises(Forbidden):
            uow.roster.save_local_edits([], cleared=[(AgentId("A3"), tuesday)])


def _check_applied_batches(store: Store) -> None:
    extracted = datetime(2026, 3, 1, 18, tzinfo=PARIS)
    applied = datetime(2026, 3, 1, 18, 5, tzinfo=UTC)
    older = AppliedBatch("GTT-1.csv", extracted, 120, applied, "120 rows, 3 changes")
    newer = AppliedBatch(
        "GTT-2.csv", extracted + timedelta(hours=2), 80, applied + timedelta(hours=2), "80 rows"
    )
    with roster_unit_of_work(store) as uow:
        uow.roster.record_batch(older)
        uow.roster.record_batch(newer)
        uow.commit()
    with roster_unit_of_work(store, write=False) as uow:
        assert uow.roster.applied_batch("GTT-1.csv", extracted, 120) == older
        assert uow.roster.applied_batch("GTT-1.csv", extracted, 121) is None
        assert uow.roster.applied_batch("GTT-2.csv", extracted, 120) is None
        assert uow.roster.applied_batches() == [newer, older]
        assert uow.roster.applied_batches(1) == [newer]
        assert uow.roster.applied_batches(0) == []
        with _raises(InvalidInput):
            uow.roster.applied_batches(-1)


# -- pickups and notification settings ------------------------------------------------------


def check_pickup_and_settings(store: Store) -> None:
    installation = Installation(InstallationId("site-1"), "Installation 1")
    with pickup_unit_of_work(store) as uow:
        uow.pickup.save_installation(TOWN, installation)
        assert uow.pickup.remember(TOWN, "inbound-1", "digest-1") is None
        assert uow.pickup.remember(TOWN, "inbound-1", "digest-2") == "digest-1"
        assert uow.pickup.remember(OTHER, "inbound-1", "digest-2") is None
        uow.commit()
    with pickup_unit_of_work(store) as uow:
        assert uow.pickup.remember(TOWN, "inbound-1", "digest-1") == "digest-1"
        assert uow.pickup.remember(OTHER, "inbound-1", "digest-1") == "digest-2"
    with notifications_unit_of_work(store) as uow:
        uow.notifications.save_settings_data(TOWN, {"events": {"created": ["mail"]}})
        uow.notifications.save_settings_data(TOWN, {"events": {"created": ["sms"]}})
        uow.commit()
    with pickup_unit_of_work(store, write=False) as uow:
        assert uow.pickup.installations(TOWN) == [installation]
        assert uow.pickup.installations(OTHER) == []
        assert uow.pickup.open_pickups(TOWN) == []
    with notifications_unit_of_work(store, write=False) as uow:
        assert uow.notifications.settings_data(TOWN) == {"events": {"created": ["sms"]}}
        assert uow.notifications.settings_data(OTHER) is None


# -- access ---------------------------------------------------------------------------------


def check_access(store: Store) -> None:
    metz, nancy = ConfigurationId("metz"), ConfigurationId("nancy")
    at = datetime(2024, 8, 1, 9, tzinfo=UTC)
    first = chained(None, metz, at=at, kind=AuditKind.CONFIGURED, actor="eig")
    second = chained(first, metz, at=at, kind=AuditKind.USER_CREATED, actor="mdupont")
    elsewhere = chained(None, nancy, at=at, kind=AuditKind.CONFIGURED, actor="eig")
    marie = User(UserId("mdupont"), metz, "Marie DUPONT")
    with access_unit_of_work(store) as uow:
        uow.access.save_configuration(Configuration(metz, "Ville de Metz"))
        uow.access.save_configuration(Configuration(nancy, "Ville de Nancy"))
        uow.access.save_user(marie)
        for entry in (first, elsewhere, second):
            uow.access.append_audit(entry)
        with _raises(Conflict):
            uow.access.append_audit(second)
        uow.commit()
    with access_unit_of_work(store, write=False) as uow:
        assert [c.id for c in uow.access.configurations()] == [metz, nancy]
        assert uow.access.users(metz) == [marie]
        assert uow.access.users(nancy) == []
        assert uow.access.audit(metz) == [first, second]
        assert uow.access.audit(nancy) == [elsewhere]
        assert uow.access.last_audit(metz) == second
        assert uow.access.last_audit(ConfigurationId("toul")) is None
