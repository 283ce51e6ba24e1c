"""The sample ward for the roster tests: a cardiology unit over three days of November 2026
(``caredomain/data/sample_ward.toml``), its codes as the GTT first sent them, and helpers to
write batches."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest

from caredomain.roster import Roster, Ward, french_hospital_catalogue, load_ward, set_up
from caredomain.roster.batch import FeedBatch, FeedRow

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
FIRST_EXTRACTION = datetime(2026, 11, 22, 18, tzinfo=PARIS)

# What the GTT first says of each agent on Monday, Tuesday and Wednesday: consistent with
# the published planning (everyone posted holds a presence code).
FIRST_CODES = {
    "A1001": ("M", "M", "RH"),
    "A1002": ("S", "J", "S"),
    "A1003": ("N", "N", "RH"),
    "A1004": ("RH", "S", "RH"),
    "A1005": ("RH", "J", "M"),
    "A1006": ("CA", "RH", "N"),
    "A1007": ("RH", "J", "RH"),
    "A2001": ("M", "RH", "M"),
    "A2002": ("RH", "M", "RH"),
}


def make_batch(
    extracted_at: datetime,
    rows: list[tuple[str, date, str]],
    *,
    source: str = "GTT.csv",
    strict: bool = True,
) -> FeedBatch:
    return FeedBatch.of_rows(
        source,
        extracted_at,
        [FeedRow(line, *row) for line, row in enumerate(rows, start=3)],
        strict=strict,
    )


def first_rows(changes: dict[tuple[str, date], str] | None = None) -> list[tuple[str, date, str]]:
    """The first export's rows, with ``changes`` (agent, day) → code."""
    rows = []
    for agent, codes in FIRST_CODES.items():
        for day, code in zip((MON, TUE, WED), codes, strict=True):
            rows.append((agent, day, (changes or {}).get((agent, day), code)))
    return rows


@pytest.fixture
def ward() -> Ward:
    text = importlib.resources.files("caredomain.data").joinpath("sample_ward.toml")
    return load_ward(text.read_text("utf-8"), source="sample_ward.toml")


@pytest.fixture
def roster(ward: Ward) -> Roster:
    """The sample ward, its planning published, before any GTT feed."""
    roster = Roster(french_hospital_catalogue(), ward.settings)
    roster.apply(set_up(roster, agents=ward.agents, plannings=ward.plannings, posts=ward.posts))
    return roster


@pytest.fixture
def fed(roster: Roster) -> Roster:
    """The sample ward once the first GTT export is applied."""
    from caredomain.roster import apply_feed

    outcome = apply_feed(roster, make_batch(FIRST_EXTRACTION, first_rows()))
    assert not outcome.report.rejected
    roster.apply(outcome.change)
    return roster


@pytest.fixture
def ids() -> Callable[[], str]:
    numbers = count(1)
    return lambda: f"evt-{next(numbers)}"


def later(hours: float) -> datetime:
    return FIRST_EXTRACTION + timedelta(hours=hours)


class Kit:
    """What the tests share, as a fixture (test modules cannot import this file)."""

    PARIS = PARIS
    MON, TUE, WED = MON, TUE, WED
    FIRST_EXTRACTION = FIRST_EXTRACTION
    FIRST_CODES = FIRST_CODES
    batch = staticmethod(make_batch)
    first_rows = staticmethod(first_rows)
    later = staticmethod(later)


@pytest.fixture
def kit() -> type[Kit]:
    return Kit
