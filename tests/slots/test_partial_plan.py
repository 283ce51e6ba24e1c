"""A partial plan (the counters a use case lists or books) is the full plan's part, and a
refresh from it plans the others in full."""

from __future__ import annotations

from datetime import date

import pytest

from caredomain import Organisation
from caredomain.slots import CounterId, SlotSettings, plan_slots, refresh_plan
from caredomain.slots.ports import PlanBasis
from caredomain.slots.services import agendas

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


def test_the_plans_kept_per_settings_version_are_each_the_full_plans_part(
    town_hall: Organisation, town_settings: SlotSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the use cases keep of one settings version: the plan of each set of counters
    asked for, the same whether asked first, asked again, or asked after it was forgotten
    (two kept at most here), and a new basis plans afresh."""
    monkeypatch.setattr(agendas, "_VIEWS", 2)
    derived = agendas.DerivedFromSettings(town_settings)
    basis = PlanBasis(date(2025, 3, 28), town_hall.zone, town_hall.calendar)
    full = basis.rebuild(town_hall, town_settings)
    for asked in ({G1}, {G2}, None, {G1}, {G1, G2}, {G2, CounterId("ghost")}, set()):
        first, again = (derived.plan(basis, town_hall, asked) for _ in range(2))
        assert again is first
        wanted = [c for c in (G1, G2) if asked is None or c in asked]
        assert dict(first.counters) == {c: full.counters[c] for c in wanted}
        assert dict(first.fingerprints) == {c: full.fingerprints[c] for c in wanted}
        assert (first.day, first.horizon, first.open_days) == (
            full.day,
            full.horizon,
            full.open_days,
        )
    later = PlanBasis(date(2025, 3, 29), town_hall.zone, town_hall.calendar)
    assert derived.plan(later, town_hall, set()).day == date(2025, 3, 29)  # kept, for the other
