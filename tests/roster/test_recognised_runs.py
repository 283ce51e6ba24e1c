"""Runs of lines a reader recognised stand for their rows: applying a batch with them gives
what applying it with every row parsed gives, or asks for the rows (``ReadInFull``)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput, RuleViolation
from caredomain.roster import (
    Agent,
    AgentId,
    Roster,
    apply_feed,
    edit_code,
    french_hospital_catalogue,
    set_up,
)
from caredomain.roster.batch import FeedBatch, FeedRow, RecognisedRun
from caredomain.roster.feed_runs import ReadInFull
from caredomain.testing.roster import feed_batches

DAYS = [date(2026, 11, 23) + timedelta(days=n) for n in range(3)]
AGENTS = ["A1", "A2", "A3"]
CODES = ["J", "M", "RH", "MAL", "ZZ"]  # ZZ: unknown
START = datetime(2026, 11, 20, 6, tzinfo=UTC)


def roster() -> Roster:
    roster = Roster(french_hospital_catalogue())
    roster.apply(set_up(roster, agents=[Agent(AgentId(a), a, {"IDE"}) for a in AGENTS]))
    return roster


def runs(batch: FeedBatch) -> list[tuple[int, int]]:
    """Each run of consecutive rows of one agent: (start, end)."""
    agents = list(batch.agents)
    starts = [i for i in range(len(agents)) if i == 0 or agents[i] != agents[i - 1]]
    return list(zip(starts, [*starts[1:], len(agents)][: len(starts)], strict=True))


def row_digest(agent: str, day: date, code: str) -> bytes:
    return hashlib.sha256(repr((agent, day, code)).encode()).digest()[:16]


def digested(batch: FeedBatch) -> FeedBatch:
    """The batch with each run's digest, as a reader gives it: its groups' digests end to
    end, each standing for its content (agent, day, code), as the digest of lines does. A
    group is one row here."""
    rows = batch.rows
    digests = {
        start: b"".join(row_digest(r.agent, r.day, r.code) for r in rows[start:end])
        for start, end in runs(batch)
    }
    return attrs.evolve(batch, run_digests=digests)


def recognising(batch: FeedBatch, roster: Roster) -> FeedBatch:
    """``batch`` as a recognising reader gives it: each run whose groups a record holds, in
    their places, left unparsed but for the groups it does not hold."""
    held: dict[bytes, tuple[str, int, bytes]] = {}
    for record in roster.gtt_records().values():
        for place in range(len(record.digest) // 16):
            held[record.digest[place * 16 : place * 16 + 16]] = (
                record.agent,
                place,
                record.digest,
            )
    rows = batch.rows
    kept: list[FeedRow] = []
    parsed_runs: list[tuple[int, int, bytes]] = []
    recognised = []
    for start, end in runs(batch):
        digest = batch.run_digests[start]
        hits = [held.get(digest[k * 16 : k * 16 + 16]) for k in range(end - start)]
        found = {(hit[0], hit[2]) for k, hit in enumerate(hits) if hit and hit[1] == k}
        in_place = all(hit is None or hit[1] == k for k, hit in enumerate(hits))
        if len(found) == 1 and in_place:
            ((agent, basis),) = found
            parsed = tuple(
                (k, rows[start + k].day, rows[start + k].code)
                for k, hit in enumerate(hits)
                if hit is None
            )
            recognised.append(
                RecognisedRun(
                    agent, digest, rows[start].line, end - start, parsed=parsed, basis=basis
                )
            )
        else:
            parsed_runs.append((len(kept), end - start, digest))
            kept += rows[start:end]
    parsed_rows = FeedBatch.of_rows(
        batch.source, batch.extracted_at, kept, rejected=batch.rejected, strict=batch.strict
    )
    # As the reader does: a run of lines keeps its digest only where it is still one agent's
    # whole run of rows (two runs of hers around a recognised one become one run of rows).
    ends = {start for start, _ in runs(parsed_rows)} | {len(kept)}
    digests = {
        first: digest
        for first, count, digest in parsed_runs
        if first in ends and first + count in ends
    }
    return attrs.evolve(parsed_rows, run_digests=digests, recognised=recognised)


@st.composite
def exports(draw: st.DrawFn) -> FeedBatch:
    """Every agent over the same consecutive days, strict."""
    hour = draw(st.integers(0, 3))
    agents = draw(st.lists(st.sampled_from(AGENTS), min_size=1, max_size=3, unique=True))
    days = DAYS[draw(st.integers(0, 1)) :]
    rows = [(agent, day, draw(st.sampled_from(CODES[:-1]))) for agent in agents for day in days]
    return FeedBatch.of_rows(
        f"export-{hour}",
        START + timedelta(hours=hour),
        [FeedRow(line, *row) for line, row in enumerate(rows, start=3)],
    )


def restated(batch: FeedBatch, hours: int, change: random.Random) -> FeedBatch:
    """The same export extracted ``hours`` later, perhaps with one code changed."""
    rows = batch.rows
    if rows and change.random() < 0.5:
        k = change.randrange(len(rows))
        rows[k] = rows[k]._replace(code=change.choice(CODES[:-1]))
    return FeedBatch.of_rows(
        batch.source, batch.extracted_at + timedelta(hours=hours), rows, strict=batch.strict
    )


def gtt_state(fed: Roster) -> dict[str, tuple[int, str, tuple[int, ...], bytes]]:
    """What the records mean: each day's code and the time of the latest batch that stated it
    (a batch confirming every day in one step keeps it in ``confirmed``, one applied row by row
    in each day's time: later batches read them alike), and the digest."""
    return {
        agent: (
            record.first,
            record.codes,
            tuple(record.held_at(record.first + n) for n in range(len(record.times))),
            record.digest,
        )
        for agent, record in fed.gtt_records().items()
    }


edits = st.tuples(st.sampled_from(AGENTS), st.sampled_from(DAYS), st.sampled_from(CODES))
steps = st.one_of(
    exports(),
    feed_batches([*AGENTS, "X9"], DAYS, CODES, times=4, max_rows=8),
    edits,
)


@given(st.lists(steps, max_size=8), st.randoms(use_true_random=False))
def test_recognised_runs_give_what_their_rows_give(
    drawn: list[FeedBatch | tuple[str, date, str]], chance: random.Random
) -> None:
    full, fast = roster(), roster()
    for step in drawn:
        if isinstance(step, tuple):
            agent, day, code = step
            try:
                change = edit_code(full, agent, day, code, by="cadre", at=START)
            except (RuleViolation, InvalidInput):
                continue
            full.apply(change)
            fast.apply(change)
            continue
        batches = [step]
        if chance.random() < 0.6:
            batches.append(restated(step, chance.choice([-1, 0, 1, 5]), chance))
        for batch in map(digested, batches):
            expected = apply_feed(full, batch)
            try:
                given = recognising(batch, fast)
                got = apply_feed(fast, given)
                event("applied with its recognised runs")
                if any(run.parsed for run in given.recognised):
                    event("some partly parsed")
            except ReadInFull:
                event("read in full")
                got = apply_feed(fast, batch)
            assert got.report == expected.report
            full.apply(expected.change)
            fast.apply(got.change)
            assert fast.snapshot() == full.snapshot()
            assert gtt_state(fast) == gtt_state(full)


def test_an_export_stated_again_is_confirmed_without_its_rows() -> None:
    fed = roster()
    rows = [
        FeedRow(3 + n, agent, day, "J")
        for n, (agent, day) in enumerate((agent, day) for agent in AGENTS for day in DAYS)
    ]
    first = digested(FeedBatch.of_rows("e1", START, rows))
    fed.apply(apply_feed(fed, first).change)
    again = recognising(digested(FeedBatch.of_rows("e2", START + timedelta(hours=6), rows)), fed)
    assert len(again) == 0
    assert [run.agent for run in again.recognised] == AGENTS
    outcome = apply_feed(fed, again)
    assert (outcome.report.read, outcome.report.unchanged, outcome.report.applied) == (9, 9, 0)
    assert outcome.change.confirmed == tuple(AGENTS)
    fed.apply(outcome.change)
    assert fed.gtt_records()[AgentId("A1")].held_at(DAYS[0].toordinal()) == (
        fed.gtt_records()[AgentId("A1")].confirmed
    )


@pytest.mark.parametrize(
    ("why", "prepare"),
    [
        ("a local edit", "edit"),
        ("a later batch", "older"),
        ("her rows are elsewhere in the batch too", "twice"),
    ],
)
def test_a_run_that_cannot_stand_for_its_rows_asks_for_them(why: str, prepare: str) -> None:
    fed = roster()
    rows = [FeedRow(3 + n, "A1", day, "J") for n, day in enumerate(DAYS)]
    fed.apply(apply_feed(fed, digested(FeedBatch.of_rows("e1", START, rows))).change)
    extracted = START + timedelta(hours=-1 if prepare == "older" else 6)
    if prepare == "edit":
        fed.apply(edit_code(fed, "A1", DAYS[0], "MAL", by="cadre", at=START))
    if prepare == "twice":
        rows = [*rows, FeedRow(6, "A2", DAYS[0], "J"), FeedRow(7, "A1", DAYS[0], "J")]
    batch = digested(FeedBatch.of_rows("e2", extracted, rows))
    with pytest.raises(ReadInFull, match=why):
        apply_feed(fed, recognising(batch, fed))
