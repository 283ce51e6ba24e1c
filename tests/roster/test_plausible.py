"""The feed's plausible range (:mod:`caredomain.roster.plausible`): the rule as properties
against a model, the setting that configures it, and the excerpt every error quotes."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from caredomain import Actor, FixedClock, InvalidInput
from caredomain.access import Everywhere
from caredomain.errors import excerpt
from caredomain.roster import RosterSettings, load_ward
from caredomain.roster import services as roster
from caredomain.roster.batch import FeedBatch, RecognisedRun
from caredomain.roster.feed_runs import ReadInFull
from caredomain.roster.plausible import CLOCK_SLACK, PlausibleRange, feed_dates_are_plausible
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
ZONES = st.sampled_from([PARIS, ZoneInfo("America/Toronto"), ZoneInfo("Pacific/Kiritimati")])
NOWS = st.datetimes(datetime(1950, 1, 1), datetime(2150, 1, 1), timezones=st.just(UTC))
YEARS = st.integers(1, 100)


def batch(extracted_at: datetime, days: list[date], *, strict: bool = True) -> FeedBatch:
    count = len(days)
    return FeedBatch(
        "GTT.csv", extracted_at, ["A1001"] * count, days, ["J"] * count, range(3, 3 + count),
        strict=strict,
    )  # fmt: skip


@given(now=NOWS, years=YEARS, zone=ZONES, days=st.lists(st.dates(), min_size=1, max_size=8))
def test_a_row_is_rejected_exactly_when_its_day_is_more_than_the_years_from_today(
    now: datetime, years: int, zone: ZoneInfo, days: list[date]
) -> None:
    today = now.astimezone(zone).date()
    plausible = PlausibleRange.around(now, years, zone)
    checked = feed_dates_are_plausible(batch(now, days), plausible)
    far = relativedelta(years=years)
    kept = [day for day in days if today - far <= day <= today + far]
    assert list(checked.days) == kept
    assert [r.line for r in checked.rejected] == [
        line for line, day in enumerate(days, start=3) if day not in kept
    ]
    assert all("is not plausible" in r.reason for r in checked.rejected)
    assert list(checked.lines) == [line for line, day in enumerate(days, start=3) if day in kept]


OFFSETS = st.one_of(
    st.timedeltas(timedelta(days=-40_000), timedelta(days=40_000)),
    st.sampled_from([CLOCK_SLACK, CLOCK_SLACK + timedelta(microseconds=1), timedelta(0)]),
)


@given(now=NOWS, years=YEARS, zone=ZONES, offset=OFFSETS)
def test_an_extraction_time_is_refused_exactly_when_it_is_out_of_range(
    now: datetime, years: int, zone: ZoneInfo, offset: timedelta
) -> None:
    extracted = now + offset
    plausible = PlausibleRange.around(now, years, zone)
    expected = now - relativedelta(years=years) <= extracted <= now + CLOCK_SLACK
    if expected:
        feed_dates_are_plausible(batch(extracted, [now.date()]), plausible)
        return
    with pytest.raises(InvalidInput, match="extraction time not plausible") as error:
        feed_dates_are_plausible(batch(extracted, [now.date()]), plausible)
    assert error.value.source == "GTT.csv"


def test_a_day_ahead_is_24_hours_across_a_change_to_summer_time() -> None:
    now = datetime(2076, 3, 28, 2, tzinfo=UTC)  # Paris moves to summer time the next night
    plausible = PlausibleRange.around(now, 1, PARIS)
    feed_dates_are_plausible(batch(now + CLOCK_SLACK, [now.date()]), plausible)
    with pytest.raises(InvalidInput, match="extraction time not plausible"):
        feed_dates_are_plausible(
            batch(now + CLOCK_SLACK + timedelta(microseconds=1), [now.date()]), plausible
        )


def test_the_edges_of_the_range_are_inside_it() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=PARIS)
    plausible = PlausibleRange.around(now, 10, PARIS)
    edges = [date(2016, 11, 23), date(2036, 11, 23)]
    assert feed_dates_are_plausible(batch(now + CLOCK_SLACK, edges), plausible).rejected == ()
    outside = [date(2016, 11, 22), date(2036, 11, 24)]
    assert len(feed_dates_are_plausible(batch(now, outside), plausible).rejected) == 2
    for moment in (now + CLOCK_SLACK + timedelta(minutes=1), datetime(2016, 11, 23, tzinfo=UTC)):
        with pytest.raises(InvalidInput):
            feed_dates_are_plausible(batch(moment, edges), plausible)


def test_a_recognised_run_with_a_day_out_of_range_asks_for_a_full_read() -> None:
    now = datetime(2026, 11, 23, 12, tzinfo=PARIS)
    run = RecognisedRun("A1001", b"d" * 16, 3, 2, parsed=((1, date(9999, 12, 31), "MAL"),))
    recognised = FeedBatch(
        "GTT.csv", now, [], [], [], [], distinct_days=frozenset({date(9999, 12, 31)}),
        recognised=[run],
    )  # fmt: skip
    with pytest.raises(ReadInFull):
        feed_dates_are_plausible(recognised, PlausibleRange.around(now, 10, PARIS))


# -- the setting -------------------------------------------------------------------------


def test_plausible_years_is_ten_by_default_and_kept_by_the_store(tmp_path: Path) -> None:
    assert RosterSettings().plausible_years == 10
    ward = load_ward("[roster]\nplausible_years = 3\n", source="ward.toml")
    assert ward.settings.plausible_years == 3
    with SqliteStore(tmp_path / "store.db") as store:
        context = ServiceContext(store=store, clock=FixedClock(datetime(2026, 11, 23, tzinfo=UTC)))
        roster.set_up_ward(
            context,
            Actor.administrator(configuration=Everywhere("the ward names no organisation")),
            ward,
        )
        with store.unit_of_work(write=False) as uow:
            settings = uow.roster.settings()
    assert settings is not None
    assert settings.plausible_years == 3


@pytest.mark.parametrize("value", ["0", "101", "-1"])
def test_a_plausible_years_that_is_no_whole_number_from_1_to_100_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as error:
        load_ward(f"[roster]\nplausible_years = {value}\n", source="ward.toml")
    assert error.value.source == "ward.toml"
    assert error.value.field == "roster.plausible_years"


# -- the excerpt -------------------------------------------------------------------------


@given(st.text())
def test_an_excerpt_is_short_escaped_and_the_whole_text_when_it_is_short(text: str) -> None:
    shown = excerpt(text)
    assert len(shown) <= 80 + 3
    assert shown.isprintable()
    if len(repr(text)) <= 82:
        assert shown == repr(text)
    else:
        assert shown.endswith("…")
        assert text.startswith(ast.literal_eval(shown[:-1]))  # a prefix, as repr wrote it


def test_invalid_input_shows_an_excerpt_of_a_long_text() -> None:
    error = InvalidInput("not a day", source="GTT.csv", line=7, text="\x1b[2J" * 1_000_000)
    assert str(error) == f"GTT.csv:7: not a day (got {excerpt(error.text or '')})"
    assert len(str(error)) < 120
