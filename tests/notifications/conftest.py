"""A town hall on a SQLite store whose service context queues notifications.

"Pièces d'identité": twenty-minute slots at the Hôtel de ville, Monday to Friday
08h30-12h00 and 13h30-17h00. The clock stands at Monday 2 February 2026, 08:00 in Paris.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from attrs import frozen

from caredomain import (
    Actor,
    ActorId,
    FixedClock,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.notifications import Notifier
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import (
    AppointmentType,
    Beneficiary,
    Counter,
    CounterId,
    Place,
    PlaceId,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
)
from caredomain.slots.services import configure_slots
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 2, 2, 8, 0, tzinfo=PARIS)
ID_CARD = TypeId("id-card")
COUNTER = CounterId("g1")
TUESDAY_1430 = datetime(2026, 2, 3, 14, 30, tzinfo=PARIS)


@frozen
class Town:
    context: ServiceContext
    clock: FixedClock
    store: SqliteStore
    organisation: Organisation
    admin: Actor
    agent: Actor
    citizen: Actor
    marie: Beneficiary
    counter: CounterId = COUNTER
    type_id: TypeId = ID_CARD
    tuesday_1430: datetime = TUESDAY_1430


def town_settings() -> SlotSettings:
    kind = AppointmentType(
        ID_CARD, "Pièces d'identité", 20, "2m", "60m", services={"état civil"}, on_portal=True
    )
    week = ReferenceWeek.parse(
        "standard",
        dict.fromkeys(
            ("lundi", "mardi", "mercredi", "jeudi", "vendredi"), "08h30-12h00\n13h30-17h00"
        ),
    )
    hall = Place(PlaceId("hall"), "Hôtel de ville", "1 place de la Mairie", on_portal=True)
    counter = Counter(COUNTER, "Guichet 1", ID_CARD, hall.id)
    application = WeekApplication(
        COUNTER, WeekName("standard"), date(2026, 1, 1), date(2026, 12, 31)
    )
    return SlotSettings((kind,), (hall,), (counter,), (week,), (application,))


@pytest.fixture
def new_id() -> Callable[[], str]:
    numbers: Iterator[int] = count(1)
    return lambda: f"id-{next(numbers):04d}"


def make_town(
    path: Path, new_id: Callable[[], str], notifier: Notifier | None = None, zone: ZoneInfo = PARIS
) -> Town:
    clock = FixedClock(NOW)
    store = SqliteStore(path)
    context = ServiceContext(
        store=store, clock=clock, new_id=new_id, notifier=notifier or Notifier()
    )
    organisation = Organisation(
        OrganisationId("sainte-anne"), "Mairie de Sainte-Anne", zone, OpeningCalendar(WORKING_WEEK)
    )
    admin = Actor.administrator(configuration=ConfigurationId("sainte-anne"))
    configure_organisation(context, admin, organisation)
    configure_slots(context, admin, organisation.id, town_settings())
    return Town(
        context=context,
        clock=clock,
        store=store,
        organisation=organisation,
        admin=admin,
        agent=Actor(
            ActorId("agent-1"),
            {Role.AGENT},
            {"état civil"},
            name="Agnès Agent",
            configuration=ConfigurationId("sainte-anne"),
        ),
        citizen=Actor(
            ActorId("cit-1"),
            {Role.CITIZEN},
            name="Marie Curie",
            configuration=ConfigurationId("sainte-anne"),
        ),
        marie=Beneficiary(
            "cit-1", "Marie Curie", email="marie@example.org", phone="06 12 34 56 78"
        ),
    )


@pytest.fixture
def town(tmp_path: Path, new_id: Callable[[], str]) -> Iterator[Town]:
    made = make_town(tmp_path / "care.db", new_id)
    yield made
    made.store.close()


@pytest.fixture
def town_with() -> Callable[..., Town]:
    """``town_with(path, new_id, notifier=…, zone=…)``: a town of one's own."""
    return make_town
