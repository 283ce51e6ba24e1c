"""The rule set's fast form agrees with its explained form: the free-slot index asks
``bookable_from`` and ``has_free_seat``, the booking and "why no slot?" ``slot_refusals``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from caredomain import Conflict, RuleViolation, SlotTaken
from caredomain.slots.rules import (
    FULL,
    MIN_NOTICE,
    PAST,
    bookable_from,
    has_free_seat,
    slot_refusals,
)

seconds = st.integers(0, 10_000)


@given(start=seconds, now=seconds, notice=seconds, taken=st.integers(0, 4), seats=st.integers(1, 3))
def test_a_slot_has_no_refusal_exactly_when_the_bounds_allow_it(
    start: int, now: int, notice: int, taken: int, seats: int
) -> None:
    earliest = now + notice  # earliest_start() never comes before now
    refusals = slot_refusals(start, now=now, earliest=earliest, taken=taken, seats=seats)
    assert (not refusals) == (start >= bookable_from(now, earliest) and has_free_seat(taken, seats))
    assert (PAST in refusals) == (start < now)
    assert (MIN_NOTICE in refusals) == (now <= start < earliest)
    assert (FULL in refusals) == (taken >= seats)


def test_a_full_slot_is_refused_as_a_conflict_too() -> None:
    refused = FULL.violation()
    assert isinstance(refused, SlotTaken)
    assert isinstance(refused, Conflict)
    assert refused.code == "slot.full"
    assert not isinstance(MIN_NOTICE.violation(), Conflict)
    assert isinstance(MIN_NOTICE.violation(), RuleViolation)
