"""The slot model: validators name the field, settings keep their integrity, and every
model round-trips through the one converter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import given
from hypothesis import strategies as st

from caredomain import (
    ActorId,
    InvalidInput,
    NotFound,
    Organisation,
    ReferenceWeek,
    RuleViolation,
    TimeRange,
)
from caredomain.events import Event
from caredomain.serialization import structure, unstructure
from caredomain.slots import (
    Appointment,
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentEvent,
    AppointmentId,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
    AppointmentStatus,
    AppointmentType,
    Beneficiary,
    Channel,
    Counter,
    CounterId,
    Place,
    PlaceId,
    Plan,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
    plan_slots,
)

# -- validators ---------------------------------------------------------------------------


def _type(**changes: Any) -> AppointmentType:
    fields: dict[str, Any] = {
        "id": TypeId("t"),
        "label": "Passeports",
        "duration_minutes": 20,
        "window": "2m",
    }
    return AppointmentType(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"label": "  "}, "label"),
        ({"id": ""}, "id"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 1441}, "duration_minutes"),
        ({"window": "2x"}, "window"),
        ({"notice": "1y"}, "notice"),
        ({"options": ("CNI", "CNI")}, "options"),
        ({"options": ("CNI", " ")}, "options"),
        ({"partner_types": {""}}, "partner_types"),
    ],
)
def test_a_bad_type_is_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _type(**changes)
    assert caught.value.field == field


def test_the_two_duration_fields_read_m_differently() -> None:
    kind = _type(window="2m", notice="60m")
    assert kind.window.last_day(date(2025, 1, 31)) == date(2025, 3, 31)
    assert kind.notice is not None
    assert kind.notice.delta == timedelta(minutes=60)


def test_a_counter_has_at_least_one_seat() -> None:
    with pytest.raises(InvalidInput) as caught:
        Counter(CounterId("c"), "Guichet", TypeId("t"), PlaceId("p"), seats=0)
    assert caught.value.field == "seats"


def test_a_place_needs_an_address() -> None:
    with pytest.raises(InvalidInput) as caught:
        Place(PlaceId("p"), "Hôtel de ville", "")
    assert caught.value.field == "address"


def test_an_application_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput) as caught:
        WeekApplication(CounterId("c"), WeekName("w"), date(2025, 3, 2), date(2025, 3, 1))
    assert caught.value.field == "last"


def test_an_appointment_refuses_a_naive_start() -> None:
    with pytest.raises(InvalidInput) as caught:
        Appointment(
            AppointmentId("a"),
            CounterId("c"),
            Beneficiary("b", "Bob"),
            datetime(2025, 3, 3, 9),
            20,
            Channel.PORTAL,
            ActorId("b"),
            datetime(2025, 3, 1, tzinfo=UTC),
        )
    assert caught.value.field == "start"


# -- settings integrity -------------------------------------------------------------------

WEEK = ReferenceWeek.parse("w", {"lundi": "09h00-12h00"})


def _settings(**changes: Any) -> SlotSettings:
    fields: dict[str, Any] = {
        "types": (_type(options=("CNI", "passeport")),),
        "places": (Place(PlaceId("p"), "Mairie", "1 place de la Mairie"),),
        "counters": (Counter(CounterId("c"), "Guichet", TypeId("t"), PlaceId("p")),),
        "weeks": (WEEK,),
        "applications": (
            WeekApplication(CounterId("c"), WeekName("w"), date(2025, 1, 1), date(2025, 12, 31)),
        ),
    }
    return SlotSettings(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"types": (_type(), _type())}, "types[1]"),
        (
            {"counters": (Counter(CounterId("c"), "G", TypeId("nope"), PlaceId("p")),)},
            "counters[0].type_id",
        ),
        (
            {"counters": (Counter(CounterId("c"), "G", TypeId("t"), PlaceId("nope")),)},
            "counters[0].place_id",
        ),
        (
            {"counters": (Counter(CounterId("c"), "G", TypeId("t"), PlaceId("p"), options=["X"]),)},
            "counters[0].options",
        ),
        (
            {
                "applications": (
                    WeekApplication(
                        CounterId("c"), WeekName("x"), date(2025, 1, 1), date(2025, 1, 2)
                    ),
                )
            },
            "applications[0].week",
        ),
    ],
)
def test_settings_refuse_dangling_references(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _settings(**changes)
    assert caught.value.field == field


def test_a_counter_inherits_its_type_options_unless_it_narrows_them() -> None:
    settings = _settings()
    assert settings.options_of(settings.counter(CounterId("c"))) == ("CNI", "passeport")
    narrowed = Counter(CounterId("c"), "G", TypeId("t"), PlaceId("p"), options=("passeport",))
    assert settings.options_of(narrowed) == ("passeport",)


def test_a_later_application_wins_on_the_dates_it_overlaps() -> None:
    evening = ReferenceWeek.parse("evening", {"lundi": "17h00-19h00"})
    settings = _settings().with_week(evening)
    later = WeekApplication(
        CounterId("c"), WeekName("evening"), date(2025, 3, 1), date(2025, 3, 31)
    )
    inputs = settings.with_application(later).inputs(CounterId("c"))
    assert inputs.week_on(date(2025, 2, 28)) == WEEK
    assert inputs.week_on(date(2025, 3, 3)) == evening
    assert inputs.week_on(date(2025, 4, 1)) == WEEK
    assert inputs.week_on(date(2026, 1, 1)) is None


def test_what_is_in_use_cannot_be_removed() -> None:
    settings = _settings()
    with pytest.raises(RuleViolation) as caught:
        settings.without_type(TypeId("t"))
    assert caught.value.code == "type.in_use"
    with pytest.raises(RuleViolation) as caught:
        settings.without_place(PlaceId("p"))
    assert caught.value.code == "place.in_use"
    with pytest.raises(RuleViolation) as caught:
        settings.without_week(WeekName("w"))
    assert caught.value.code == "week.in_use"
    with pytest.raises(NotFound):
        settings.without_type(TypeId("missing"))
    bare = settings.without_counter(CounterId("c"))
    assert bare.applications == ()
    assert bare.without_type(TypeId("t")).without_week(WeekName("w")).types == ()


def test_a_derived_value_keeps_what_the_change_did_not_touch() -> None:
    settings = _settings().with_counter(Counter(CounterId("d"), "G2", TypeId("t"), PlaceId("p")))
    before = settings.fingerprints()
    changed = settings.with_counter(
        Counter(CounterId("d"), "G2", TypeId("t"), PlaceId("p"), seats=2)
    )
    c, d = CounterId("c"), CounterId("d")
    assert changed.inputs(c) is settings.inputs(c)
    assert changed.touched_since(before) == frozenset({d})
    assert changed.fingerprints()[c] == before[c]
    assert changed.fingerprints()[d] != before[d]
    assert changed.changes_since(settings).counters == {d}
    assert _settings().touched_since(before) is None


# -- serialization ------------------------------------------------------------------------

names = st.text("abcdefghé -", min_size=1, max_size=12).filter(str.strip)
zones = st.sampled_from([ZoneInfo("Europe/Paris"), ZoneInfo("America/Toronto"), UTC])
moments = st.builds(
    lambda base, zone: base.astimezone(zone),
    st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1), timezones=st.just(UTC)),
    zones,
)
types = st.builds(
    AppointmentType,
    id=names,
    label=names,
    duration_minutes=st.integers(1, 240),
    window=st.sampled_from(["2m", "14d", "3w", "1y"]),
    notice=st.sampled_from([None, "60m", "2h", "1d"]),
    detail=st.text(max_size=20),
    partner_types=st.frozensets(names, max_size=3),
    services=st.frozensets(names, max_size=3),
    options=st.lists(names, max_size=3, unique=True).map(tuple),
    on_portal=st.booleans(),
)
places = st.builds(Place, id=names, name=names, address=names, on_portal=st.booleans())
beneficiaries = st.builds(
    Beneficiary,
    id=names,
    name=names,
    partner_type=st.none() | names,
    email=st.none() | st.just("marie@example.org"),
    phone=st.none() | st.just("+33612345678"),
)
appointments = st.builds(
    Appointment,
    id=names,
    counter_id=names,
    beneficiary=beneficiaries,
    start=moments,
    duration_minutes=st.integers(1, 240),
    channel=st.sampled_from(Channel),
    booked_by=names,
    booked_at=moments,
    option=st.none() | names,
    seat=st.integers(0, 5),
    status=st.sampled_from(AppointmentStatus),
    previous_start=st.none() | moments,
)


@st.composite
def slot_settings(draw: st.DrawFn) -> SlotSettings:
    kinds = draw(st.lists(types, min_size=1, max_size=3, unique_by=lambda t: t.id))
    where = draw(st.lists(places, min_size=1, max_size=3, unique_by=lambda p: p.id))
    counters = [
        Counter(
            CounterId(f"c{n}"),
            draw(names),
            draw(st.sampled_from(kinds)).id,
            draw(st.sampled_from(where)).id,
            seats=draw(st.integers(1, 3)),
        )
        for n in range(draw(st.integers(0, 3)))
    ]
    start = draw(st.integers(8 * 60, 10 * 60))
    week = ReferenceWeek(draw(names), [(TimeRange(start, start + 90),)] * 5 + [(), ()])
    applications = [
        WeekApplication(c.id, WeekName(week.name), date(2025, 1, 1), date(2025, 6, 30))
        for c in counters
    ]
    return SlotSettings(kinds, where, counters, (week,), applications)


def _round_trip(value: object) -> object:
    return structure(unstructure(value), type(value))


@given(st.one_of(types, places, appointments, slot_settings()))
def test_models_round_trip_through_the_converter(value: object) -> None:
    assert _round_trip(value) == value


EVENT_EXTRAS: dict[type[AppointmentEvent], dict[str, Any]] = {
    AppointmentBooked: {"channel": Channel.PORTAL, "booked_by": "cit-1"},
    AppointmentRescheduled: {"channel": Channel.BACK_OFFICE, "rescheduled_by": "agent-1"},
    AppointmentCancelledByCitizen: {},
    AppointmentCancelledByAgent: {"cancelled_by": "agent-1"},
    AppointmentMarkedNoShow: {"marked_by": "agent-1"},
    AppointmentDeprogrammed: {"reason_code": "day.closure", "reason": "closure 2025-03-03"},
}


@pytest.mark.parametrize("event_class", list(EVENT_EXTRAS))
@given(beneficiary=beneficiaries, start=moments, previous=st.none() | moments)
def test_appointment_events_round_trip_as_events(
    event_class: type[AppointmentEvent],
    beneficiary: Beneficiary,
    start: datetime,
    previous: datetime | None,
) -> None:
    event = event_class(
        event_id="e-1",
        occurred_at=start,
        organisation_id="sainte-anne",
        appointment_id=AppointmentId("a-1"),
        type_id=TypeId("id-card"),
        counter_id=CounterId("g1"),
        place_id=PlaceId("hall"),
        beneficiary=beneficiary,
        start=start,
        duration_minutes=20,
        counter_name="Guichet 1",
        place_name="Hôtel de ville",
        place_address="1 place de la Mairie",
        type_label="Pièces d'identité",
        option="CNI",
        previous_start=previous,
        **EVENT_EXTRAS[event_class],
    )
    data = unstructure(event)
    assert data["kind"] == event_class.__name__
    # The data round-trips exactly; the datetimes come back as the same instants with
    # their offsets (Python never finds a time in a DST fold equal to one of another zone).
    assert unstructure(structure(data, Event)) == data


def test_structuring_names_the_path_at_fault() -> None:
    data = unstructure(_settings())
    data["types"][0]["duration_minutes"] = 0
    with pytest.raises(InvalidInput) as caught:
        structure(data, SlotSettings)
    assert caught.value.field == "types[0].duration_minutes"
    data = unstructure(evolve(_settings()))
    data["counters"][0]["type_id"] = "ghost"
    with pytest.raises(InvalidInput):
        structure(data, SlotSettings)


def test_a_plan_round_trips(town_hall: Organisation, town_settings: SlotSettings) -> None:
    plan = plan_slots(town_hall, town_settings, date(2025, 3, 30))  # spans a DST change
    assert structure(unstructure(plan), Plan) == plan
