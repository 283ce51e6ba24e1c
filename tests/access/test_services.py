"""The access use cases on a real SQLite file: the seed's story, from a configuration with
two bases through the transition to a break-glass intervention, and the audit journal that
records it."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from caredomain import Actor, ActorId, FixedClock, Organisation, Role
from caredomain.access import Everywhere
from caredomain.access.audit import AuditHead, AuditKind, Problem
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlassId,
    Quote,
    State,
    Window,
    WrittenRequest,
)
from caredomain.access.configurations import User, UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.services import (
    AccessSettings,
    accept_breakglass,
    act_in_window,
    add_user,
    audit_journal,
    breakglasses,
    change_administrator_password,
    close_breakglass,
    configurations_overview,
    configure_configuration,
    designate_administrator,
    enter,
    quote_breakglass,
    request_breakglass,
    schedule_breakglass,
    users,
    verify_audit,
)
from caredomain.access.sessions import MAX_FAILURES, Via
from caredomain.errors import Conflict, Forbidden, NotFound, RuleViolation
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

CID = ConfigurationId("ville-metz")
OTHER = ConfigurationId("ville-nancy")
CONSOLE = Secret("pupitre-2024-secret")
OWN = Secret("administratrice-2024")
SETTINGS = AccessSettings(hasher=Hasher.cheap())
TECHNICIAN = Actor(ActorId("tech-luc"), {Role.TECHNICIAN}, name="Luc", configuration=CID)
VENDOR = Actor(
    ActorId("eig-operator"),
    {Role.TECHNICIAN},
    configuration=Everywhere("the vendor's operator provisions every customer's configuration"),
)
ADMIN_ID = UserId("mdupont")
ADMINISTRATOR = Actor(ActorId(ADMIN_ID), {Role.ADMINISTRATOR}, configuration=CID)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(_at(date(2024, 3, 15)))


@pytest.fixture
def context(tmp_path: Path, clock: FixedClock) -> Iterator[ServiceContext]:
    counter = itertools.count(1)
    store = SqliteStore(tmp_path / "access.db")
    try:
        yield ServiceContext(store=store, clock=clock, new_id=lambda: f"id-{next(counter)}")
    finally:
        store.close()


def _configured(context: ServiceContext) -> None:
    configure_configuration(
        context,
        VENDOR,
        CID,
        name="Ville de Metz",
        bases=[
            Organisation(OrganisationId("metz-etat-civil"), "État civil"),
            Organisation(OrganisationId("metz-ccas"), "CCAS"),
        ],
        console_password=CONSOLE,
        settings=SETTINGS,
    )
    configure_configuration(context, VENDOR, OTHER, name="Ville de Nancy", settings=SETTINGS)
    designate_administrator(
        context, TECHNICIAN, CID, ADMIN_ID, full_name="MDU (Marie DUPONT)", settings=SETTINGS
    )


def test_a_configuration_with_two_bases_and_one_administrator(context: ServiceContext) -> None:
    _configured(context)
    views = {v.configuration.id: v for v in configurations_overview(context, VENDOR)}
    metz = views[CID]
    assert metz.bases == ["metz-ccas", "metz-etat-civil"]
    assert metz.administrator_name == "Marie DUPONT"
    assert not metz.missing_administrator
    assert [v.configuration.id for v in configurations_overview(context, TECHNICIAN)] == [CID]
    with context.store.unit_of_work(write=False) as uow:
        assert uow.organisations.get(OrganisationId("metz-ccas")).configuration == CID


def test_past_the_mandatory_date_a_configuration_without_administrator_is_reported(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    assert not any(v.missing_administrator for v in configurations_overview(context, VENDOR))
    clock.set(_at(date(2024, 7, 1)))
    missing = [
        v.configuration.id
        for v in configurations_overview(context, VENDOR)
        if v.missing_administrator
    ]
    assert missing == [OTHER]


def test_designation_is_possible_from_december_2023(
    context: ServiceContext, clock: FixedClock
) -> None:
    clock.set(_at(date(2023, 11, 30)))
    configure_configuration(context, VENDOR, CID, name="Ville de Metz", settings=SETTINGS)
    with pytest.raises(RuleViolation) as caught:
        designate_administrator(
            context, VENDOR, CID, ADMIN_ID, full_name="Marie DUPONT", settings=SETTINGS
        )
    assert caught.value.code == "access.designation_not_yet"


def test_a_base_of_another_configuration_is_not_moved(context: ServiceContext) -> None:
    _configured(context)
    with pytest.raises(Conflict, match="metz-ccas is a base of configuration ville-metz"):
        configure_configuration(
            context,
            VENDOR,
            OTHER,
            name="Nancy",
            bases=[Organisation(OrganisationId("metz-ccas"), "CCAS")],
            settings=SETTINGS,
        )


def test_the_seed_console_password_opens_administrator_mode_in_may_not_in_august(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 5, 15)))
    session = enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    assert session.via is Via.CONSOLE_PASSWORD
    assert session.expires_at - session.opened_at == timedelta(minutes=30)
    clock.set(_at(date(2024, 8, 1)))
    with pytest.raises(Forbidden, match="only the administrator's own password"):
        enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    kinds = [e.kind for e in audit_journal(context, ADMINISTRATOR, CID)]
    assert kinds[-2:] == [AuditKind.MODE_ENTERED, AuditKind.ATTEMPT_REFUSED]


def test_the_administrator_sets_her_password_then_only_it_opens_the_mode(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 5, 15)))
    change_administrator_password(
        context, ADMINISTRATOR, CID, current=CONSOLE, new=OWN, settings=SETTINGS
    )
    with pytest.raises(Forbidden, match="wrong current administrator password"):
        change_administrator_password(
            context,
            ADMINISTRATOR,
            CID,
            current=CONSOLE,
            new=Secret("another-password-1"),
            settings=SETTINGS,
        )
    clock.set(_at(date(2024, 8, 1)))
    session = enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, OWN, settings=SETTINGS)
    assert session.via is Via.ADMINISTRATOR_PASSWORD
    # A technician knows the console password only: after the transition it opens nothing.
    with pytest.raises(Forbidden):
        enter(context, TECHNICIAN, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    kinds = [e.kind for e in audit_journal(context, ADMINISTRATOR, CID)]
    assert AuditKind.PASSWORD_SET in kinds


def test_the_administrator_creates_users_in_her_session_only(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 5, 15)))
    session = enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    user = User(UserId("jfk"), CID, "JFK (Jean-François KERSERHO)", {Role.MANAGER})
    add_user(context, ADMINISTRATOR, CID, user, session=session.id)
    assert [u.full_name for u in users(context, ADMINISTRATOR, CID)] == [
        "Jean-François KERSERHO",
        "Marie DUPONT",
    ]
    with pytest.raises(Conflict):
        add_user(context, ADMINISTRATOR, CID, user, session=session.id)
    clock.advance(timedelta(minutes=31))
    later = User(UserId("ana"), CID, "Ana LIMA")
    with pytest.raises(Forbidden, match="ended"):
        add_user(context, ADMINISTRATOR, CID, later, session=session.id)
    # The technician is no administrator of the configuration: she creates no user.
    with pytest.raises(Forbidden):
        add_user(context, TECHNICIAN, CID, later, session=session.id)


def test_an_actor_of_another_configuration_reaches_nothing(context: ServiceContext) -> None:
    _configured(context)
    nancy = Actor(ActorId(ADMIN_ID), {Role.ADMINISTRATOR, Role.TECHNICIAN}, configuration=OTHER)
    for call in (
        lambda: users(context, nancy, CID),
        lambda: audit_journal(context, nancy, CID),
        lambda: enter(context, nancy, CID, Mode.CONSOLE, CONSOLE, settings=SETTINGS),
        lambda: designate_administrator(
            context, nancy, CID, UserId("x"), full_name="X", settings=SETTINGS
        ),
        lambda: request_breakglass(context, nancy, CID, WrittenRequest("R-1", date(2024, 8, 1))),
    ):
        with pytest.raises(Forbidden, match="not of"):
            call()
    # Nor does it learn whether a configuration exists.
    with pytest.raises(Forbidden):
        users(context, nancy, ConfigurationId("no-such-configuration"))
    unscoped = Actor(ActorId("x"), {Role.TECHNICIAN})
    with pytest.raises(Forbidden, match="no configuration"):
        configurations_overview(context, unscoped)


def test_wrong_passwords_lock_the_mode_and_each_attempt_is_journaled(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 5, 15)))
    for _ in range(MAX_FAILURES):
        with pytest.raises(Forbidden, match="wrong password"):
            enter(
                context,
                ADMINISTRATOR,
                CID,
                Mode.ADMINISTRATOR,
                Secret("guess-guess-guess"),
                settings=SETTINGS,
            )
    with pytest.raises(Forbidden, match="locked until"):
        enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    clock.advance(timedelta(minutes=15))
    enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    entries = audit_journal(context, ADMINISTRATOR, CID)
    refused = [e for e in entries if e.kind is AuditKind.ATTEMPT_REFUSED]
    assert [e.detail("code") for e in refused] == ["access.wrong_password"] * 5 + ["access.locked"]
    text = repr(entries)
    assert CONSOLE.reveal() not in text
    assert "argon2" not in text


def _scheduled(context: ServiceContext, start: datetime) -> BreakGlassId:
    record = request_breakglass(
        context, TECHNICIAN, CID, WrittenRequest("LR-2024-081", date(2024, 8, 2))
    )
    quote_breakglass(
        context, TECHNICIAN, CID, record.id, Quote("SP-4471", "DEV-2024-190", Decimal("450.00"))
    )
    accept_breakglass(
        context, TECHNICIAN, CID, record.id, Acceptance(date(2024, 8, 5), "Marie DUPONT")
    )
    schedule_breakglass(
        context,
        TECHNICIAN,
        CID,
        record.id,
        Window(start, start + timedelta(hours=2)),
        customer_present="Marie DUPONT",
        technician=TECHNICIAN.id,
    )
    return record.id


def test_a_break_glass_intervention_opens_the_console_in_its_window_only(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 8, 1)))
    with pytest.raises(Forbidden, match="only through a break-glass intervention"):
        enter(context, TECHNICIAN, CID, Mode.CONSOLE, CONSOLE, settings=SETTINGS)
    record = request_breakglass(context, TECHNICIAN, CID, WrittenRequest("LR-1", date(2024, 8, 1)))
    with pytest.raises(Forbidden, match="lacks a paid ticket with its quote"):
        enter(context, TECHNICIAN, CID, Mode.CONSOLE, CONSOLE, window=record.id, settings=SETTINGS)
    start = _at(date(2024, 8, 8), 9)
    held = _scheduled(context, start)
    with pytest.raises(Forbidden, match="from 2024-08-08T09:00:00"):
        enter(context, TECHNICIAN, CID, Mode.CONSOLE, CONSOLE, window=held, settings=SETTINGS)
    clock.set(start + timedelta(hours=1, minutes=45))
    session = enter(context, TECHNICIAN, CID, Mode.CONSOLE, CONSOLE, window=held, settings=SETTINGS)
    assert session.expires_at == start + timedelta(hours=2)
    act_in_window(context, TECHNICIAN, CID, session.id, "rights of the CCAS users repaired")
    clock.set(start + timedelta(hours=2))
    with pytest.raises(Forbidden):
        act_in_window(context, TECHNICIAN, CID, session.id, "one more")
    closed = close_breakglass(
        context, TECHNICIAN, CID, held, report="Rights repaired.", sent_to="mdupont@metz.fr"
    )
    assert closed.state is State.CLOSED
    assert closed.actions == 1
    assert closed.report is not None
    assert closed.report.sent_to == "mdupont@metz.fr"
    assert [r.state for r in breakglasses(context, ADMINISTRATOR, CID)] == [
        State.REQUESTED,
        State.CLOSED,
    ]
    kinds = [e.kind for e in audit_journal(context, ADMINISTRATOR, CID)]
    assert kinds.count(AuditKind.WINDOW_OPENED) == 1
    assert kinds.count(AuditKind.WINDOW_ACTION) == 1
    assert kinds[-1] is AuditKind.WINDOW_CLOSED


def test_another_technician_is_refused_the_window(
    context: ServiceContext, clock: FixedClock
) -> None:
    _configured(context)
    start = _at(date(2024, 8, 8), 9)
    clock.set(_at(date(2024, 8, 2)))
    held = _scheduled(context, start)
    clock.set(start)
    other = Actor(ActorId("tech-zoe"), {Role.TECHNICIAN}, configuration=CID)
    with pytest.raises(Forbidden, match="tech-luc's"):
        enter(context, other, CID, Mode.CONSOLE, CONSOLE, window=held, settings=SETTINGS)


def test_the_stored_journal_verifies_refuses_changes_and_detects_them(
    context: ServiceContext, clock: FixedClock, tmp_path: Path
) -> None:
    _configured(context)
    clock.set(_at(date(2024, 5, 15)))
    enter(context, ADMINISTRATOR, CID, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    checked = verify_audit(context, ADMINISTRATOR, CID)
    assert checked.ok
    assert checked.count == 3
    head = checked.head
    assert head is not None
    with sqlite3.connect(tmp_path / "access.db") as raw:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("UPDATE access_audit SET document = '{}'")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute("DELETE FROM access_audit")
        # Someone holding the file itself drops the triggers, cuts the last entry off...
        raw.execute("DROP TRIGGER access_audit_no_delete")
        raw.execute("DELETE FROM access_audit WHERE configuration = ? AND sequence = 3", (CID,))
    assert verify_audit(context, ADMINISTRATOR, CID).ok  # a chain alone cannot tell
    cut = verify_audit(context, ADMINISTRATOR, CID, head=AuditHead.parse(str(head)))
    assert (cut.problem, cut.sequence) == (Problem.REMOVED, 3)
    with sqlite3.connect(tmp_path / "access.db") as raw:
        # ... and edits an entry.
        raw.execute("DROP TRIGGER access_audit_no_update")
        raw.execute(
            "UPDATE access_audit SET document = replace(document, 'Marie DUPONT', 'Eve') "
            "WHERE configuration = ? AND sequence = 2",
            (CID,),
        )
    edited = verify_audit(context, ADMINISTRATOR, CID)
    assert (edited.problem, edited.sequence) == (Problem.EDITED, 2)


def test_unknown_things_are_not_found(context: ServiceContext) -> None:
    _configured(context)
    with pytest.raises(NotFound):
        enter(
            context,
            TECHNICIAN,
            CID,
            Mode.CONSOLE,
            CONSOLE,
            window=BreakGlassId("nope"),
            settings=SETTINGS,
        )
