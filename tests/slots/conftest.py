"""A sample town hall for the slot tests: the seed's "Pièces d'identité" appointments.

Twenty-minute slots, a ``2m`` window, a ``60m`` notice, options CNI and passeport; the
town hall's counter opens Monday to Friday with Saturday mornings. Planned as of Monday
3 March 2025, 08:00 in Paris.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from caredomain import (
    Actor,
    ActorId,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
    Weekday,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.organisation import ConfigurationId
from caredomain.slots import (
    Agenda,
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

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")


@pytest.fixture
def new_id() -> Callable[[], str]:
    numbers: Iterator[int] = count(1)
    return lambda: f"id-{next(numbers):04d}"


@pytest.fixture
def town_hall() -> Organisation:
    """Open Monday to Saturday; public holidays closed, as by default."""
    calendar = OpeningCalendar(WORKING_WEEK | {Weekday.SATURDAY})
    return Organisation(OrganisationId("sainte-anne"), "Mairie de Sainte-Anne", PARIS, calendar)


@pytest.fixture
def id_card() -> AppointmentType:
    return AppointmentType(
        TypeId("id-card"),
        "Pièces d'identité",
        20,
        "2m",
        "60m",
        detail="Carte nationale d'identité et passeport",
        services={"état civil"},
        options=("CNI", "passeport"),
        on_portal=True,
    )


@pytest.fixture
def standard_week() -> ReferenceWeek:
    texts = dict.fromkeys(WEEKDAYS, "08h30-12h00\n13h30-17h00")
    return ReferenceWeek.parse("standard", {**texts, "samedi": "09h00-12h00"})


@pytest.fixture
def town_settings(id_card: AppointmentType, standard_week: ReferenceWeek) -> SlotSettings:
    hall = Place(PlaceId("hall"), "Hôtel de ville", "1 place de la Mairie", on_portal=True)
    annex = Place(PlaceId("annex"), "Mairie annexe", "12 rue des Lilas")
    counters = (
        Counter(CounterId("g1"), "Guichet 1", id_card.id, hall.id),
        Counter(CounterId("g2"), "Guichet annexe", id_card.id, annex.id, options=("CNI",)),
    )
    applications = tuple(
        WeekApplication(c.id, WeekName("standard"), date(2025, 1, 1), date(2026, 12, 31))
        for c in counters
    )
    return SlotSettings((id_card,), (hall, annex), counters, (standard_week,), applications)


@pytest.fixture
def agenda(
    town_hall: Organisation, town_settings: SlotSettings, new_id: Callable[[], str]
) -> Agenda:
    agenda = Agenda(town_hall, town_settings)
    agenda.refresh(NOW, new_id=new_id)
    return agenda


@pytest.fixture
def admin() -> Actor:
    return Actor.administrator(configuration=ConfigurationId("sainte-anne"))


@pytest.fixture
def agent() -> Actor:
    return Actor(
        ActorId("agent-1"),
        {Role.AGENT},
        {"état civil"},
        name="Agnès Agent",
        configuration=ConfigurationId("sainte-anne"),
    )


@pytest.fixture
def citizen() -> Actor:
    return Actor(
        ActorId("cit-1"),
        {Role.CITIZEN},
        name="Marie Curie",
        configuration=ConfigurationId("sainte-anne"),
    )


@pytest.fixture
def marie() -> Beneficiary:
    return Beneficiary("cit-1", "Marie Curie", email="marie@example.org", phone="+33612345678")
