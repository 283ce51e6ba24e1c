"""Test helpers for rosters and the GTT feed, for caredomain's tests and integrators' own.

* :class:`ReferenceFeed` — the seed's feed rules written the plainest way, row by row over a
  dict: what a roster's GTT state must equal after the same batches, whatever the store or
  the optimisations behind it;
* :func:`gtt_state` — a roster's GTT state in the reference's shape;
* :func:`feed_batches` — a Hypothesis strategy of batches over small alphabets, so that rows
  collide: same agent-days, same extraction times, duplicates, unknown codes and agents.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from caredomain.roster.batch import FeedBatch, FeedRow
from caredomain.roster.codes import CodeCatalogue
from caredomain.roster.state import Roster

__all__ = ["ReferenceFeed", "feed_batches", "gtt_state"]

GttState = dict[tuple[str, date], tuple[str, datetime]]


def gtt_state(roster: Roster) -> GttState:
    """What the roster holds from the GTT: (agent, day) → (code, extraction time)."""
    return {
        (record.agent, day): (code, held)
        for record in roster.gtt_records().values()
        for day, code, held in record.items()
    }


class ReferenceFeed:
    """The GTT state the seed's rules give, kept as a plain dict.

    A row is applied when its batch was extracted later than what is held for its
    agent-day, or at the same instant with a greater code; unknown agents and codes and
    agent-days given twice in a batch are rejected; a strict batch with any rejected row
    changes nothing.
    """

    def __init__(self, catalogue: CodeCatalogue, agents: Iterable[str]) -> None:
        self.catalogue = catalogue
        self.agents = frozenset(agents)
        self.state: GttState = {}

    def apply(self, batch: FeedBatch) -> None:
        accepted: list[FeedRow] = []
        seen: set[tuple[str, date]] = set()
        bad = bool(batch.rejected)
        for row in batch.rows:
            key = (row.agent, row.day)
            if row.agent not in self.agents or row.code not in self.catalogue or key in seen:
                bad = True
                continue
            seen.add(key)
            accepted.append(row)
        if bad and batch.strict:
            return
        for row in accepted:
            key = (row.agent, row.day)
            held = self.state.get(key)
            if (
                held is None
                or batch.extracted_at > held[1]
                or (batch.extracted_at == held[1] and row.code > held[0])
            ):
                self.state[key] = (row.code, batch.extracted_at)


@st.composite
def feed_batches(
    draw: st.DrawFn,
    agents: Sequence[str],
    days: Sequence[date],
    codes: Sequence[str],
    *,
    times: int = 4,
    max_rows: int = 12,
    start: datetime = datetime(2026, 11, 20, 6, tzinfo=UTC),
) -> FeedBatch:
    """A batch extracted at one of ``times`` instants an hour apart, with up to
    ``max_rows`` rows drawn from ``agents``, ``days`` and ``codes``; strict or lenient."""
    extracted_at = start + timedelta(hours=draw(st.integers(0, times - 1)))
    rows = draw(
        st.lists(
            st.tuples(st.sampled_from(agents), st.sampled_from(days), st.sampled_from(codes)),
            max_size=max_rows,
        )
    )
    strict = draw(st.booleans())
    return FeedBatch.of_rows(
        f"batch-{extracted_at:%H%M}",
        extracted_at,
        [FeedRow(line, *row) for line, row in enumerate(rows, start=2)],
        strict=strict,
    )
