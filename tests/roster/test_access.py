"""Access to the roster (issue 16), on a real SQLite file with two units: a manager acts on
the posts of her units and on the codes and local edits of her units' agents only; every
use case refuses an outsider before it looks anything up, and an actor refused gets
``Forbidden``, never an empty answer."""

from __future__ import annotations

import importlib.resources
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import date, datetime
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import Actor, ActorId, FixedClock, Forbidden, NotFound, Role
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.roster import french_hospital_catalogue, load_ward
from caredomain.roster import services as roster
from caredomain.roster.batch import FeedBatch, FeedRow
from caredomain.services import ServiceContext, configure_organisation
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
T0 = datetime(2026, 11, 22, 18, tzinfo=PARIS)
HOSPITAL = ConfigurationId("sarreguemines")  # the sample ward's hospital is one of its bases
ADMIN = Actor.administrator("admin", configuration=HOSPITAL)
CARDIOLOGY = Actor(
    ActorId("cadre-cardio"), {Role.MANAGER}, services={"Cardiologie"}, configuration=HOSPITAL
)
PAEDIATRICS = Actor(
    ActorId("cadre-pedia"), {Role.MANAGER}, services={"Pédiatrie"}, configuration=HOSPITAL
)
BOTH = Actor(
    ActorId("cadre-pole"),
    {Role.MANAGER},
    services={"Cardiologie", "Pédiatrie"},
    configuration=HOSPITAL,
)
NO_ROLE = Actor(ActorId("stranger"), set(), configuration=HOSPITAL)
CLAIRE = Actor(ActorId("A1001"), {Role.AGENT}, configuration=HOSPITAL)
OUTSIDERS: list[Any] = [
    None,
    NO_ROLE,
    Actor(ActorId("cit-1"), {Role.CITIZEN}, configuration=HOSPITAL),
]

# A paediatric unit beside the sample ward's cardiology: two nurses, posted on Wednesday,
# and one vacant post.
PAEDIATRICS_WARD = """
[[agents]]
id = "P3001"
name = "Inès Lambert"
skills = ["IDE"]

[[agents]]
id = "P3002"
name = "Jade Faure"
skills = ["IDE"]

[[plannings]]
id = "pedia-s48"
unit = "Pédiatrie"
status = "published"

[[posts]]
id = "pedia-2026-11-25-S-IDE"
planning = "pedia-s48"
day = 2026-11-25
shift = "13h45-21h15"
skills = ["IDE"]
agents = ["P3001"]

[[posts]]
id = "pedia-2026-11-25-M-IDE"
planning = "pedia-s48"
day = 2026-11-25
shift = "06h45-14h15"
skills = ["IDE"]
agents = ["P3002"]

[[posts]]
id = "pedia-2026-11-24-M-IDE"
planning = "pedia-s48"
day = 2026-11-24
shift = "06h45-14h15"
skills = ["IDE"]
"""

CODES = {
    "A1001": ("M", "M", "RH"),
    "A1002": ("S", "J", "S"),
    "A1003": ("N", "N", "RH"),
    "A1004": ("RH", "S", "RH"),
    "A1005": ("RH", "J", "M"),
    "A1006": ("CA", "RH", "N"),
    "A1007": ("RH", "J", "RH"),
    "A2001": ("M", "RH", "M"),
    "A2002": ("RH", "M", "RH"),
    "P3001": ("RH", "RH", "S"),
    "P3002": ("RH", "RH", "M"),
}


def export() -> FeedBatch:
    rows = [
        (agent, day, code)
        for agent, codes in CODES.items()
        for day, code in zip((MON, TUE, WED), codes, strict=True)
    ]
    return FeedBatch.of_rows(
        "GTT_20261122_180000.csv", T0, [FeedRow(n, *row) for n, row in enumerate(rows, start=3)]
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hospital.db"


def the_hospital() -> Organisation:
    return Organisation(
        OrganisationId("ch-sarreguemines"), "Centre hospitalier", configuration=HOSPITAL
    )


@pytest.fixture
def context(path: Path) -> Iterator[ServiceContext]:
    numbers = count(1)
    sample = importlib.resources.files("caredomain.data").joinpath("sample_ward.toml")
    with SqliteStore(path) as store:
        context = ServiceContext(
            store=store, clock=FixedClock(T0), new_id=lambda: f"e{next(numbers)}"
        )
        ward = load_ward(sample.read_text("utf-8") + PAEDIATRICS_WARD, source="two units")
        configure_organisation(context, ADMIN, the_hospital())
        roster.set_up_ward(context, ADMIN, ward)
        roster.apply_gtt_batch(context, export())
        yield context


def dump(path: Path) -> list[str]:
    """Everything the SQLite file holds, as SQL."""
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


# -- swaps --------------------------------------------------------------------------------


def test_a_swap_needs_the_units_of_both_posts(context: ServiceContext, path: Path) -> None:
    # A1002 holds Cardiologie's evening post on Wednesday, P3001 Pédiatrie's: one shared
    # unit between the two agents is not enough any more.
    before = dump(path)
    for manager in (PAEDIATRICS, CARDIOLOGY):
        with pytest.raises(Forbidden):
            roster.swap(context, manager, "A1002", "P3001", [WED])
    assert dump(path) == before
    events = roster.swap(context, BOTH, "A1002", "P3001", [WED])
    assert [event.kind for event in events] == ["DaysSwapped"]


def test_a_rest_day_swap_needs_one_unit_of_each_agent(context: ServiceContext) -> None:
    # Monday: P3001 and P3002 rest, both Pédiatrie's agents (by their Wednesday posts).
    with pytest.raises(Forbidden):
        roster.swap(context, CARDIOLOGY, "P3001", "A1005", [MON])
    with pytest.raises(Forbidden):
        roster.swap(context, PAEDIATRICS, "P3001", "A1005", [MON])


# -- codes and local edits ------------------------------------------------------------------


def test_a_manager_edits_the_codes_of_her_units_agents_only(
    context: ServiceContext, path: Path
) -> None:
    before = dump(path)
    # A1005 holds no post on Monday; her unit is Cardiologie (her Wednesday post).
    with pytest.raises(Forbidden):
        roster.edit_code_locally(context, PAEDIATRICS, "A1005", MON, "MAL")
    # A1007 holds no post at all: no unit, so the administrators' alone.
    with pytest.raises(Forbidden):
        roster.edit_code_locally(context, CARDIOLOGY, "A1007", MON, "MAL")
    assert dump(path) == before
    roster.edit_code_locally(context, CARDIOLOGY, "A1005", MON, "MAL")
    roster.edit_code_locally(context, ADMIN, "A1007", MON, "MAL")


def test_an_edit_on_a_posted_day_needs_the_unit_of_that_post(context: ServiceContext) -> None:
    # P3001 works in Pédiatrie on Wednesday: a cardiology manager may not put her on leave.
    with pytest.raises(Forbidden):
        roster.edit_code_locally(context, CARDIOLOGY, "P3001", WED, "MAL")
    events = roster.edit_code_locally(context, PAEDIATRICS, "P3001", WED, "MAL")
    assert [event.kind for event in events] == ["LocalCodeEdited", "AgentUnassigned", "PostVacated"]
    # Stood down from the post, she is still of its unit on that day.
    with pytest.raises(Forbidden):
        roster.edit_code_locally(context, CARDIOLOGY, "P3001", WED, "CA")


def test_a_manager_reads_the_codes_of_her_units_agents_only(context: ServiceContext) -> None:
    with pytest.raises(Forbidden):
        roster.day_codes(context, PAEDIATRICS, "A1005", MON, WED)
    with pytest.raises(Forbidden):
        roster.day_codes(context, CARDIOLOGY, "A1007", MON, WED)  # of no unit
    assert [c.code for c in roster.day_codes(context, CARDIOLOGY, "A1005", MON, WED)] == [
        "RH",
        "J",
        "M",
    ]
    assert [c.code for c in roster.day_codes(context, CLAIRE, "A1001", MON, WED)] == [
        "M",
        "M",
        "RH",
    ]


def test_pending_local_edits_list_the_managers_units_only(context: ServiceContext) -> None:
    roster.edit_code_locally(context, ADMIN, "A1005", MON, "CA")
    roster.edit_code_locally(context, ADMIN, "P3002", MON, "CA")
    roster.edit_code_locally(context, ADMIN, "A1007", MON, "CA")  # of no unit
    assert [e.agent for e in roster.pending_local_edits(context, PAEDIATRICS)] == ["P3002"]
    assert [e.agent for e in roster.pending_local_edits(context, CARDIOLOGY)] == ["A1005"]
    assert {e.agent for e in roster.pending_local_edits(context, ADMIN)} == {
        "A1005",
        "A1007",
        "P3002",
    }
    with pytest.raises(Forbidden):
        roster.pending_local_edits(context, PAEDIATRICS, "A1005")
    assert roster.pending_local_edits(context, CARDIOLOGY, "A1005")
    assert roster.pending_local_edits(
        context, Actor(ActorId("A1005"), {Role.AGENT}, configuration=HOSPITAL), "A1005"
    )
    with pytest.raises(Forbidden):
        roster.pending_local_edits(context, CLAIRE)  # every agent's: the managers' listing


# -- vacancies and posts ----------------------------------------------------------------------


def test_vacancies_refuse_rather_than_answer_nothing(context: ServiceContext) -> None:
    for refused in (*OUTSIDERS, CLAIRE):
        with pytest.raises(Forbidden):
            roster.vacancies(context, refused)
    assert [p.id for p in roster.vacancies(context, PAEDIATRICS)] == ["pedia-2026-11-24-M-IDE"]
    assert [p.id for p in roster.vacancies(context, CARDIOLOGY)] == []


def test_an_outsider_is_refused_before_the_post_is_looked_up(context: ServiceContext) -> None:
    for outsider in OUTSIDERS:
        with pytest.raises(Forbidden):
            roster.find_candidates(context, outsider, "no-such-post")
        with pytest.raises(Forbidden):
            roster.publish(context, outsider, "no-such-planning")
    with pytest.raises(NotFound):
        roster.find_candidates(context, ADMIN, "no-such-post")


# -- every use case, for an outsider ----------------------------------------------------------

UseCase = Callable[[ServiceContext, Any], object]
POST = "pedia-2026-11-24-M-IDE"

USE_CASES: dict[str, UseCase] = {
    "configure_catalogue": lambda c, a: roster.configure_catalogue(
        c, a, french_hospital_catalogue()
    ),
    "apply_gtt_batch": lambda c, a: roster.apply_gtt_batch(c, export(), actor=a),
    "applied_batches": roster.applied_batches,
    "edit_code_locally": lambda c, a: roster.edit_code_locally(c, a, "A1005", MON, "MAL"),
    "pending_local_edits": roster.pending_local_edits,
    "pending_local_edits of one": lambda c, a: roster.pending_local_edits(c, a, "A1005"),
    "day_codes": lambda c, a: roster.day_codes(c, a, "A1005", MON, WED),
    "publish": lambda c, a: roster.publish(c, a, "pedia-s48"),
    "vacancies": roster.vacancies,
    "find_candidates": lambda c, a: roster.find_candidates(c, a, POST),
    "assign": lambda c, a: roster.assign(c, a, POST, "A1005"),
    "close": lambda c, a: roster.close(c, a, POST),
    "swap": lambda c, a: roster.swap(c, a, "A1002", "P3001", [WED]),
}


@given(st.sampled_from(sorted(USE_CASES)), st.sampled_from(OUTSIDERS))
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_every_use_case_refuses_an_outsider_and_changes_nothing(
    context: ServiceContext, path: Path, name: str, outsider: Any
) -> None:
    before = dump(path)
    with pytest.raises(Forbidden):
        USE_CASES[name](context, outsider)
    assert dump(path) == before
