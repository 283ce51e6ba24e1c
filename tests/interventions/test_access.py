"""Access to the home-care use cases (issue 16): an outsider is refused before anything is
looked up — the agencies the alarm clock would tick, the day a reconciliation names."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from caredomain import Actor, FixedClock, Forbidden, InvalidInput
from caredomain.access import ActorId, Role
from caredomain.interventions import services as care
from caredomain.interventions.agency import load_agency
from caredomain.notifications import Notifier
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

SAMPLE = Path(__file__).parents[2] / "src" / "caredomain" / "data" / "sample_agency.toml"
DAY = date(2026, 3, 2)
ADMIN = Actor.administrator("office", configuration=ConfigurationId("sarreguemines"))
CAREGIVER = Actor(ActorId("cg-marie"), {Role.AGENT}, configuration=ConfigurationId("sarreguemines"))
OUTSIDERS: list[Any] = [
    None,
    Actor(ActorId("visitor"), set(), configuration=ConfigurationId("sarreguemines")),
]


@pytest.fixture
def context(tmp_path: Path) -> Iterator[ServiceContext]:
    agency = load_agency(SAMPLE.read_text("utf-8"), source=SAMPLE.name)
    clock = FixedClock(datetime.combine(DAY, time(7), tzinfo=agency.organisation.zone))
    counter = itertools.count()
    with SqliteStore(tmp_path / "care.db") as store:
        context = ServiceContext(
            store=store, clock=clock, new_id=lambda: f"id-{next(counter)}", notifier=Notifier()
        )
        care.set_up_agency(context, ADMIN, agency)
        yield context


def dump(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_the_alarm_clock_refuses_an_outsider_before_listing_the_agencies(
    context: ServiceContext, tmp_path: Path, outsider: Any
) -> None:
    before = dump(tmp_path / "care.db")
    with pytest.raises(Forbidden):
        care.tick_alarms(context, actor=outsider)
    with pytest.raises(Forbidden):
        care.tick_alarms(context, OrganisationId("no-such-agency"), actor=outsider)
    assert dump(tmp_path / "care.db") == before


@pytest.mark.parametrize("outsider", [*OUTSIDERS, CAREGIVER])
def test_a_reconciliation_refuses_before_it_checks_its_arguments(
    context: ServiceContext, outsider: Any
) -> None:
    with pytest.raises(Forbidden):
        care.reconcile_visits(context, outsider, OrganisationId("no-such-agency"))
    with pytest.raises(Forbidden):
        care.reconcile_visits(context, outsider, OrganisationId("ccas-sarreguemines"))
    with pytest.raises(InvalidInput):
        care.reconcile_visits(context, ADMIN, OrganisationId("ccas-sarreguemines"))
