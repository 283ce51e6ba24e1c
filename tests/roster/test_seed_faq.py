"""The seed's two FAQ cases ("Comprendre les liens entre ma GTT et Hopia"), as plain
examples, in the seed's own steps."""

from __future__ import annotations

from datetime import date
from typing import Any

from caredomain.roster import (
    NOT_SENT_UPSTREAM,
    LocalEditOverwritten,
    Provenance,
    Roster,
    apply_feed,
    candidates,
    close_post,
    edit_code,
    swap_days,
)

Kit = Any
TUE, WED = date(2026, 11, 24), date(2026, 11, 25)
POST = "cardio-2026-11-24-M-IDE"


def test_faq_1_a_nurse_posted_on_a_published_planning_falls_sick(fed: Roster, kit: Kit) -> None:
    """1. The manager changes the nurse's code in the GTT, from presence to sick leave.
    2. The feed brings the new code, no manual step. 3. She is unassigned, the post shows
    0/1. 4. The manager lists who is available, competent and not posted; may close the
    post, or swap days."""
    assert fed.post(POST).assigned == ("A1001",)
    outcome = apply_feed(fed, kit.batch(kit.later(16), kit.first_rows({("A1001", TUE): "MAL"})))
    fed.apply(outcome.change)
    assert [u.agent for u in outcome.report.unassigned] == ["A1001"]
    assert str(fed.fill(POST)) == "0/1"
    assert [post.id for post in fed.vacancies()] == [POST]

    found = candidates(fed, POST, explain=True)
    assert [c.agent for c in found.candidates] == ["A1007", "A1005"]  # 0 h, then 7 h 30
    reasons = {e.agent: e.reasons for e in found.excluded or ()}
    assert reasons["A1001"] == ("absent: MAL",)
    assert reasons["A1002"] == ("rest 9 h 30 < 11 h after cardio-2026-11-23-S-IDE",)
    assert reasons["A1006"] == ("absent: RH",)
    assert "missing skill: IDE" in reasons["A2001"]

    closed = Roster(
        fed.catalogue,
        fed.settings,
        agents=fed.agents(),
        plannings=fed.plannings(),
        posts=fed.posts(),
        days=fed.gtt_records().values(),
    )
    closed.apply(close_post(closed, POST, by="cadre"))
    assert str(closed.fill(POST)) == "0/1 closed"
    assert closed.vacancies() == []

    # Or reorganise: Emma works Tuesday's post, and Claire … is sick: Nicolas and Emma
    # exchange Wednesday instead, his morning post against her rest day.
    swapped = swap_days(fed, "A1005", "A1007", [WED], by="cadre", at=kit.later(17))
    fed.apply(swapped)
    assert fed.post("cardio-2026-11-25-M-IDE").assigned == ("A1007",)
    assert fed.code_on("A1007", WED).code == "M"  # type: ignore[union-attr]
    assert fed.code_on("A1005", WED).code == "RH"  # type: ignore[union-attr]


def test_faq_2_case_1_a_local_edit_then_the_same_edit_in_the_gtt_merge(
    fed: Roster, kit: Kit
) -> None:
    """Modified in the scheduling tool, then the same change made in the GTT before the feed
    runs: the GTT's word comes down and merges with what the tool holds."""
    fed.apply(edit_code(fed, "A1005", TUE, "CA", by="cadre", at=kit.later(14)))
    (pending,) = fed.pending_edits()
    assert (pending.agent, pending.code, pending.previous) == ("A1005", "CA", "J")
    assert fed.code_on("A1005", TUE).provenance is Provenance.LOCAL  # type: ignore[union-attr]

    outcome = apply_feed(fed, kit.batch(kit.later(16), kit.first_rows({("A1005", TUE): "CA"})))
    fed.apply(outcome.change)
    assert [(m.edit.code, m.gtt_code) for m in outcome.report.merged] == [("CA", "CA")]
    assert outcome.report.overwritten == ()
    assert fed.pending_edits() == []
    code = fed.code_on("A1005", TUE)
    assert code is not None
    assert (code.code, code.provenance, code.extracted_at) == ("CA", Provenance.GTT, kit.later(16))


def test_faq_2_case_2_a_feed_before_the_gtt_was_changed_overwrites_and_reports(
    fed: Roster, kit: Kit
) -> None:
    """Modified in the scheduling tool only; the feed runs before the GTT is changed: the
    GTT's code overwrites the tool's, and the report says which edit was lost."""
    assert "not sent to the GTT" in NOT_SENT_UPSTREAM
    fed.apply(edit_code(fed, "A1005", TUE, "CA", by="cadre", at=kit.later(14)))
    outcome = apply_feed(fed, kit.batch(kit.later(16), kit.first_rows()))
    fed.apply(outcome.change)
    (lost,) = outcome.report.overwritten
    assert (lost.edit.agent, lost.edit.code, lost.edit.edited_by, lost.gtt_code) == (
        "A1005",
        "CA",
        "cadre",
        "J",
    )
    assert "  local edit OVERWRITTEN: A1005 2026-11-24: local CA (by cadre), GTT J" in (
        outcome.report.lines()
    )
    assert fed.code_on("A1005", TUE).code == "J"  # type: ignore[union-attr]
    assert fed.pending_edits() == []
    events = outcome.change.events(lambda: "e", kit.later(16))
    (event,) = [e for e in events if isinstance(e, LocalEditOverwritten)]
    assert (event.local_code, event.gtt_code, event.edited_by) == ("CA", "J", "cadre")


def test_a_stale_export_neither_merges_nor_overwrites_a_local_edit(fed: Roster, kit: Kit) -> None:
    fed.apply(edit_code(fed, "A1005", TUE, "CA", by="cadre", at=kit.later(14)))
    again = apply_feed(fed, kit.batch(kit.FIRST_EXTRACTION, kit.first_rows()))
    assert again.report.empty
    assert again.report.overwritten == ()
    fed.apply(again.change)
    assert [e.code for e in fed.pending_edits()] == ["CA"]
