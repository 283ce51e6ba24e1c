"""A partial plan (the counters a use case lists or books) is the full plan's part, and a
refresh from it plans the others in full."""

from __future__ import annotations

from datetime import date

from caredomain import Organisation
from caredomain.slots import CounterId, SlotSettings, plan_slots, refresh_plan

G1, G2 = CounterId("g1"), CounterId("g2")


def test_a_partial_plan_is_part_of_the_full_one(
    town_hall: Organisation, town_settings: SlotSettings
) -> None:
    day = date(2025, 3, 28)  # the window spans the change to summer time
    full = plan_slots(town_hall, town_settings, day)
    part = plan_slots(town_hall, town_settings, day, only={G2, CounterId("ghost")})
    assert dict(part.counters) == {G2: full.counters[G2]}
    assert dict(part.fingerprints) == {G2: full.fingerprints[G2]}
    assert (part.day, part.horizon, part.open_days) == (full.day, full.horizon, full.open_days)
    assert plan_slots(town_hall, town_settings, day, only=()).counters == {}


def test_a_refresh_from_a_partial_plan_plans_the_rest(
    town_hall: Organisation, town_settings: SlotSettings
) -> None:
    day = date(2025, 3, 3)
    part = plan_slots(town_hall, town_settings, day, only={G1})
    update = refresh_plan(part, town_hall, town_settings, day)
    assert update.plan == plan_slots(town_hall, town_settings, day)
    assert update.changed == {G2: None}
