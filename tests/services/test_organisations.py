"""Use cases about the organisation, on a real (in-memory) SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from itertools import count

import pytest

from caredomain import (
    Actor,
    ActorId,
    Closure,
    Event,
    Everywhere,
    FixedClock,
    Forbidden,
    NotFound,
    OpeningCalendar,
    Organisation,
    OrganisationConfigured,
    OrganisationId,
    PublicHolidays,
    Role,
)
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext, configure_organisation, opening_calendar

ADMIN = Actor.administrator(configuration=ConfigurationId("town"))
CITIZEN = Actor(ActorId("c1"), {Role.CITIZEN}, configuration=ConfigurationId("town"))
# 23:30 UTC on 31 December is already 1 January in Paris.
NEW_YEAR_EVE = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def published() -> list[Event]:
    return []


@pytest.fixture
def context(published: list[Event]) -> Iterator[ServiceContext]:
    store = load_plugins({}).open_store("sqlite:///:memory:")
    ids = count(1)
    yield ServiceContext(
        store=store,
        clock=FixedClock(NEW_YEAR_EVE),
        new_id=lambda: f"evt-{next(ids)}",
        publish=published.append,
    )
    store.close()


def _town(**calendar: object) -> Organisation:
    return Organisation(
        OrganisationId("town"),
        "Mairie",
        calendar=OpeningCalendar(holidays=PublicHolidays("FR", "57"), **calendar),  # type: ignore[arg-type]
    )


def test_configure_then_replace_journals_and_publishes_each_event(
    context: ServiceContext, published: list[Event]
) -> None:
    first = configure_organisation(context, ADMIN, _town())
    closure = Closure.on(date(2027, 1, 4), "Inventaire")
    second = configure_organisation(context, ADMIN, _town(closures=[closure]))
    assert published == [first, second]
    assert isinstance(first, OrganisationConfigured)
    assert first.occurred_at == NEW_YEAR_EVE
    with context.store.unit_of_work(write=False) as uow:
        assert uow.organisations.get(OrganisationId("town")).calendar.closures == (closure,)
        assert [event for _, event in uow.events.since(0)] == [first, second]


def test_a_citizen_may_not_configure(context: ServiceContext, published: list[Event]) -> None:
    with pytest.raises(Forbidden):
        configure_organisation(context, CITIZEN, _town())
    assert published == []
    with context.store.unit_of_work(write=False) as uow:
        assert uow.organisations.ids() == []


def test_the_calendar_starts_on_the_organisations_local_today(context: ServiceContext) -> None:
    configure_organisation(context, ADMIN, _town())
    days = opening_calendar(context, CITIZEN, OrganisationId("town"), days=3)
    assert [status.day for status in days] == [date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)]
    assert [str(reason) for reason in days[0].reasons] == ["public holiday: Jour de l'an"]


def test_an_unknown_organisation_is_not_found_by_the_operator_and_refused_to_a_tenant(
    context: ServiceContext,
) -> None:
    # To an actor of a configuration, a base that is not hers is refused whether or not it
    # exists: she never learns what other configurations hold (seed 002).
    with pytest.raises(Forbidden, match="not of admin's configuration"):
        opening_calendar(context, ADMIN, OrganisationId("nowhere"))
    operator = Actor.administrator(configuration=Everywhere("the store's operator"))
    with pytest.raises(NotFound):
        opening_calendar(context, operator, OrganisationId("nowhere"))
