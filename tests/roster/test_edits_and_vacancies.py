"""Local edits, candidates, assigning, closing a post and swapping days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from caredomain import InvalidInput, NotFound, RuleViolation
from caredomain.roster import (
    DaysSwapped,
    LocalCodeEdited,
    Roster,
    SwapRefused,
    apply_feed,
    assign_agent,
    candidates,
    close_post,
    edit_code,
    swap_days,
)

Kit = Any
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
TUE_M = "cardio-2026-11-24-M-IDE"


def sick(fed: Roster, kit: Kit) -> None:
    fed.apply(apply_feed(fed, kit.batch(kit.later(16), [("A1001", TUE, "MAL")])).change)


# -- local edits ------------------------------------------------------------------------


def test_a_local_edit_is_pending_until_the_gtt_speaks(fed: Roster, kit: Kit) -> None:
    change = edit_code(fed, "A1002", TUE, "CA", by="cadre", at=kit.later(3))
    (event,) = change.events(lambda: "e", kit.later(3))
    assert isinstance(event, LocalCodeEdited)
    assert (event.code, event.previous, event.by) == ("CA", "J", "cadre")
    fed.apply(change)
    assert [str(e) for e in fed.pending_edits()] == ["A1002 2026-11-24 CA (was J) by cadre"]
    assert fed.pending_edits("A1001") == []


def test_setting_back_the_gtt_code_withdraws_the_edit(fed: Roster, kit: Kit) -> None:
    fed.apply(edit_code(fed, "A1002", TUE, "CA", by="cadre", at=kit.later(3)))
    fed.apply(edit_code(fed, "A1002", TUE, "J", by="cadre", at=kit.later(4)))
    assert fed.pending_edits() == []
    assert edit_code(fed, "A1002", TUE, "J", by="cadre", at=kit.later(5)).empty


def test_a_local_absence_unassigns_like_a_feed_one_and_its_withdrawal_brings_her_back(
    fed: Roster, kit: Kit
) -> None:
    change = edit_code(fed, "A1001", TUE, "ENF", by="cadre", at=kit.later(3))
    assert [e.kind for e in change.events(lambda: "e", kit.later(3))] == [
        "LocalCodeEdited",
        "AgentUnassigned",
        "PostVacated",
    ]
    fed.apply(change)
    assert str(fed.fill(TUE_M)) == "0/1"
    fed.apply(edit_code(fed, "A1001", TUE, "M", by="cadre", at=kit.later(4)))
    assert fed.post(TUE_M).assigned == ("A1001",)


@pytest.mark.parametrize(
    ("agent", "code", "error"), [("A9", "CA", NotFound), ("A1001", "XX", InvalidInput)]
)
def test_a_local_edit_names_a_known_agent_and_code(
    fed: Roster, kit: Kit, agent: str, code: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        edit_code(fed, agent, TUE, code, by="cadre", at=kit.later(1))


# -- candidates -------------------------------------------------------------------------


def test_candidates_are_ranked_by_hours_that_week_then_rest(fed: Roster, kit: Kit) -> None:
    sick(fed, kit)
    found = candidates(fed, TUE_M)
    assert [(str(c.week_hours), c.rest_before, c.rest_after) for c in found.candidates] == [
        ("0:00:00", None, None),
        ("7:30:00", None, timedelta(hours=16, minutes=30)),
    ]
    assert str(found.candidates[1]) == "A1005  7 h 30 this week, rest 16 h 30"
    assert found.excluded is None
    assert [c.agent for c in candidates(fed, TUE_M, limit=1).candidates] == ["A1007"]
    with pytest.raises(InvalidInput):
        candidates(fed, TUE_M, limit=0)


def test_excluded_agents_come_with_every_reason(fed: Roster, kit: Kit) -> None:
    sick(fed, kit)
    excluded = {e.agent: e.reasons for e in candidates(fed, TUE_M, explain=True).excluded or ()}
    assert excluded == {
        "A1001": ("absent: MAL",),
        "A1002": ("rest 9 h 30 < 11 h after cardio-2026-11-23-S-IDE",),
        "A1003": (
            "already posted: cardio-2026-11-23-N-IDE",
            "rest 6 h 45 < 11 h before cardio-2026-11-24-N-IDE",
        ),
        "A1004": ("already posted: cardio-2026-11-24-S-IDE",),
        "A1006": ("absent: RH",),
        "A2001": ("absent: RH", "missing skill: IDE"),
        "A2002": ("missing skill: IDE", "already posted: cardio-2026-11-24-M-AS"),
    }


def test_the_minimum_rest_is_a_setting(ward: Any, kit: Kit) -> None:
    from attrs import evolve

    from caredomain.roster import french_hospital_catalogue, set_up

    settings = evolve(ward.settings, minimum_rest=timedelta(hours=9))
    roster = Roster(french_hospital_catalogue(), settings)
    roster.apply(set_up(roster, agents=ward.agents, plannings=ward.plannings, posts=ward.posts))
    roster.apply(apply_feed(roster, kit.batch(kit.FIRST_EXTRACTION, kit.first_rows())).change)
    sick(roster, kit)
    assert "A1002" in [c.agent for c in candidates(roster, TUE_M).candidates]


def test_the_candidates_index_follows_every_change(fed: Roster, kit: Kit) -> None:
    sick(fed, kit)
    before = candidates(fed, TUE_M, explain=True)  # builds the index
    fed.apply(assign_agent(fed, TUE_M, "A1007", by="cadre"))
    fed.apply(edit_code(fed, "A1005", TUE, "FOR", by="cadre", at=kit.later(17)))
    fed.apply(apply_feed(fed, kit.batch(kit.later(18), [("A1006", TUE, "J")])).change)
    fresh = Roster(
        fed.catalogue,
        fed.settings,
        agents=fed.agents(),
        plannings=fed.plannings(),
        posts=fed.posts(),
        days=fed.gtt_records().values(),
        edits=fed.pending_edits(),
    )
    for post in fed.posts():
        assert candidates(fed, post.id, explain=True) == candidates(fresh, post.id, explain=True)
    assert before != candidates(fed, TUE_M, explain=True)


# -- assigning and closing --------------------------------------------------------------


def test_assigning_checks_what_candidates_check(fed: Roster, kit: Kit) -> None:
    sick(fed, kit)
    with pytest.raises(RuleViolation, match="rest 9 h 30 < 11 h") as refused:
        assign_agent(fed, TUE_M, "A1002", by="cadre")
    assert refused.value.code == "roster.cannot_assign"
    change = assign_agent(fed, TUE_M, "A1007", by="cadre")
    (event,) = change.events(lambda: "e", kit.later(17))
    assert (event.kind, event.fill) == ("AgentAssigned", "1/1")
    fed.apply(change)
    with pytest.raises(RuleViolation, match="no vacant position"):
        assign_agent(fed, TUE_M, "A1005", by="cadre")
    with pytest.raises(RuleViolation, match="already holds"):
        assign_agent(fed, TUE_M, "A1007", by="cadre")


def test_closing_a_vacant_post(fed: Roster, kit: Kit) -> None:
    with pytest.raises(RuleViolation, match="no vacant position"):
        close_post(fed, TUE_M, by="cadre")
    sick(fed, kit)
    fed.apply(close_post(fed, TUE_M, by="cadre"))
    assert str(fed.fill(TUE_M)) == "0/1 closed"
    assert fed.vacancies() == []
    with pytest.raises(RuleViolation, match="already closed"):
        close_post(fed, TUE_M, by="cadre")
    with pytest.raises(RuleViolation):
        assign_agent(fed, TUE_M, "A1007", by="cadre")
    # Closed: her withdrawn absence no longer brings her back.
    fed.apply(apply_feed(fed, kit.batch(kit.later(20), [("A1001", TUE, "M")])).change)
    assert fed.post(TUE_M).assigned == ()


# -- day swaps --------------------------------------------------------------------------


def test_a_swap_exchanges_codes_and_posts_as_one_change(fed: Roster, kit: Kit) -> None:
    change = swap_days(fed, "A1002", "A1007", [WED], by="cadre", at=kit.later(2))
    (event,) = change.events(lambda: "e", kit.later(2))
    assert isinstance(event, DaysSwapped)
    assert (event.days, event.posts) == ((WED,), ("cardio-2026-11-25-S-IDE",))
    fed.apply(change)
    assert fed.post("cardio-2026-11-25-S-IDE").assigned == ("A1007",)
    assert [(e.agent, e.code) for e in fed.pending_edits()] == [("A1002", "RH"), ("A1007", "S")]
    # The GTT not changed meanwhile, the next feed overwrites both edits and, Emma being
    # back on rest, takes her off the post: update the GTT first.
    outcome = apply_feed(fed, kit.batch(kit.later(3), kit.first_rows()))
    assert len(outcome.report.overwritten) == 2
    assert [u.agent for u in outcome.report.unassigned] == ["A1007"]


def test_a_swap_is_refused_as_a_whole_with_every_reason(fed: Roster, kit: Kit) -> None:
    sick(fed, kit)
    state = fed.snapshot()
    with pytest.raises(SwapRefused) as refused:
        swap_days(fed, "A1001", "A1004", [TUE], by="cadre", at=kit.later(17))
    assert refused.value.reasons == (
        "A1001 holds MAL (Congé maladie ordinaire (arrêt)) on 2026-11-24, "
        "which cannot be exchanged",
    )
    with pytest.raises(SwapRefused) as refused:
        swap_days(fed, "A1002", "A2001", [MON], by="cadre", at=kit.later(17))
    assert refused.value.reasons == (
        "A2001 on cardio-2026-11-23-S-IDE: missing skill: IDE",
        "A1002 on cardio-2026-11-23-M-AS: missing skill: AS",
    )
    with pytest.raises(SwapRefused) as refused:
        swap_days(fed, "A1004", "A1005", [WED], by="cadre", at=kit.later(17))
    assert refused.value.reasons == (
        "A1004 on cardio-2026-11-25-M-IDE: rest 9 h 30 < 11 h after cardio-2026-11-24-S-IDE",
    )
    with pytest.raises(SwapRefused, match="same codes and posts"):
        swap_days(fed, "A1005", "A1007", [TUE], by="cadre", at=kit.later(17))
    with pytest.raises(SwapRefused, match="with herself"):
        swap_days(fed, "A1005", "A1005", [TUE], by="cadre", at=kit.later(17))
    with pytest.raises(InvalidInput):
        swap_days(fed, "A1005", "A1007", [], by="cadre", at=kit.later(17))
    assert fed.snapshot() == state
