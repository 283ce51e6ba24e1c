"""The GTT feed refuses what cannot be: an extraction time or a day far from the clock's date.

The seed is silent. A fault campaign found that a batch extracted "31/12/9999" was applied,
after which every genuine export was *stale* (older than what the roster held) and ignored —
a nurse's sick leave never applied — and that one row dated 31/12/9999 stretched an agent's
record over eight thousand years. So, with ``now`` the clock's instant and ``years`` the
roster's ``plausible_years`` (10 by default, see
:class:`~caredomain.roster.model.RosterSettings`), :func:`feed_dates_are_plausible`:

* refuses a batch extracted before ``now - years`` or after ``now`` + :data:`CLOCK_SLACK`,
  as a whole (:class:`~caredomain.errors.InvalidInput` naming the source). A batch from the
  future is what makes later exports stale, so only a day is allowed, for a GTT whose clock
  or zone is a little off;
* rejects each row whose day is more than ``years`` from today (in the roster's zone), with
  its line, as any other bad row: a strict batch is then refused, a lenient one applies its
  other rows.

The reader refuses what it cannot represent (a date before year 1 once in UTC); this rule,
what it can represent but cannot be. It costs a comparison per distinct day of the batch; the
rows are gone through only when a day is out of range.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import compress

from attrs import evolve, frozen
from dateutil.relativedelta import relativedelta

from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.roster.batch import FeedBatch, FeedRejection
from caredomain.roster.feed_runs import ReadInFull
from caredomain.text import Text

__all__ = ["CLOCK_SLACK", "PlausibleRange", "feed_dates_are_plausible"]

CLOCK_SLACK = timedelta(days=1)
"""How far past the clock's instant an extraction time may be."""


@frozen
class PlausibleRange:
    """The extraction times (``earliest`` to ``latest``) and days (``first_day`` to
    ``last_day``) a batch may have, ``years`` around the clock's date."""

    earliest: datetime
    latest: datetime
    first_day: date
    last_day: date
    years: int

    @classmethod
    def around(cls, now: datetime, years: int, zone: tzinfo) -> PlausibleRange:
        """The range around ``now``; days are counted from its date in ``zone``."""
        span = relativedelta(years=years)
        local = require_aware(now, "now").astimezone(zone)
        # The times' bounds are counted in UTC: a day ahead is 24 hours, a daylight-saving
        # change on the way or not (wall-clock arithmetic would make it 23 or 25).
        instant = local.astimezone(UTC)
        bounds = ((instant - span).astimezone(zone), (instant + CLOCK_SLACK).astimezone(zone))
        today = local.date()
        return cls(*bounds, today - span, today + span, years)

    def holds(self, day: date) -> bool:
        """Whether ``day`` is within the range."""
        return self.first_day <= day <= self.last_day

    def why_not(self, what: str) -> str:
        """Why ``what`` (a day) is refused."""
        return Text(
            "{what} is not plausible: expected from {first} to {last} "
            "(plausible_years {years} around the clock's date)",
            what=what,
            first=self.first_day.isoformat(),
            last=self.last_day.isoformat(),
            years=self.years,
        )


def feed_dates_are_plausible(batch: FeedBatch, plausible: PlausibleRange) -> FeedBatch:
    """``batch``, or the same batch with each row on an implausible day moved to its
    ``rejected``; :class:`~caredomain.errors.InvalidInput` if it was extracted at an
    implausible time. A recognised run whose parsed rows include such a day cannot stand for
    its rows: :class:`~caredomain.roster.feed_runs.ReadInFull`."""
    extracted = batch.extracted_at
    if not plausible.earliest <= extracted <= plausible.latest:
        raise InvalidInput(
            Text(
                "extraction time not plausible: expected from {earliest} to {latest} "
                "(plausible_years {years} before the clock's time, a day after it)",
                earliest=plausible.earliest.isoformat(timespec="minutes"),
                latest=plausible.latest.isoformat(timespec="minutes"),
                years=plausible.years,
            ),
            source=batch.source,
            text=extracted.astimezone(plausible.latest.tzinfo).isoformat(timespec="minutes"),
        )
    for run in batch.recognised:
        if not all(plausible.holds(day) for _, day, _ in run.parsed):
            raise ReadInFull(run, "a day is not plausible")
    if all(map(plausible.holds, batch.covered_days())):
        return batch
    keep = list(map(plausible.holds, batch.days))
    rows = zip(batch.lines, batch.agents, batch.days, batch.codes, keep, strict=True)
    rejected = [
        FeedRejection(
            line, plausible.why_not(Text("day {day}", day=day.isoformat())), f"{agent};{day};{code}"
        )
        for line, agent, day, code, kept in rows
        if not kept
    ]
    return evolve(
        batch,
        agents=list(compress(batch.agents, keep)),
        days=list(compress(batch.days, keep)),
        codes=list(compress(batch.codes, keep)),
        lines=list(compress(batch.lines, keep)),
        rejected=[*batch.rejected, *rejected],
        distinct_days=None,
        run_digests={},
    )
