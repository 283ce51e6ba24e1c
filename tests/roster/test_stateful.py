"""Properties of the feed over many batches, and a state machine mixing the feed with what
managers do: local edits, publications, assignments, closures and day swaps."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, note
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from caredomain.errors import RuleViolation
from caredomain.roster import (
    Agent,
    AgentId,
    Planning,
    PlanningId,
    PlanningStatus,
    Post,
    Roster,
    apply_feed,
    assign_agent,
    candidates,
    close_post,
    edit_code,
    french_hospital_catalogue,
    publish_planning,
    set_up,
    swap_days,
)
from caredomain.roster.batch import FeedBatch, FeedRow
from caredomain.testing.roster import ReferenceFeed, feed_batches, gtt_state

PARIS = ZoneInfo("Europe/Paris")
DAYS = [date(2026, 11, 23) + timedelta(days=n) for n in range(3)]
AGENTS = ["A1", "A2", "A3", "A4"]
CODES = ["J", "M", "N", "RH", "MAL", "CA", "ZZ"]  # ZZ: unknown
CATALOGUE = french_hospital_catalogue()
batches = feed_batches([*AGENTS, "X9"], DAYS, CODES, times=4, max_rows=10)
EDITS_FROM = datetime(2026, 11, 21, tzinfo=UTC)


def ward(status: PlanningStatus = PlanningStatus.PUBLISHED) -> Roster:
    """Four agents (three nurses, a care assistant), a morning and a night post each day,
    staffed without overlaps or short rests; no GTT code yet."""
    roster = Roster(CATALOGUE)
    agents = [Agent(AgentId(a), a, {"AS"} if a == "A4" else {"IDE"}) for a in AGENTS]
    posts = []
    staff = {0: ("A1", "A2"), 1: ("A1", "A3"), 2: ("A2", "A3")}
    for n, day in enumerate(DAYS):
        morning, night = staff[n]
        posts.append(
            Post.on(
                f"M{n}", "P", day, "06h45-14h15", zone=PARIS, skills=["IDE"], assigned=[morning]
            )
        )
        posts.append(
            Post.on(f"N{n}", "P", day, "21h00-07h00", zone=PARIS, skills=["IDE"], assigned=[night])
        )
    posts.append(
        Post.on("AS1", "P", DAYS[1], "06h45-14h15", zone=PARIS, skills=["AS"], assigned=["A4"])
    )
    planning = Planning(PlanningId("P"), "Cardiologie", status=status)
    roster.apply(set_up(roster, agents=agents, plannings=[planning], posts=posts))
    return roster


def apply(roster: Roster, batch: FeedBatch) -> None:
    roster.apply(apply_feed(roster, batch).change)


@given(st.lists(batches, max_size=6), st.randoms(use_true_random=False))
def test_any_order_of_batches_gives_the_state_of_extraction_order(
    drawn: list[FeedBatch], shuffler: random.Random
) -> None:
    """Codes, their provenance and the assignments they cause: all the same, whatever the
    order in which the batches arrive, duplicates included."""
    in_order = ward()
    for batch in sorted(drawn, key=lambda b: b.extracted_at):
        apply(in_order, batch)
    shuffled = list(drawn) + list(drawn[:2])
    shuffler.shuffle(shuffled)
    any_order = ward()
    for batch in shuffled:
        apply(any_order, batch)
    assert any_order.snapshot() == in_order.snapshot()
    reference = ReferenceFeed(CATALOGUE, AGENTS)
    for batch in drawn:
        reference.apply(batch)
    assert gtt_state(in_order) == reference.state


@st.composite
def exports(draw: st.DrawFn) -> FeedBatch:
    """Batches shaped like a real export, every agent over the same consecutive days, so
    that the one-step comparison of whole agents is what applies them."""
    hour = draw(st.integers(0, 3))
    agents = draw(st.lists(st.sampled_from(AGENTS), min_size=1, max_size=4, unique=True))
    days = DAYS[draw(st.integers(0, 1)) :]
    rows = [(agent, day, draw(st.sampled_from(CODES[:-1]))) for agent in agents for day in days]
    return FeedBatch.of_rows(
        f"export-{hour}",
        EDITS_FROM - timedelta(hours=10 - hour),
        [FeedRow(line, *row) for line, row in enumerate(rows, start=3)],
    )


@given(st.lists(st.one_of(exports(), batches), max_size=6), st.randoms(use_true_random=False))
def test_exports_compared_agent_by_agent_follow_the_rules_row_by_row(
    drawn: list[FeedBatch], shuffler: random.Random
) -> None:
    shuffler.shuffle(drawn)
    roster = ward()
    reference = ReferenceFeed(CATALOGUE, AGENTS)
    for batch in drawn:
        apply(roster, batch)
        reference.apply(batch)
        assert gtt_state(roster) == reference.state


@given(st.lists(batches, min_size=1, max_size=4))
def test_a_batch_applied_again_changes_nothing(drawn: list[FeedBatch]) -> None:
    roster = ward()
    for batch in drawn:
        apply(roster, batch)
    state = roster.snapshot()
    again = apply_feed(roster, drawn[-1])
    roster.apply(again.change)
    assert roster.snapshot() == state
    assert again.report.empty


class RosterMachine(RuleBasedStateMachine):
    """The feed and the managers at work on one ward."""

    @initialize(published=st.booleans())
    def start(self, published: bool) -> None:
        status = PlanningStatus.PUBLISHED if published else PlanningStatus.DRAFT
        self.roster = ward(status)
        self.applied: list[FeedBatch] = []
        self.hour = 0

    def now(self) -> datetime:
        self.hour += 1
        return EDITS_FROM + timedelta(minutes=self.hour)

    @rule(batch=batches, twice=st.booleans())
    def feed(self, batch: FeedBatch, twice: bool) -> None:
        outcome = apply_feed(self.roster, batch)
        self.roster.apply(outcome.change)
        report = outcome.report
        if not report.refused:
            assert report.read == report.applied + report.unchanged + report.stale + len(
                report.rejected
            )
            self.applied.append(batch)
        if twice:
            state = self.roster.snapshot()
            again = apply_feed(self.roster, batch)
            self.roster.apply(again.change)
            assert again.report.empty
            assert self.roster.snapshot() == state

    @rule(
        agent=st.sampled_from(AGENTS), day=st.sampled_from(DAYS), code=st.sampled_from(CODES[:-1])
    )
    def local_edit(self, agent: str, day: date, code: str) -> None:
        self.roster.apply(edit_code(self.roster, agent, day, code, by="cadre", at=self.now()))

    @precondition(lambda self: not self.roster.planning("P").published)
    @rule()
    def publish(self) -> None:
        self.roster.apply(publish_planning(self.roster, "P", by="cadre"))

    @rule(
        post=st.sampled_from(["M0", "N0", "M1", "N1", "M2", "N2", "AS1"]),
        agent=st.sampled_from(AGENTS),
    )
    def assign(self, post: str, agent: str) -> None:
        state = self.roster.snapshot()
        try:
            change = assign_agent(self.roster, post, agent, by="cadre")
        except RuleViolation as refused:
            note(f"assign refused: {refused}")
            assert self.roster.snapshot() == state
            return
        assert agent in [c.agent for c in candidates(self.roster, post, limit=10).candidates]
        self.roster.apply(change)

    @rule(post=st.sampled_from(["M0", "N0", "M1", "N1", "M2", "N2", "AS1"]))
    def close(self, post: str) -> None:
        try:
            self.roster.apply(close_post(self.roster, post, by="cadre"))
        except RuleViolation as refused:
            note(f"close refused: {refused}")

    @rule(
        a=st.sampled_from(AGENTS),
        b=st.sampled_from(AGENTS),
        days=st.sets(st.sampled_from(DAYS), min_size=1, max_size=2),
    )
    def swap(self, a: str, b: str, days: set[date]) -> None:
        state = self.roster.snapshot()
        try:
            change = swap_days(self.roster, a, b, days, by="cadre", at=self.now())
        except RuleViolation as refused:
            note(f"swap refused: {refused}")
            assert self.roster.snapshot() == state  # refused as a whole: nothing changed
            return
        self.roster.apply(change)

    @invariant()
    def nobody_absent_is_posted(self) -> None:
        for post in self.roster.posts():
            for agent in post.assigned:
                code = self.roster.effective_code(agent, post.day.toordinal())
                assert not self.roster.catalogue.is_absence(code), (agent, post.id, code)

    @invariant()
    def no_post_holds_more_agents_than_required_and_the_fill_shows_them(self) -> None:
        for post in self.roster.posts():
            assert len(post.assigned) <= post.required
            shown = f"{len(post.assigned)}/{post.required}" + (" closed" if post.closed else "")
            assert str(post.fill) == shown

    @invariant()
    def nobody_holds_overlapping_posts(self) -> None:
        for agent in AGENTS:
            posts = self.roster.posts_of(agent, DAYS[0] - timedelta(days=1), DAYS[-1])
            for first, second in itertools.pairwise(posts):
                assert first.end <= second.start, (agent, first.id, second.id)

    @invariant()
    def the_gtt_state_is_that_of_the_batches_in_extraction_order(self) -> None:
        fresh = ward()
        for batch in sorted(self.applied, key=lambda b: b.extracted_at):
            apply(fresh, batch)
        assert gtt_state(self.roster) == gtt_state(fresh)
        reference = ReferenceFeed(CATALOGUE, AGENTS)
        for batch in self.applied:
            reference.apply(batch)
        assert gtt_state(self.roster) == reference.state

    @invariant()
    def a_pending_edit_differs_from_the_gtt(self) -> None:
        for edit in self.roster.pending_edits():
            record = self.roster.gtt_days(edit.agent)
            assert edit.code != (record.code_at(edit.day.toordinal()) if record else None)

    @invariant()
    def the_candidates_index_agrees_with_a_fresh_one(self) -> None:
        roster = self.roster
        fresh = Roster(
            roster.catalogue,
            roster.settings,
            agents=roster.agents(),
            plannings=roster.plannings(),
            posts=roster.posts(),
            days=roster.gtt_records().values(),
            edits=roster.pending_edits(),
        )
        for post in ("M1", "N2"):
            assert candidates(roster, post, explain=True) == candidates(fresh, post, explain=True)


TestRosterMachine = RosterMachine.TestCase
