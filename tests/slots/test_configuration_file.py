"""The ``[slots]`` section of an organisation's configuration file: the shipped sample, files
without it, and errors that name the path at fault."""

from __future__ import annotations

from datetime import date

import pytest

from caredomain import InvalidInput, MinimumNotice, OpeningWindow, TimeRange, Weekday
from caredomain.cli.demo_run import sample_configuration
from caredomain.configuration import load_configuration
from caredomain.slots import CounterId, SlotSettings, TypeId, WeekName, check_settings

HEAD = """
[organisation]
id = "town"
name = "Mairie"
"""

TYPES = """
[[slots.types]]
id = "id-card"
label = "Pièces d'identité"
duration_minutes = 20
window = "2m"
notice = "60m"

[[slots.types]]
id = "civil"
label = "Mariages"
duration_minutes = 60
window = "1y"

[[slots.types]]
id = "urbanisme"
label = "Permis de construire"
duration_minutes = 45
window = "6w"
"""


def load(text: str) -> SlotSettings:
    return load_configuration(HEAD + text, source="town.toml").slots


def error(text: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        load(text)
    assert caught.value.source == "town.toml"
    return caught.value


def test_the_sample_town_hall_has_the_seeds_identity_card_appointments() -> None:
    sample = sample_configuration()
    settings = sample.slots
    [kind] = settings.types
    assert (kind.label, kind.duration_minutes) == ("Pièces d'identité", 20)
    assert kind.window == OpeningWindow.parse("2m")  # two months
    assert kind.notice == MinimumNotice.parse("60m")  # sixty minutes
    assert kind.options == ("CNI", "passeport")
    assert kind.on_portal
    [counter] = settings.counters
    assert settings.options_of(counter) == ("CNI", "passeport")  # inherited from its type
    assert settings.place(counter.place_id).on_portal
    week = settings.week(WeekName("Semaine type"))
    assert week.ranges_on(Weekday.MONDAY) == (TimeRange(510, 720), TimeRange(810, 1020))
    assert week.ranges_on(Weekday.SATURDAY) == (TimeRange(540, 720),)  # Saturday mornings
    assert week.ranges_on(Weekday.SUNDAY) == ()
    assert Weekday.SATURDAY in sample.organisation.calendar.open_weekdays
    assert check_settings(settings, date(2026, 12, 20)) == ()
    assert settings.inputs(CounterId("guichet-titres")).week_on(date(2026, 12, 21)) == week


def test_a_file_without_slots_still_loads() -> None:
    assert load("") == SlotSettings()


def test_types_places_counters_weeks_and_applications_load_in_order() -> None:
    settings = load(
        TYPES
        + """
[[slots.places]]
id = "hall"
name = "Hôtel de ville"
address = "1 place de la Mairie"

[[slots.counters]]
id = "g1"
name = "Guichet 1"
type_id = "id-card"
place_id = "hall"
seats = 2
options = []

[[slots.weeks]]
name = "hiver"
hours.lundi = "09h00-12h00"

[[slots.weeks]]
name = "fermé"

[[slots.applications]]
counter_id = "g1"
week = "hiver"
first = 2026-01-01
last = 2026-12-31

[[slots.applications]]
counter_id = "g1"
week = "fermé"
first = 2026-08-01
last = 2026-08-31
"""
    )
    assert [t.id for t in settings.types] == [TypeId("id-card"), "civil", "urbanisme"]
    counter = settings.counter(CounterId("g1"))
    assert (counter.seats, counter.options) == (2, ())
    inputs = settings.inputs(counter.id)
    assert inputs.week_on(date(2026, 8, 10)) == settings.week(WeekName("fermé"))  # later wins
    assert inputs.week_on(date(2026, 9, 7)) == settings.week(WeekName("hiver"))


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            TYPES.replace("duration_minutes = 45", "duration_minutes = 0"),
            "slots.types[2].duration_minutes",
            "a duration is a whole number of minutes from 1 to 1440",
        ),
        (
            TYPES.replace('window = "6w"', 'window = "6h"'),
            "slots.types[2].window",
            "unknown unit 'h' for an opening window",
        ),
        (
            TYPES.replace('notice = "60m"', 'notice = "2w"'),
            "slots.types[0].notice",
            "unknown unit 'w' for a minimum notice",
        ),
        (
            TYPES.replace('id = "urbanisme"', 'id = "civil"'),
            "slots.types[2]",
            "type 'civil' is defined twice",
        ),
        (
            TYPES.replace('window = "1y"', 'window = "1y"\ncolour = "blue"'),
            "slots.types[1]",
            "unknown keys: colour",
        ),
        (
            TYPES + '[[slots.places]]\nid = "hall"\nname = "Hôtel de ville"\n',
            "slots.places[0].address",
            "required but missing",
        ),
        (
            TYPES
            + '[[slots.places]]\nid = "hall"\nname = "H"\naddress = "A"\n'
            + '[[slots.counters]]\nid = "g1"\nname = "G"\ntype_id = "ghost"\nplace_id = "hall"\n',
            "slots.counters[0].type_id",
            "no such appointment type",
        ),
        (
            '[[slots.weeks]]\nname = "w"\nhours.lundi = """\n08h30-12h00\n13h30-1700"""\n',
            "slots.weeks[0].hours.monday",
            "line 2: expected one range written XXhXX-XXhXX",
        ),
        (
            '[[slots.weeks]]\nname = "w"\nhours.lundo = "08h30-12h00"\n',
            "slots.weeks[0].hours.lundo",
            "not a weekday",
        ),
        (
            '[[slots.applications]]\ncounter_id = "g1"\nweek = "w"\n'
            "first = 2026-02-01\nlast = 2026-01-01\n",
            "slots.applications[0].last",
            "an application cannot end before it starts",
        ),
    ],
)
def test_errors_name_the_path_at_fault(text: str, path: str, message: str) -> None:
    found = error(text)
    assert found.field == path
    assert message in found.message
    assert str(found).startswith(f"town.toml: {path}: ")
