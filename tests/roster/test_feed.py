"""The feed application, rule by rule (seed 000, design §6 "roster")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from caredomain.roster import (
    AgentUnassigned,
    GttBatchApplied,
    PostVacated,
    Provenance,
    Roster,
    RowVerdict,
    apply_feed,
    late_rows_never_regress,
)
from caredomain.roster.batch import FeedBatch, FeedRejection, FeedRow
from caredomain.roster.feed import apply_codes, settle_absences

Kit = Any
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


def applied(roster: Roster, batch: FeedBatch) -> Any:
    outcome = apply_feed(roster, batch)
    roster.apply(outcome.change)
    return outcome.report


def test_late_rows_never_regress_is_a_total_order_of_extraction_then_code() -> None:
    assert late_rows_never_regress(5, 4, "J", "MAL") is RowVerdict.NEWER
    assert late_rows_never_regress(3, 4, "J", "MAL") is RowVerdict.STALE
    assert late_rows_never_regress(4, 4, "MAL", "MAL") is RowVerdict.SAME
    # Two batches of the same instant disagree: the greater code wins, whichever came first.
    assert late_rows_never_regress(4, 4, "RH", "MAL") is RowVerdict.NEWER
    assert late_rows_never_regress(4, 4, "MAL", "RH") is RowVerdict.STALE
    assert late_rows_never_regress(4, 0, "J", None) is RowVerdict.NEWER


def test_the_first_export_is_applied_with_its_extraction_time(fed: Roster, kit: Kit) -> None:
    code = fed.code_on("A1001", TUE)
    assert code is not None
    assert (code.code, code.provenance, code.extracted_at) == (
        "M",
        Provenance.GTT,
        kit.FIRST_EXTRACTION,
    )
    assert fed.code_on("A1001", date(2026, 11, 26)) is None


def test_a_late_batch_never_regresses(fed: Roster, kit: Kit) -> None:
    newer = kit.batch(kit.later(4), [("A1005", TUE, "CA")])
    assert applied(fed, newer).applied == 1
    late = kit.batch(kit.later(2), [("A1005", TUE, "J"), ("A1005", WED, "RH")])
    report = applied(fed, late)
    # Staleness is per agent-day: Tuesday was stated at +4 h, Wednesday only at +0 h.
    assert (report.applied, report.stale) == (1, 1)
    assert fed.code_on("A1005", TUE).code == "CA"  # type: ignore[union-attr]
    assert fed.code_on("A1005", WED).code == "RH"  # type: ignore[union-attr]
    older = kit.batch(kit.later(1), [("A1005", TUE, "J"), ("A1005", WED, "M")])
    assert applied(fed, older).stale == 2


def test_a_late_batch_still_fills_days_never_stated(fed: Roster, kit: Kit) -> None:
    thursday = WED + timedelta(days=1)
    late = kit.batch(kit.later(-10), [("A1005", thursday, "J"), ("A1005", TUE, "MAL")])
    report = applied(fed, late)
    assert (report.applied, report.stale) == (1, 1)
    assert fed.code_on("A1005", thursday).code == "J"  # type: ignore[union-attr]


def test_a_batch_confirming_every_day_is_unchanged_but_moves_the_time_on(
    fed: Roster, kit: Kit
) -> None:
    report = applied(fed, kit.batch(kit.later(6), kit.first_rows()))
    assert (report.applied, report.unchanged, report.stale) == (0, 27, 0)
    assert report.empty
    assert fed.code_on("A1003", MON).extracted_at == kit.later(6)  # type: ignore[union-attr]
    # The confirmation counts: an export extracted in between is now late.
    between = applied(fed, kit.batch(kit.later(3), [("A1003", MON, "MAL")]))
    assert (between.applied, between.stale) == (0, 1)
    assert fed.posted_on("A1003", MON)


def test_the_same_batch_twice_gives_the_same_state_and_an_empty_report(
    roster: Roster, kit: Kit
) -> None:
    batch = kit.batch(kit.FIRST_EXTRACTION, kit.first_rows({("A1001", TUE): "MAL"}))
    first = applied(roster, batch)
    assert first.applied == 27
    assert first.unassigned
    state = roster.snapshot()
    second = apply_feed(roster, batch)
    roster.apply(second.change)
    assert roster.snapshot() == state
    assert second.report.empty
    assert (second.report.read, second.report.unchanged) == (27, 27)
    assert not second.report.unassigned
    assert not second.report.vacated
    events = second.change.events(lambda: "x", kit.later(1))
    assert [type(event) for event in events] == [GttBatchApplied]


@pytest.mark.parametrize("bad", ["ZZ", "mal", " MAL", ""])
def test_an_unknown_code_is_never_guessed(fed: Roster, kit: Kit, bad: str) -> None:
    batch = kit.batch(kit.later(1), [("A1001", TUE, bad), ("A1002", TUE, "CA")], strict=False)
    report = applied(fed, batch)
    assert report.applied == 1
    (rejected,) = report.rejected
    assert rejected.line == 3
    assert rejected.reason.startswith(f"unknown code {bad!r}")
    assert fed.code_on("A1001", TUE).code == "M"  # type: ignore[union-attr]
    if bad == "mal":
        assert "case-sensitive" in rejected.reason


def test_an_unknown_agent_is_never_guessed(fed: Roster, kit: Kit) -> None:
    batch = kit.batch(kit.later(1), [("A9999", TUE, "MAL"), ("a1001", TUE, "MAL")], strict=False)
    report = applied(fed, batch)
    assert [r.reason for r in report.rejected] == ["unknown agent 'A9999'", "unknown agent 'a1001'"]
    assert report.applied == 0
    assert fed.gtt_days("A9999") is None


def test_an_agent_day_given_twice_in_a_batch_is_rejected(fed: Roster, kit: Kit) -> None:
    rows = [("A1005", TUE, "CA"), ("A1005", WED, "CA"), ("A1005", TUE, "MAL")]
    report = applied(fed, kit.batch(kit.later(1), rows, strict=False))
    assert report.applied == 2
    (rejected,) = report.rejected
    assert (rejected.line, rejected.reason) == (5, "agent-day already given on line 3")
    assert fed.code_on("A1005", TUE).code == "CA"  # type: ignore[union-attr]


def test_a_strict_batch_with_a_bad_row_changes_nothing(fed: Roster, kit: Kit) -> None:
    state = fed.snapshot()
    rows = kit.first_rows({("A1001", TUE): "MAL", ("A1002", TUE): "XX"})
    outcome = apply_feed(fed, kit.batch(kit.later(1), rows))
    assert outcome.report.refused
    assert outcome.change.empty
    assert [r.line for r in outcome.report.rejected] == [7]
    assert "REFUSED" in outcome.report.lines()[0]
    fed.apply(outcome.change)
    assert fed.snapshot() == state


def test_rows_the_reader_could_not_read_are_reported_and_refuse_a_strict_batch(
    fed: Roster, kit: Kit
) -> None:
    rows = [FeedRow(3, "A1005", TUE, "CA")]
    bad = [FeedRejection(4, "not a day: '31/02/2026'", "A1005;x;y;31/02/2026;CA")]
    lenient = FeedBatch.of_rows("f", kit.later(1), rows, rejected=bad, strict=False)
    report = apply_feed(fed, lenient).report
    assert (report.read, report.applied, report.rejected) == (2, 1, tuple(bad))
    strict = FeedBatch.of_rows("f", kit.later(1), rows, rejected=bad)
    assert apply_feed(fed, strict).report.refused


def test_the_counts_add_up(fed: Roster, kit: Kit) -> None:
    rows = [
        ("A1005", TUE, "CA"),  # applied
        ("A1005", WED, "M"),  # unchanged
        ("A9999", WED, "M"),  # rejected
        ("A1006", MON, "ZZ"),  # rejected
    ]
    report = applied(fed, kit.batch(kit.later(1), rows, strict=False))
    stale = applied(fed, kit.batch(kit.later(0.5), [("A1005", TUE, "J")])).stale
    assert (report.read, report.applied, report.unchanged, len(report.rejected)) == (4, 1, 1, 2)
    assert report.read == report.applied + report.unchanged + report.stale + len(report.rejected)
    assert stale == 1


def test_an_absence_on_a_published_post_unassigns_and_vacates(fed: Roster, kit: Kit) -> None:
    outcome = apply_feed(fed, kit.batch(kit.later(16), [("A1001", TUE, "MAL")]))
    report = outcome.report
    assert [(u.agent, u.post, u.code) for u in report.unassigned] == [
        ("A1001", "cardio-2026-11-24-M-IDE", "MAL")
    ]
    (vacated,) = report.vacated
    assert (vacated.id, str(vacated.fill)) == ("cardio-2026-11-24-M-IDE", "0/1")
    events = outcome.change.events(iter(str(n) for n in range(10)).__next__, kit.later(16))
    assert [type(e).__name__ for e in events] == [
        "AgentUnassigned",
        "PostVacated",
        "GttBatchApplied",
    ]
    unassigned, vacated_event = events[0], events[1]
    assert isinstance(unassigned, AgentUnassigned)
    assert unassigned.code == "MAL"
    assert isinstance(vacated_event, PostVacated)
    assert vacated_event.fill == "0/1"
    assert vacated_event.unit == "Cardiologie"
    fed.apply(outcome.change)
    assert str(fed.fill("cardio-2026-11-24-M-IDE")) == "0/1"
    assert [post.id for post in fed.vacancies(TUE)] == ["cardio-2026-11-24-M-IDE"]
    assert fed.posted_on("A1001", MON)  # Monday is untouched


def test_an_absence_on_a_draft_planning_unassigns_without_a_vacancy(ward: Any, kit: Kit) -> None:
    from attrs import evolve

    from caredomain.roster import PlanningStatus, french_hospital_catalogue, set_up

    draft = Roster(french_hospital_catalogue(), ward.settings)
    plannings = [evolve(p, status=PlanningStatus.DRAFT) for p in ward.plannings]
    draft.apply(set_up(draft, agents=ward.agents, plannings=plannings, posts=ward.posts))
    report = applied(
        draft, kit.batch(kit.FIRST_EXTRACTION, kit.first_rows({("A1001", TUE): "RTT"}))
    )
    assert [u.agent for u in report.unassigned] == ["A1001"]
    assert report.vacated == ()
    assert draft.vacancies() == []


def test_a_withdrawn_absence_brings_the_agent_back_while_the_post_waits(
    fed: Roster, kit: Kit
) -> None:
    applied(fed, kit.batch(kit.later(16), [("A1001", TUE, "MAL")]))
    report = applied(fed, kit.batch(kit.later(17), [("A1001", TUE, "M")]))
    assert [(r.agent, r.post, r.code) for r in report.reassigned] == [
        ("A1001", "cardio-2026-11-24-M-IDE", "M")
    ]
    assert str(fed.fill("cardio-2026-11-24-M-IDE")) == "1/1"
    assert fed.vacancies() == []


def test_a_vacancy_the_manager_handled_does_not_take_the_agent_back(fed: Roster, kit: Kit) -> None:
    from caredomain.roster import assign_agent

    applied(fed, kit.batch(kit.later(16), [("A1001", TUE, "MAL")]))
    fed.apply(assign_agent(fed, "cardio-2026-11-24-M-IDE", "A1007", by="cadre"))
    report = applied(fed, kit.batch(kit.later(17), [("A1001", TUE, "M")]))
    assert report.reassigned == ()
    assert fed.post("cardio-2026-11-24-M-IDE").assigned == ("A1007",)


def test_the_two_steps_give_what_apply_feed_gives(fed: Roster, kit: Kit) -> None:
    batch = kit.batch(kit.later(16), kit.first_rows({("A1001", TUE): "MAL", ("A1003", MON): "AT"}))
    changes = apply_codes(fed, batch)
    assert {(agent, ordinal) for agent, ordinal, _, _ in changes.flips} == {
        ("A1001", TUE.toordinal()),
        ("A1003", MON.toordinal()),
    }
    assert ("A1003", TUE) in changes.flipped_days() or ("A1003", MON) in changes.flipped_days()
    assert settle_absences(fed, changes) == apply_feed(fed, batch)


def test_rows_out_of_order_and_agents_scattered_give_the_same_state(
    roster: Roster, kit: Kit
) -> None:
    rows = kit.first_rows({("A1001", TUE): "MAL"})
    in_order = Roster(
        roster.catalogue,
        roster.settings,
        agents=roster.agents(),
        plannings=roster.plannings(),
        posts=roster.posts(),
    )
    applied(in_order, kit.batch(kit.FIRST_EXTRACTION, rows))
    shuffled = rows[1::2] + rows[::2]
    report = applied(roster, kit.batch(kit.FIRST_EXTRACTION, shuffled))
    assert report.applied == 27
    assert roster.snapshot() == in_order.snapshot()


def test_the_report_lines_name_what_happened(fed: Roster, kit: Kit) -> None:
    report = apply_feed(
        fed, kit.batch(kit.later(16), [("A1001", TUE, "MAL")], source="g.csv")
    ).report
    lines = report.lines(kit.PARIS)
    assert lines[0] == "g.csv (extracted 2026-11-23T10:00+01:00)"
    assert lines[1] == "  rows read 1, applied 1, unchanged 0, stale 0, rejected 0"
    assert "  unassigned: A1001 off cardio-2026-11-24-M-IDE on 2026-11-24 (MAL)" in lines
    assert "  vacated: cardio-2026-11-24-M-IDE on 2026-11-24 0/1" in lines
