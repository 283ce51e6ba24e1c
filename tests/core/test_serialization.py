"""The one converter: every model round-trips, TOML loads, and errors name their path."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import frozen
from hypothesis import given
from hypothesis import strategies as st

from caredomain.access import Actor, Role
from caredomain.calendar import Closure, OpeningCalendar, PublicHolidays
from caredomain.durations import MinimumNotice, OpeningWindow
from caredomain.errors import InvalidInput
from caredomain.events import Event, OrganisationConfigured
from caredomain.hours import ReferenceWeek, TimeRange, Weekday
from caredomain.organisation import ConfigurationId, Organisation
from caredomain.serialization import load_toml, structure, unstructure
from caredomain.testing import strategies as cds

MODELS = [
    pytest.param(cds.time_ranges(), TimeRange, id="TimeRange"),
    pytest.param(cds.reference_weeks(), ReferenceWeek, id="ReferenceWeek"),
    pytest.param(cds.opening_windows(), OpeningWindow, id="OpeningWindow"),
    pytest.param(cds.minimum_notices(), MinimumNotice, id="MinimumNotice"),
    pytest.param(cds.closures(), Closure, id="Closure"),
    pytest.param(cds.public_holidays(), PublicHolidays, id="PublicHolidays"),
    pytest.param(cds.opening_calendars(), OpeningCalendar, id="OpeningCalendar"),
    pytest.param(cds.organisations(), Organisation, id="Organisation"),
    pytest.param(cds.actors(), Actor, id="Actor"),
]


@pytest.mark.parametrize(("strategy", "cls"), MODELS)
@given(data=st.data())
def test_every_model_round_trips(
    strategy: st.SearchStrategy[Any], cls: type[Any], data: st.DataObject
) -> None:
    value = data.draw(strategy, label="value")
    plain = unstructure(value)
    assert structure(plain, cls) == value
    # Plain data is what JSON holds: a store can write it as text and read it back.
    assert structure(json.loads(json.dumps(plain)), cls) == value


@given(cds.organisation_configured_events(occurred_at=cds.aware_datetimes(timezones=st.just(UTC))))
def test_events_round_trip_through_event(event: OrganisationConfigured) -> None:
    plain = unstructure(event)
    assert plain["kind"] == "OrganisationConfigured"
    assert structure(json.loads(json.dumps(plain)), Event) == event


@pytest.mark.parametrize(
    "moment",
    [
        pytest.param(datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Paris")), id="fold0"),
        pytest.param(
            datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")), id="fold1"
        ),
        pytest.param(datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/Toronto")), id="qc"),
    ],
)
def test_events_at_a_dst_change_round_trip(moment: datetime) -> None:
    event = OrganisationConfigured(
        event_id="e1", occurred_at=moment, organisation_id="o1", name="Mairie"
    )
    assert structure(unstructure(event), Event) == event


@pytest.mark.parametrize("data", [{"kind": "Nope"}, {"kind": "Event"}, {"event_id": "e"}, "x"])
def test_an_event_without_a_known_kind_is_refused(data: object) -> None:
    with pytest.raises(InvalidInput, match="kind"):
        structure(data, Event)


def test_the_seed_notations_stay_text() -> None:
    assert unstructure(TimeRange.parse("08h30-12h00")) == "08h30-12h00"
    assert unstructure(OpeningWindow.parse("2m")) == "2m"
    assert unstructure(MinimumNotice.parse("60m")) == "60m"
    assert structure("2m", OpeningWindow).last_day(date(2026, 11, 22)) == date(2027, 1, 22)
    assert structure("60m", MinimumNotice) == MinimumNotice.parse("60m")
    week = ReferenceWeek.parse("Standard", {"lundi": "08h30-12h00\n13h30-17h00"})
    assert unstructure(week) == {
        "name": "Standard",
        "hours": {"monday": "08h30-12h00\n13h30-17h00"},
    }
    assert unstructure(Actor.administrator(configuration=ConfigurationId("metz"))) == {
        "id": "admin",
        "roles": ["administrator"],
        "services": [],
        "name": "",
        "configuration": "metz",
    }


SAMPLE = """\
id = "mairie-metz"
name = "Mairie de Metz"
zone = "Europe/Paris"

[calendar]
open_weekdays = ["lundi", "mardi", "wednesday", "thursday", "friday", "saturday"]

[calendar.holidays]
country = "FR"
subdivision = "57"
disabled = ["Lundi de Pentecôte"]

[[calendar.closures]]
first = 2026-08-10
last = 2026-08-14
label = "Fermeture estivale"

[[calendar.closures]]
first = 2026-12-24
last = 2026-12-24
"""


def load(text: str) -> Organisation:
    return load_toml(text, Organisation, source="metz.toml")


def error_of(text: str, cls: type[Any] = Organisation) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load_toml(text, cls, source="metz.toml")
    assert caught.value.source == "metz.toml"
    return caught.value


def test_a_sample_organisation_loads_from_toml() -> None:
    organisation = load(SAMPLE)
    assert organisation.id == "mairie-metz"
    assert organisation.zone == ZoneInfo("Europe/Paris")
    calendar = organisation.calendar
    assert calendar.open_weekdays == frozenset(Weekday) - {Weekday.SUNDAY}
    assert calendar.holidays == PublicHolidays("FR", "57", {"Lundi de Pentecôte"})
    assert calendar.closures == (
        Closure(date(2026, 8, 10), date(2026, 8, 14), "Fermeture estivale"),
        Closure.on(date(2026, 12, 24)),
    )
    assert calendar.is_open(date(2026, 5, 25))  # Lundi de Pentecôte unticked
    assert not calendar.is_open(date(2026, 12, 26))  # Saint-Étienne in Moselle
    assert structure(unstructure(organisation), Organisation) == organisation


def test_the_smallest_organisation_takes_the_defaults() -> None:
    organisation = load('id = "o"\nname = "Crèche"\n')
    assert organisation.zone == ZoneInfo("Europe/Paris")
    assert organisation.calendar == OpeningCalendar()
    assert organisation.locale == "fr_FR"


def test_a_bad_closure_in_a_list_names_its_path() -> None:
    error = error_of(SAMPLE.replace("last = 2026-12-24", "last = 2026-12-20"))
    assert error.field == "calendar.closures[1].last"
    assert error.text == "2026-12-20"
    assert str(error).startswith("metz.toml: calendar.closures[1].last: ")


def test_an_unknown_key_is_reported_where_it_is() -> None:
    error = error_of(SAMPLE.replace('label = "Fermeture estivale"', 'colour = "red"'))
    assert error.field == "calendar.closures[0]"
    assert "colour" in error.message
    top = error_of('colour = "red"\n' + SAMPLE)
    assert top.field is None
    assert "colour" in top.message


def test_a_missing_name_is_reported_with_its_path() -> None:
    error = error_of(SAMPLE.replace('name = "Mairie de Metz"\n', ""))
    assert error.field == "name"
    assert "missing" in error.message
    nested = error_of(SAMPLE.replace("first = 2026-08-10\n", ""))
    assert nested.field == "calendar.closures[0].first"


def test_every_problem_is_listed_and_the_first_is_the_field() -> None:
    text = SAMPLE.replace('name = "Mairie de Metz"\n', "").replace(
        "last = 2026-12-24", "last = 2026-12-20"
    )
    error = error_of(text)
    assert error.field == "name"
    assert "calendar.closures[1].last" in error.message


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('zone = "Europe/Paris"', 'zone = "Europe/Metz"', "zone"),
        ('"saturday"', '"sabbath"', "calendar.open_weekdays[5]"),
        ('"Lundi de Pentecôte"', '"Pentecost"', "calendar.holidays.disabled"),
        ("first = 2026-08-10", "first = 2026-08-10T10:00:00", "calendar.closures[0].first"),
        ("first = 2026-08-10", 'first = "10/08/2026"', "calendar.closures[0].first"),
        ('name = "Mairie de Metz"', 'name = "  "', "name"),
    ],
)
def test_bad_values_name_their_path(old: str, new: str, field: str) -> None:
    assert old in SAMPLE
    error = error_of(SAMPLE.replace(old, new))
    assert error.field == field


def test_an_unknown_subdivision_names_its_path() -> None:
    error = error_of(SAMPLE.replace('subdivision = "57"', 'subdivision = "99"'))
    assert error.field == "calendar.holidays.subdivision"


def test_a_toml_syntax_error_gives_its_line() -> None:
    error = error_of(SAMPLE.replace('name = "Mairie de Metz"', 'name = "Mairie de Metz'))
    assert error.line == 2
    assert str(error).startswith("metz.toml:2: not valid TOML")


@pytest.mark.parametrize("naive", ["2026-03-01T10:00:00", datetime(2026, 3, 1, 10)])
def test_naive_datetimes_are_refused(naive: object) -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        structure(naive, datetime)


def test_aware_datetimes_are_read_with_their_offset() -> None:
    moment = structure("2026-03-01T10:00:00+01:00", datetime)
    assert moment == datetime(2026, 3, 1, 9, tzinfo=UTC)


@frozen
class Stamped:
    at: datetime


@frozen
class Typed:
    max_window: OpeningWindow


def test_a_naive_datetime_in_toml_is_refused_at_its_path() -> None:
    error = error_of("at = 2026-03-01T10:00:00\n", Stamped)
    assert "timezone-aware" in error.message
    assert error.field is not None
    assert error.field.startswith("at")


@pytest.mark.parametrize(
    ("text", "cls", "field"),
    [
        pytest.param("at = 2026-03-01T10:00:00\n", Stamped, "at", id="datetime"),
        pytest.param('max_window = "2h"\n', Typed, "max_window", id="window"),
    ],
)
def test_a_leaf_error_is_reported_at_the_attribute_path(
    text: str, cls: type[Any], field: str
) -> None:
    assert error_of(text, cls).field == field


def test_a_bad_reference_week_names_its_file_and_day() -> None:
    text = 'name = "Standard"\n[hours]\nlundi = "08h30-12h00"\nmardi = "9h00-12h00"\n'
    with pytest.raises(InvalidInput) as caught:
        load_toml(text, ReferenceWeek, source="week.toml")
    assert "tuesday" in str(caught.value)
    assert caught.value.source == "week.toml"


def test_a_bad_reference_week_is_refused() -> None:
    text = 'name = "Standard"\n[hours]\nlundi = "08h30-12h00"\nmardi = "9h00-12h00"\n'
    with pytest.raises(InvalidInput) as caught:
        load_toml(text, ReferenceWeek)
    assert "tuesday" in str(caught.value)
    assert caught.value.line == 1
    with pytest.raises(InvalidInput, match="unexpected keys: colour"):
        load_toml('name = "w"\ncolour = "red"\n', ReferenceWeek)


def test_structure_names_its_source() -> None:
    with pytest.raises(InvalidInput) as caught:
        structure({"id": "a", "roles": ["boss"]}, Actor, source="api")
    assert caught.value.source == "api"
    assert caught.value.field == "roles[0]"
    assert structure({"id": "a", "roles": ["agent"]}, Actor).roles == {Role.AGENT}
