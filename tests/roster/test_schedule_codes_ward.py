"""The feed schedule, the code catalogue, shifts and ward files."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from caredomain import InvalidInput
from caredomain.roster import (
    AbsenceCategory,
    Code,
    CodeCatalogue,
    CodeKind,
    FeedSchedule,
    Post,
    french_hospital_catalogue,
    load_catalogue,
    load_ward,
)

PARIS = ZoneInfo("Europe/Paris")


# -- schedule ---------------------------------------------------------------------------


def test_every_n_hours_runs_on_the_hour_grid() -> None:
    schedule = FeedSchedule.parse("every 6h")
    runs = schedule.next_runs(datetime(2026, 11, 23, 7, 30, tzinfo=PARIS), 3)
    assert [run.strftime("%d %H:%M %z") for run in runs] == [
        "23 12:00 +0100",
        "23 18:00 +0100",
        "24 00:00 +0100",
    ]
    assert schedule.next_runs(runs[0], 1) == [runs[1]]  # strictly after
    assert str(schedule) == "every 6h (Europe/Paris)"


def test_every_n_hours_keeps_real_intervals_across_a_change_of_clocks() -> None:
    runs = FeedSchedule.parse("every 2h").next_runs(datetime(2026, 3, 29, 0, 30, tzinfo=PARIS), 3)
    gaps = {b - a for a, b in itertools.pairwise(runs)}
    assert gaps == {timedelta(hours=2)}


def test_set_times_skip_a_time_that_does_not_exist_and_run_once_when_it_happens_twice() -> None:
    schedule = FeedSchedule.parse("at 02:30,06:00")
    spring = schedule.next_runs(datetime(2026, 3, 28, 12, tzinfo=PARIS), 3)
    assert [run.strftime("%m-%d %H:%M") for run in spring] == [
        "03-29 06:00",
        "03-30 02:30",
        "03-30 06:00",
    ]
    autumn = schedule.next_runs(datetime(2026, 10, 25, 0, 0, tzinfo=PARIS), 2)
    assert [run.strftime("%m-%d %H:%M") for run in autumn] == ["10-25 02:30", "10-25 06:00"]
    assert schedule.at == (time(2, 30), time(6, 0))
    assert schedule.next_runs(datetime(2026, 1, 1, tzinfo=UTC), 0) == []


@pytest.mark.parametrize(
    "text", ["every 30m", "every 25h", "every h", "at 25:00", "at 6h", "hourly", "every 1h30"]
)
def test_a_schedule_outside_hourly_to_daily_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        FeedSchedule.parse(text)


def test_a_schedule_needs_an_aware_start() -> None:
    with pytest.raises(InvalidInput):
        FeedSchedule.parse("every 1h").next_runs(datetime(2026, 1, 1), 1)


# -- codes ------------------------------------------------------------------------------


def test_the_french_hospital_catalogue() -> None:
    catalogue = french_hospital_catalogue()
    assert {"J", "M", "S", "N", "RH", "CA", "RTT", "MAL", "FOR"} <= {c.code for c in catalogue}
    assert catalogue["MAL"].category is AbsenceCategory.SICK_LEAVE
    assert catalogue["RH"].exchangeable
    assert catalogue["N"].exchangeable
    assert not catalogue["CA"].exchangeable
    assert catalogue.is_absence("FOR")
    assert not catalogue.is_absence("J")
    assert not catalogue.is_absence(None)
    with pytest.raises(InvalidInput):
        catalogue["mal"]


def test_a_catalogue_file_names_the_line_or_the_path_at_fault() -> None:
    with pytest.raises(InvalidInput) as error:
        load_catalogue('[[codes]]\ncode = "J"\nlabel = "Jour"\nkind = "present"\n', source="c.toml")
    assert (error.value.source, error.value.field) == ("c.toml", "codes[0].kind")
    with pytest.raises(InvalidInput, match="twice"):
        load_catalogue(
            '[[codes]]\ncode = "J"\nlabel = "a"\nkind = "presence"\n'
            '[[codes]]\ncode = "J"\nlabel = "b"\nkind = "presence"\n'
        )
    with pytest.raises(InvalidInput) as error:
        load_catalogue('[[codes]]\ncode = "J J"\nlabel = "a"\nkind = "presence"\n', source="c.toml")
    assert error.value.field == "codes[0].code"
    with pytest.raises(InvalidInput) as error:
        load_catalogue("[[codes]\n", source="c.toml")
    assert error.value.line == 1


def test_an_absence_has_a_category_and_a_presence_none() -> None:
    assert Code("X", "x", "absence").category is AbsenceCategory.OTHER
    with pytest.raises(InvalidInput):
        Code("X", "x", CodeKind.PRESENCE, "rest")


def test_a_catalogue_in_use_keeps_its_codes_and_their_meaning() -> None:
    old = CodeCatalogue(
        [Code("J", "Jour", "presence"), Code("MAL", "Maladie", "absence", "sick_leave")]
    )
    grown = CodeCatalogue([*old.codes, Code("RH", "Repos", "absence", "rest")])
    assert old.replaced_by(grown) is grown
    with pytest.raises(InvalidInput, match="removed"):
        grown.replaced_by(old)
    with pytest.raises(InvalidInput, match="kind or category"):
        old.replaced_by(
            CodeCatalogue([Code("J", "Jour", "presence"), Code("MAL", "Maladie", "absence")])
        )


# -- shifts and ward files --------------------------------------------------------------


def test_a_night_shift_ends_the_next_morning_and_lasts_its_real_length() -> None:
    night = Post.on("n", "p", date(2026, 10, 24), "21h00-07h00", zone=PARIS)
    assert night.end.astimezone(PARIS).date() == date(2026, 10, 25)
    assert night.duration == timedelta(hours=11)  # the clocks went back that night
    assert night.shift_text(PARIS) == "21h00-07h00"
    with pytest.raises(InvalidInput):
        Post.on("x", "p", date(2026, 10, 24), "21h00", zone=PARIS)
    with pytest.raises(InvalidInput):
        Post.on("x", "p", date(2026, 10, 24), "07h00-07h00", zone=PARIS, required=0)


SAMPLE = """
[roster]
minimum_rest_hours = 12
feed_schedule = "at 06:00,14:00"

[[agents]]
id = "A1"
skills = ["IDE"]

[[plannings]]
id = "P"
unit = "Urgences"

[[posts]]
id = "p1"
planning = "P"
day = 2026-11-23
shift = "07h00-19h00"
skills = ["IDE"]
agents = ["A1"]
"""


def test_a_ward_file() -> None:
    ward = load_ward(SAMPLE, source="ward.toml")
    assert ward.settings.minimum_rest == timedelta(hours=12)
    assert str(ward.settings.feed_schedule) == "at 06:00,14:00 (Europe/Paris)"
    (post,) = ward.posts
    assert (post.id, post.assigned, post.duration) == ("p1", ("A1",), timedelta(hours=12))
    assert ward.catalogue is None


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ('shift = "07h00-19h00"', "posts[0].shift"),
        ("minimum_rest_hours = 12", "roster.minimum_rest_hours"),
        ('feed_schedule = "at 06:00,14:00"', "roster.feed_schedule"),
        ('id = "A1"', "agents[0].id"),
    ],
)
def test_a_ward_file_error_names_the_path(bad: str, field: str) -> None:
    replacement = {
        'shift = "07h00-19h00"': 'shift = "7 to 19"',
        "minimum_rest_hours = 12": "minimum_rest_hours = 72",
        'feed_schedule = "at 06:00,14:00"': 'feed_schedule = "every 10m"',
        'id = "A1"': 'id = "A 1"',
    }[bad]
    with pytest.raises(InvalidInput) as error:
        load_ward(SAMPLE.replace(bad, replacement), source="ward.toml")
    assert error.value.source == "ward.toml"
    assert error.value.field == field
