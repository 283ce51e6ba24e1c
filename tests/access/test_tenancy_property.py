"""Tenancy of the access use cases, as a property: an actor of configuration B, whatever its
roles, services and id (the id of A's administrator included), reads and changes nothing of
configuration A through any access use case; an actor of no configuration, nothing at all."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import Actor, ActorId, FixedClock, Organisation, Role
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlassId,
    Quote,
    Window,
    WrittenRequest,
)
from caredomain.access.configurations import User, UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.ports import access_unit_of_work
from caredomain.access.services import (
    AccessSettings,
    accept_breakglass,
    act_in_window,
    add_user,
    audit_journal,
    breakglasses,
    change_administrator_password,
    close_breakglass,
    configure_configuration,
    designate_administrator,
    enter,
    quote_breakglass,
    request_breakglass,
    schedule_breakglass,
    users,
    verify_audit,
)
from caredomain.access.sessions import SessionId
from caredomain.errors import Forbidden
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

A = ConfigurationId("ville-metz")
B = ConfigurationId("ville-nancy")
CONSOLE = Secret("pupitre-2024-secret")
SETTINGS = AccessSettings(hasher=Hasher.cheap())
OPERATOR = Actor(ActorId("op"), {Role.TECHNICIAN}, configuration=None).within(A)
START = datetime(2024, 8, 8, 9, tzinfo=UTC)
CALLS = 16  # every access use case, some in two ways


@pytest.fixture(scope="module")
def context(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServiceContext, BreakGlassId]]:
    path: Path = tmp_path_factory.mktemp("tenancy") / "access.db"
    counter = itertools.count(1)
    clock = FixedClock(datetime(2024, 5, 15, 8, tzinfo=UTC))
    store = SqliteStore(path)
    context = ServiceContext(store=store, clock=clock, new_id=lambda: f"id-{next(counter)}")
    base = Organisation(OrganisationId("metz-ccas"), "CCAS")
    configure_configuration(
        context, OPERATOR, A, name="Metz", bases=[base], console_password=CONSOLE, settings=SETTINGS
    )
    designate_administrator(
        context, OPERATOR, A, UserId("mdupont"), full_name="M", settings=SETTINGS
    )
    record = request_breakglass(context, OPERATOR, A, WrittenRequest("LR", date(2024, 5, 15)))
    try:
        yield context, record.id
    finally:
        store.close()


def _calls(context: ServiceContext, record: BreakGlassId) -> list[Callable[[Actor], object]]:
    user = User(UserId("x"), A, "X")
    return [
        lambda actor: configure_configuration(context, actor, A, name="Eve", settings=SETTINGS),
        lambda actor: designate_administrator(
            context, actor, A, UserId("eve"), full_name="Eve", settings=SETTINGS
        ),
        lambda actor: users(context, actor, A),
        lambda actor: add_user(context, actor, A, user, session=SessionId("id-1")),
        lambda actor: change_administrator_password(
            context, actor, A, current=CONSOLE, new=Secret("eve-eve-eve-eve"), settings=SETTINGS
        ),
        lambda actor: enter(context, actor, A, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS),
        lambda actor: enter(context, actor, A, Mode.CONSOLE, CONSOLE, settings=SETTINGS),
        lambda actor: request_breakglass(context, actor, A, WrittenRequest("X", date(2024, 5, 15))),
        lambda actor: quote_breakglass(context, actor, A, record, Quote("T", "Q", Decimal(1))),
        lambda actor: accept_breakglass(
            context, actor, A, record, Acceptance(date(2024, 5, 15), "E")
        ),
        lambda actor: schedule_breakglass(
            context,
            actor,
            A,
            record,
            Window(START, START + timedelta(hours=1)),
            customer_present="E",
            technician=actor.id,
        ),
        lambda actor: act_in_window(context, actor, A, SessionId("id-1"), "x"),
        lambda actor: close_breakglass(context, actor, A, record, report="x", sent_to="e@x.fr"),
        lambda actor: breakglasses(context, actor, A),
        lambda actor: audit_journal(context, actor, A),
        lambda actor: verify_audit(context, actor, A),
    ]


def _journal_length(context: ServiceContext) -> int:
    with access_unit_of_work(context.store, write=False) as uow:
        return len(uow.access.audit(A))


actors = st.builds(
    Actor,
    id=st.sampled_from(["mdupont", "op", "eve", "tech-luc"]).map(ActorId),
    roles=st.frozensets(st.sampled_from(Role)),
    services=st.frozensets(st.sampled_from(["ccas", "metz-ccas", "etat-civil"])),
    configuration=st.sampled_from([B, None]),
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(actor=actors, which=st.integers(min_value=0, max_value=CALLS - 1))
def test_no_actor_of_another_configuration_reaches_anything(
    context: tuple[ServiceContext, BreakGlassId], actor: Actor, which: int
) -> None:
    service, record = context
    calls = _calls(service, record)
    assert len(calls) == CALLS
    before = _journal_length(service)
    call = calls[which]
    with pytest.raises(Forbidden):
        call(actor)
    assert _journal_length(service) == before
