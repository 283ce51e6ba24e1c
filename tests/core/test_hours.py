"""Opening hours (``XXhXX-XXhXX``), reference weeks and the two duration fields of seed 003."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from caredomain.durations import MinimumNotice, NoticeUnit, OpeningWindow, WindowUnit
from caredomain.errors import InvalidInput
from caredomain.hours import ReferenceWeek, TimeRange, Weekday, format_ranges, parse_ranges
from caredomain.testing import strategies as cds

FRENCH = {
    Weekday.MONDAY: "lundi",
    Weekday.TUESDAY: "mardi",
    Weekday.WEDNESDAY: "mercredi",
    Weekday.THURSDAY: "jeudi",
    Weekday.FRIDAY: "vendredi",
    Weekday.SATURDAY: "samedi",
    Weekday.SUNDAY: "dimanche",
}

# ---------------------------------------------------------------------------------------
# Malformed lines, each kind built on its own
# ---------------------------------------------------------------------------------------

minutes_of_day = st.integers(0, 23 * 60 + 59)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}h{minute % 60:02d}"


@st.composite
def valid_range_texts(draw: st.DrawFn) -> str:
    return str(draw(cds.time_ranges()))


@st.composite
def wrong_separators(draw: st.DrawFn) -> str:
    text = draw(valid_range_texts())
    old, new = draw(
        st.sampled_from(
            [("h", ":"), ("h", "H"), ("h", "."), ("-", "–"), ("-", " - "), ("-", " à "), ("-", "/")]
        )
    )
    return text.replace(old, new)


@st.composite
def hours_out_of_range(draw: st.DrawFn) -> str:
    """25h00 and the like; 24h00 itself is only wrong as a start."""
    bad_hour = draw(st.integers(24, 99))
    minute = draw(st.integers(0, 59))
    if draw(st.booleans()):
        return f"{bad_hour:02d}h{minute:02d}-{bad_hour:02d}h{minute:02d}"
    start = draw(minutes_of_day)
    if bad_hour == 24 and minute == 0:
        bad_hour = 25
    return f"{hhmm(start)}-{bad_hour:02d}h{minute:02d}"


@st.composite
def minutes_out_of_range(draw: st.DrawFn) -> str:
    """12h60 and the like."""
    hour = draw(st.integers(0, 22))
    bad = f"{hour:02d}h{draw(st.integers(60, 99)):02d}"
    good = hhmm((hour + 1) * 60)
    return f"{bad}-{good}" if draw(st.booleans()) else f"{hhmm(hour * 60)}-{bad}"


@st.composite
def ends_not_after_start(draw: st.DrawFn) -> str:
    start = draw(minutes_of_day)
    end = draw(st.integers(0, start))
    return f"{hhmm(start)}-{hhmm(end)}"


@st.composite
def missing_zero_padding(draw: st.DrawFn) -> str:
    """9h00-12h00, 09h0-12h00…: every part must have two digits."""
    start = draw(st.integers(0, 9 * 60 + 9))
    end = draw(st.integers(start + 1, 23 * 60 + 59))
    parts = [f"{start // 60:02d}", f"{start % 60:02d}", f"{end // 60:02d}", f"{end % 60:02d}"]
    padded = [i for i, part in enumerate(parts) if part.startswith("0")]
    assert padded  # start <= 09h09 has a leading zero in its hours or minutes
    index = draw(st.sampled_from(padded))
    parts[index] = parts[index][1:]
    return f"{parts[0]}h{parts[1]}-{parts[2]}h{parts[3]}"


@st.composite
def two_ranges_on_one_line(draw: st.DrawFn) -> str:
    first, second = draw(valid_range_texts()), draw(valid_range_texts())
    return f"{first}{draw(st.sampled_from([' ', ', ', '; ', '']))}{second}"


# Garbage without any digit can never be a range; line breaks would shift the numbering.
garbage = st.text(
    st.characters(exclude_categories=("Nd", "Cc", "Cs", "Zl", "Zp"), codec="utf-8"),
    min_size=1,
    max_size=20,
).filter(str.strip)

malformed_lines = st.one_of(
    wrong_separators(),
    hours_out_of_range(),
    minutes_out_of_range(),
    ends_not_after_start(),
    missing_zero_padding(),
    two_ranges_on_one_line(),
    garbage,
)
blank_lines = st.sampled_from(["", " ", "\t", "   \t "])


@given(cds.day_ranges())
def test_formatting_then_parsing_gives_back_the_ranges(ranges: tuple[TimeRange, ...]) -> None:
    assert parse_ranges(format_ranges(ranges)) == ranges


@given(cds.time_ranges())
def test_one_range_round_trips_through_its_text(time_range: TimeRange) -> None:
    assert TimeRange.parse(str(time_range)) == time_range


@given(line=malformed_lines)
def test_every_malformed_kind_is_refused_on_its_own(line: str) -> None:
    with pytest.raises(InvalidInput):
        TimeRange.parse(line)


@given(good=cds.day_ranges(), bad=malformed_lines, data=st.data())
def test_a_malformed_line_is_refused_with_its_line_number(
    good: tuple[TimeRange, ...], bad: str, data: st.DataObject
) -> None:
    lines = [str(r) for r in good]
    position = data.draw(st.integers(0, len(lines)), label="position")
    lines.insert(position, bad)
    with pytest.raises(InvalidInput) as caught:
        parse_ranges("\n".join(lines), source="semaine.txt")
    assert caught.value.line == position + 1
    assert caught.value.text == bad
    assert caught.value.source == "semaine.txt"


@given(good=cds.day_ranges(), data=st.data())
def test_blank_lines_are_skipped(good: tuple[TimeRange, ...], data: st.DataObject) -> None:
    lines: list[str] = []
    for time_range in good:
        lines += data.draw(st.lists(blank_lines, max_size=2))
        lines.append(str(time_range))
    lines += data.draw(st.lists(blank_lines, max_size=2))
    assert parse_ranges("\n".join(lines)) == good


@given(good=cds.day_ranges().filter(bool), data=st.data())
def test_an_overlapping_range_is_refused_with_the_later_line_number(
    good: tuple[TimeRange, ...], data: st.DataObject
) -> None:
    lines = [str(r) for r in good]
    index = data.draw(st.integers(0, len(good) - 1), label="overlapped")
    target = good[index]
    start = data.draw(st.integers(0, target.end_minute - 1), label="start")
    end = data.draw(st.integers(max(start, target.start_minute) + 1, 1440), label="end")
    overlapping = TimeRange(start, end)
    assert overlapping.overlaps(target)
    # Wherever it goes after the range it overlaps, the overlap is reported on its line.
    position = data.draw(st.integers(index + 1, len(lines)), label="position")
    lines.insert(position, str(overlapping))
    with pytest.raises(InvalidInput, match="overlaps") as caught:
        parse_ranges("\n".join(lines))
    assert caught.value.line == position + 1
    assert caught.value.text == str(overlapping)


def test_overlap_names_the_earlier_range_and_its_line() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ranges("08h30-12h00\n\n13h30-17h00\n11h00-14h00")
    assert caught.value.line == 4
    assert "08h30-12h00 on line 1" in caught.value.message


def test_touching_ranges_do_not_overlap() -> None:
    assert parse_ranges("13h30-17h00\n08h30-13h30") == (
        TimeRange(8 * 60 + 30, 13 * 60 + 30),
        TimeRange(13 * 60 + 30, 17 * 60),
    )


@given(start=minutes_of_day)
def test_24h00_is_accepted_as_an_end(start: int) -> None:
    assert TimeRange.parse(f"{hhmm(start)}-24h00") == TimeRange(start, 1440)
    assert str(TimeRange(start, 1440)).endswith("-24h00")


@given(end=st.integers(0, 1440).map(lambda m: "24h00" if m == 1440 else hhmm(m)))
def test_24h00_is_refused_as_a_start(end: str) -> None:
    with pytest.raises(InvalidInput, match="not a time of day"):
        TimeRange.parse(f"24h00-{end}")


def test_the_seed_notation() -> None:
    assert parse_ranges("08h30-12h00\n13h30-17h00") == (
        TimeRange(510, 720),
        TimeRange(810, 1020),
    )
    assert TimeRange.parse("  09h00-12h00  ") == TimeRange(540, 720)


def test_between_reads_clock_times_with_midnight_as_the_end() -> None:
    assert TimeRange.between(time(8, 30), time(12)) == TimeRange(510, 720)
    assert TimeRange.between(time(22), time(0)) == TimeRange(1320, 1440)
    assert str(TimeRange.between(time(22), time(0))) == "22h00-24h00"


@pytest.mark.parametrize(("start", "end"), [(-1, 60), (0, 1441), (600, 600), (700, 600)])
def test_time_range_constructor_refuses_impossible_minutes(start: int, end: int) -> None:
    with pytest.raises(InvalidInput):
        TimeRange(start, end)


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        pytest.param(TimeRange.parse, "٠٩h٠٠-١٢h٠٠", id="range"),  # Arabic-Indic 09h00-12h00
        pytest.param(OpeningWindow.parse, "٢m", id="window"),
        pytest.param(MinimumNotice.parse, "٦٠m", id="notice"),
    ],
)
def test_only_ascii_digits_are_read(parse: Callable[[str], object], text: str) -> None:
    with pytest.raises(InvalidInput):
        parse(text)


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\u2028", "\x85"])
def test_only_newlines_separate_lines(separator: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_ranges(f"08h00-09h00\n10h00-11h00{separator}12h00-13h00")
    assert caught.value.line == 2


# ---------------------------------------------------------------------------------------
# Reference weeks
# ---------------------------------------------------------------------------------------


@given(cds.reference_weeks())
def test_reference_week_texts_round_trip(week: ReferenceWeek) -> None:
    assert ReferenceWeek.parse(week.name, week.texts()) == week


@given(week=cds.reference_weeks(), data=st.data())
def test_reference_week_reads_french_and_english_names_in_any_case(
    week: ReferenceWeek, data: st.DataObject
) -> None:
    texts: dict[str, str] = {}
    for key, text in week.texts().items():
        weekday = Weekday[key.upper()]
        name = data.draw(st.sampled_from([key, FRENCH[weekday]]), label=key)
        case = data.draw(st.sampled_from(["lower", "upper", "capitalize"]), label="case")
        texts[getattr(name, case)()] = text
    assert ReferenceWeek.parse(week.name, texts) == week


def test_reference_week_example() -> None:
    week = ReferenceWeek.parse(
        "Standard",
        {"lundi": "08h30-12h00\n13h30-17h00", "Wednesday": "09h00-12h00", "samedi": ""},
    )
    assert week.ranges_on(Weekday.MONDAY) == (TimeRange(510, 720), TimeRange(810, 1020))
    assert week.ranges_on(Weekday.WEDNESDAY) == (TimeRange(540, 720),)
    assert week.ranges_on(Weekday.SATURDAY) == ()
    assert week.ranges_on(Weekday.SUNDAY) == ()
    assert week.texts() == {"monday": "08h30-12h00\n13h30-17h00", "wednesday": "09h00-12h00"}
    assert week.longest_range_minutes == 210


@pytest.mark.parametrize("name", ["lunedi", "mon", "Sonntag", ""])
def test_reference_week_refuses_an_unknown_weekday_naming_it(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ReferenceWeek.parse("w", {"monday": "08h00-09h00", name: "10h00-11h00"})
    assert caught.value.field == name
    assert caught.value.text == name


def test_reference_week_reports_the_line_of_a_bad_range_and_its_day() -> None:
    with pytest.raises(InvalidInput) as caught:
        ReferenceWeek.parse("w", {"mardi": "08h00-09h00\n\n9h00-10h00"})
    assert caught.value.line == 3
    assert "tuesday" in str(caught.value)


def test_reference_week_refuses_the_same_weekday_twice() -> None:
    with pytest.raises(InvalidInput) as caught:
        ReferenceWeek.parse("w", {"monday": "08h00-09h00", "lundi": "10h00-11h00"})
    assert "lundi" in str(caught.value)


def test_reference_week_constructor_refuses_overlaps_and_wrong_lengths() -> None:
    day = (TimeRange(0, 60),)
    with pytest.raises(InvalidInput, match="seven days"):
        ReferenceWeek("w", [day] * 6)
    with pytest.raises(InvalidInput) as caught:
        ReferenceWeek("w", [(TimeRange(0, 60), TimeRange(30, 90))] + [()] * 6)
    assert caught.value.field == "monday"


# ---------------------------------------------------------------------------------------
# The two duration fields: "2m" is two months, "60m" is sixty minutes
# ---------------------------------------------------------------------------------------


def test_the_seed_window_2m_is_two_months() -> None:
    window = OpeningWindow.parse("2m")
    assert window == OpeningWindow(2, WindowUnit.MONTH)
    assert window.delta == relativedelta(months=2)
    assert window.last_day(date(2026, 11, 22)) == date(2027, 1, 22)
    assert window.last_day(date(2026, 12, 31)) == date(2027, 2, 28)
    assert window.shortest == timedelta(days=56)


def test_the_seed_notice_60m_is_sixty_minutes() -> None:
    notice = MinimumNotice.parse("60m")
    assert notice == MinimumNotice(60, NoticeUnit.MINUTE)
    assert notice.delta == timedelta(minutes=60)


def test_the_same_text_means_different_things_in_each_field() -> None:
    assert OpeningWindow.parse("2m").last_day(date(2026, 1, 31)) == date(2026, 3, 31)
    assert MinimumNotice.parse("2m").delta == timedelta(minutes=2)


@pytest.mark.parametrize(
    ("text", "delta"),
    [("1d", relativedelta(days=1)), ("2w", relativedelta(weeks=2)), ("1y", relativedelta(years=1))],
)
def test_window_units(text: str, delta: relativedelta) -> None:
    assert OpeningWindow.parse(text).delta == delta


@pytest.mark.parametrize(
    ("text", "delta"),
    [("0m", timedelta(0)), ("2h", timedelta(hours=2)), ("1d", timedelta(days=1))],
)
def test_notice_units(text: str, delta: timedelta) -> None:
    assert MinimumNotice.parse(text).delta == delta


@pytest.mark.parametrize("text", ["2h", "2M", "60", "m", "-1m", "0m", "2 months", "1.5m", ""])
def test_window_refuses_what_its_unit_table_does_not_hold(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        OpeningWindow.parse(text)
    assert caught.value.field == "window"


@pytest.mark.parametrize("text", ["2w", "2y", "2M", "60", "m", "-1m", "60 minutes", "367d"])
def test_notice_refuses_what_its_unit_table_does_not_hold(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        MinimumNotice.parse(text)
    assert caught.value.field == "notice"


def test_unit_errors_list_the_units_of_their_own_field() -> None:
    with pytest.raises(InvalidInput, match="m = months"):
        OpeningWindow.parse("2h")
    with pytest.raises(InvalidInput, match="m = minutes"):
        MinimumNotice.parse("2w")


@pytest.mark.parametrize("text", ["5y", "261w", "1830d", "59m"])
def test_window_accepts_up_to_five_years(text: str) -> None:
    assert str(OpeningWindow.parse(text)) == text


@pytest.mark.parametrize("text", ["6y", "262w", "1831d", "61m"])
def test_window_refuses_more_than_five_years(text: str) -> None:
    with pytest.raises(InvalidInput, match="five years"):
        OpeningWindow.parse(text)


def test_sixty_months_is_five_years_and_is_accepted() -> None:
    assert OpeningWindow.parse("60m") == OpeningWindow(60, WindowUnit.MONTH)


@given(cds.opening_windows())
def test_window_text_round_trips(window: OpeningWindow) -> None:
    assert OpeningWindow.parse(str(window)) == window


@given(cds.minimum_notices())
def test_notice_text_round_trips(notice: MinimumNotice) -> None:
    assert MinimumNotice.parse(str(notice)) == notice


@given(cds.opening_windows(), st.dates(date(2000, 1, 1), date(2060, 12, 31)))
def test_window_covers_at_least_its_shortest_span(window: OpeningWindow, first: date) -> None:
    assert window.last_day(first) - first >= window.shortest


@pytest.mark.parametrize(
    ("build", "unit"),
    [pytest.param(OpeningWindow, "h", id="window"), pytest.param(MinimumNotice, "w", id="notice")],
)
def test_constructors_refuse_a_foreign_unit_with_invalid_input(
    build: Callable[[int, str], object], unit: str
) -> None:
    with pytest.raises(InvalidInput):
        build(2, unit)
