"""The free-slot query: filters, order, and the minimum notice never let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import Actor, InvalidInput, NotFound, RuleViolation
from caredomain.slots import Agenda, Beneficiary, Channel, CounterId, PlaceId, TypeId

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)
ID_CARD = TypeId("id-card")
G1, G2 = CounterId("g1"), CounterId("g2")


def test_free_slots_come_in_start_order_across_counters(agenda: Agenda) -> None:
    slots = agenda.free_slots(ID_CARD, date(2025, 3, 4), date(2025, 3, 5), now=NOW)
    assert len(slots) == 2 * 2 * 20
    assert [s.start_second for s in slots] == sorted(s.start_second for s in slots)
    assert slots[0].start == datetime(2025, 3, 4, 8, 30, tzinfo=PARIS)
    assert slots[0].end == datetime(2025, 3, 4, 8, 50, tzinfo=PARIS)
    assert {s.counter_id for s in slots[:2]} == {G1, G2}


def test_free_slots_by_place_and_option(agenda: Agenda) -> None:
    tuesday = date(2025, 3, 4)
    at_annex = agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, place_id=PlaceId("annex"))
    assert {s.counter_id for s in at_annex} == {G2}
    passports = agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, option="passeport")
    assert {s.counter_id for s in passports} == {G1}  # the annex only does CNI
    assert agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, option="permis") == []
    assert agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, place_id=PlaceId("nowhere")) == []
    with pytest.raises(NotFound):
        agenda.free_slots(TypeId("nope"), tuesday, tuesday, now=NOW)
    with pytest.raises(InvalidInput):
        agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW.replace(tzinfo=None))
    with pytest.raises(InvalidInput):
        agenda.why(ID_CARD, PlaceId("hall"), tuesday, now=NOW.replace(tzinfo=None))


def test_booked_slots_leave_the_list(
    agenda: Agenda, agent: Actor, marie: Beneficiary, new_id: Callable[[], str]
) -> None:
    tuesday = date(2025, 3, 4)
    [first, *_] = agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, place_id=PlaceId("hall"))
    agenda.book(
        agent,
        counter_id=first.counter_id,
        start=first.start,
        beneficiary=marie,
        channel=Channel.BACK_OFFICE,
        now=NOW,
        new_id=new_id,
        option="CNI",
    )
    after = agenda.free_slots(ID_CARD, tuesday, tuesday, now=NOW, place_id=PlaceId("hall"))
    assert first not in after
    assert len(after) == 19


def test_nothing_is_free_before_the_first_refresh(town_hall: object, town_settings: object) -> None:
    agenda = Agenda(town_hall, town_settings)  # type: ignore[arg-type]
    assert agenda.free_slots(ID_CARD, date(2025, 3, 4), date(2025, 3, 4), now=NOW) == []


# Each example only reads the agenda fixture (refused bookings change nothing).
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    notice_minutes=st.integers(0, 3 * 24 * 60),
    now_minutes=st.integers(0, 7 * 24 * 60),
)
def test_a_slot_starting_sooner_than_the_notice_is_never_bookable(
    agenda: Agenda,
    agent: Actor,
    new_id: Callable[[], str],
    notice_minutes: int,
    now_minutes: int,
) -> None:
    kind = evolve(agenda.settings.type(ID_CARD), notice=f"{notice_minutes}m")
    probe = Agenda(agenda.organisation, agenda.settings.with_type(kind), plan=agenda.plan)
    probe.refresh(NOW, new_id=new_id)
    now = NOW + timedelta(minutes=now_minutes)
    earliest = now + timedelta(minutes=notice_minutes)
    days = (now.date(), now.date() + timedelta(days=1), earliest.date())
    for day in days:
        free = {
            s.start for s in probe.free_slots(ID_CARD, day, day, now=now, place_id=PlaceId("hall"))
        }
        assert all(start >= earliest for start in free)
        for slot in probe.why(ID_CARD, PlaceId("hall"), day, now=now).slots:
            closed_day = any(r.code.startswith("day.") for r in slot.reasons)
            if slot.start is None or slot.start >= earliest or closed_day:
                continue
            assert slot.start not in free
            with pytest.raises(RuleViolation) as caught:
                probe.book(
                    agent,
                    counter_id=G1,
                    start=slot.start,
                    beneficiary=Beneficiary("b", "B"),
                    channel=Channel.BACK_OFFICE,
                    now=now,
                    new_id=new_id,
                    option="CNI",
                )
            assert caught.value.code in {"slot.past", "slot.min_notice"}
