"""The roster in the SQLite store: what the repository keeps, and the use cases on it."""

from __future__ import annotations

import importlib.resources
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import Actor, ActorId, FixedClock, Forbidden, Role
from caredomain.access import Everywhere
from caredomain.events import Event
from caredomain.roster import (
    AgentDays,
    AgentId,
    AppliedBatch,
    LocalEdit,
    Planning,
    PlanningId,
    Post,
    PostId,
    Roster,
    RosterSettings,
    apply_feed,
    french_hospital_catalogue,
    load_ward,
    set_up,
)
from caredomain.roster import services as roster
from caredomain.roster.batch import FeedBatch, FeedRow
from caredomain.roster.schedule import FeedSchedule
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore
from caredomain_sqlite.migrations import LATEST_VERSION

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
T0 = datetime(2026, 11, 22, 18, tzinfo=PARIS)
ADMIN = Actor.administrator(
    "admin", configuration=Everywhere("this store holds a roster and no organisation")
)
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
}


def export(extracted_at: datetime, changes: dict[tuple[str, date], str] | None = None) -> FeedBatch:
    rows = [
        (agent, day, (changes or {}).get((agent, day), code))
        for agent, codes in CODES.items()
        for day, code in zip((MON, TUE, WED), codes, strict=True)
    ]
    return FeedBatch.of_rows(
        f"GTT_{extracted_at:%Y%m%d_%H%M%S}.csv",
        extracted_at,
        [FeedRow(line, *row) for line, row in enumerate(rows, start=3)],
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "roster.db") as opened:
        yield opened


@pytest.fixture
def context(store: SqliteStore) -> ServiceContext:
    numbers = count(1)
    return ServiceContext(store=store, clock=FixedClock(T0), new_id=lambda: f"e{next(numbers)}")


@pytest.fixture
def ward_text() -> str:
    return (
        importlib.resources.files("caredomain.data").joinpath("sample_ward.toml").read_text("utf-8")
    )


def journal(store: SqliteStore) -> list[Event]:
    with store.unit_of_work(write=False) as uow:
        return [event for _, event in uow.events.since(0, 10_000)]


def test_the_schema_has_the_roster_tables(store: SqliteStore) -> None:
    assert store.schema_version == LATEST_VERSION >= 3
    connection = sqlite3.connect(store.path)
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    connection.close()
    assert {"roster_codes", "roster_posts", "roster_assignments", "roster_local_edits"} <= tables


def test_the_repository_keeps_what_it_is_given(store: SqliteStore) -> None:
    settings = RosterSettings(
        PARIS, timedelta(hours=12), FeedSchedule.parse("at 06:00,18:00", PARIS)
    )
    post = Post(
        PostId("p1"),
        PlanningId("P"),
        MON,
        datetime(2026, 11, 23, 21, tzinfo=PARIS),
        datetime(2026, 11, 24, 7, tzinfo=PARIS),
        frozenset({"IDE"}),
        2,
        (AgentId("A1"),),
        (AgentId("A2"),),
    )
    record = AgentDays(AgentId("A1"), MON.toordinal(), "J  MAL", (5, 0, 7), 6, b"\xfe" * 16)
    edit = LocalEdit(AgentId("A1"), TUE, "CA", T0, "cadre", None)
    batch = AppliedBatch("f.csv", T0, 123, T0 + timedelta(hours=1), "rows read 1")
    ward = load_ward(
        '[[agents]]\nid = "A1"\nname = "Ann"\nskills = ["IDE"]\n'
        '[[plannings]]\nid = "P"\nunit = "Urgences"\nstatus = "published"\n'
    )
    with store.unit_of_work() as uow:
        repository = uow.roster
        assert (repository.settings(), repository.catalogue()) == (None, None)
        repository.save_settings(settings)
        repository.save_catalogue(french_hospital_catalogue())
        repository.save_agents(ward.agents)
        repository.save_plannings(ward.plannings)
        repository.save_posts([post])
        repository.save_agent_days([record])
        repository.save_local_edits([edit])
        repository.record_batch(batch)
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        repository = uow.roster
        assert repository.settings() == settings
        assert repository.catalogue() == french_hospital_catalogue()
        assert repository.agents() == list(ward.agents)
        assert repository.agent_ids() == {"A1"}
        assert repository.plannings() == list(ward.plannings)
        assert repository.posts() == [post]
        assert repository.posts(TUE, WED) == []
        assert repository.holders(MON, MON) == {"A1", "A2"}
        assert repository.posts_held([(AgentId("A2"), MON)]) == [post]
        assert repository.posts_held([(AgentId("A2"), TUE)]) == []
        assert repository.agent_days() == [record]
        assert repository.agent_days([AgentId("B")]) == []
        assert repository.local_edits() == [edit]
        assert repository.applied_batch("f.csv", T0, 123) == batch
        assert repository.applied_batch("f.csv", T0, 124) is None
        assert repository.applied_batches() == [batch]
        with pytest.raises(Forbidden):
            repository.save_agent_days([record])
    with store.unit_of_work() as uow:
        uow.roster.confirm_agent_days([AgentId("A1")], T0 + timedelta(days=1))
        uow.roster.save_local_edits([], [(AgentId("A1"), TUE)])
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        (confirmed,) = uow.roster.agent_days()
        assert confirmed.held_at(MON.toordinal()) == confirmed.confirmed > record.confirmed
        assert confirmed.digest == record.digest  # confirming keeps the lines that stated it
        assert confirmed.held_at(TUE.toordinal()) == 0  # a day never stated stays so
        assert uow.roster.local_edits() == []
    with store.unit_of_work() as uow:
        uow.roster.clear()
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        assert (uow.roster.agents(), uow.roster.posts(), uow.roster.agent_days()) == ([], [], [])


def test_the_feed_on_the_store_gives_what_the_pure_function_gives(
    context: ServiceContext, store: SqliteStore, ward_text: str
) -> None:
    ward = load_ward(ward_text)
    roster.set_up_ward(context, ADMIN, ward)
    memory = Roster(french_hospital_catalogue(), ward.settings)
    memory.apply(set_up(memory, agents=ward.agents, plannings=ward.plannings, posts=ward.posts))
    batches = [
        export(T0),
        export(T0 + timedelta(hours=16), {("A1001", TUE): "MAL", ("A1003", WED): "N"}),
        export(T0 + timedelta(hours=8), {("A1005", TUE): "CA"}),  # late
        export(T0 + timedelta(hours=20), {("A1001", TUE): "M"}),  # she is back
    ]
    for batch in batches:
        expected = apply_feed(memory, batch)
        memory.apply(expected.change)
        run = roster.apply_gtt_batch(context, batch)
        assert run.report == expected.report
    with store.unit_of_work(write=False) as uow:
        stored = roster.load_roster(uow)
    assert stored.snapshot() == memory.snapshot()
    kinds = [event.kind for event in journal(store)]
    assert kinds.count("AgentUnassigned") == 1
    assert kinds.count("PostVacated") == 1
    assert kinds.count("AgentReassigned") == 1
    assert kinds.count("GttBatchApplied") == 4


def test_a_failure_in_the_middle_of_a_feed_leaves_the_store_as_it_was(
    context: ServiceContext, store: SqliteStore, ward_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster.set_up_ward(context, ADMIN, load_ward(ward_text))
    roster.apply_gtt_batch(context, export(T0))
    with store.unit_of_work(write=False) as uow:
        before = roster.load_roster(uow).snapshot()
    events_before = journal(store)

    def power_cut(*args: object) -> None:
        raise OSError("disk unplugged")

    monkeypatch.setattr("caredomain_sql.roster.SqlRoster.save_posts", power_cut)
    with pytest.raises(OSError, match="unplugged"):
        roster.apply_gtt_batch(context, export(T0 + timedelta(hours=16), {("A1001", TUE): "MAL"}))
    with store.unit_of_work(write=False) as uow:
        assert roster.load_roster(uow).snapshot() == before
    assert journal(store) == events_before


def test_use_cases_check_who_acts(context: ServiceContext, ward_text: str) -> None:
    roster.set_up_ward(context, ADMIN, load_ward(ward_text))
    roster.apply_gtt_batch(context, export(T0, {("A1001", TUE): "MAL"}))
    post = "cardio-2026-11-24-M-IDE"
    cardiology = Actor(
        ActorId("cadre"),
        {Role.MANAGER},
        services={"Cardiologie"},
        configuration=Everywhere("this store holds a roster and no organisation"),
    )
    elsewhere = Actor(
        ActorId("other"),
        {Role.MANAGER},
        services={"Urgences"},
        configuration=Everywhere("this store holds a roster and no organisation"),
    )
    claire = Actor(
        ActorId("A1001"),
        {Role.AGENT},
        configuration=Everywhere("this store holds a roster and no organisation"),
    )
    assert [p.id for p in roster.vacancies(context, cardiology)] == [post]
    assert roster.vacancies(context, elsewhere) == []
    with pytest.raises(Forbidden):
        roster.assign(context, elsewhere, post, "A1007")
    with pytest.raises(Forbidden):
        roster.apply_gtt_batch(context, export(T0), actor=cardiology)
    with pytest.raises(Forbidden):
        roster.set_up_ward(context, cardiology, load_ward(ward_text))
    assert [c.code for c in roster.day_codes(context, claire, "A1001", MON, WED)] == [
        "M",
        "MAL",
        "RH",
    ]
    with pytest.raises(Forbidden):
        roster.day_codes(context, claire, "A1002", MON, WED)
    events = roster.assign(context, cardiology, post, "A1007")
    assert [event.kind for event in events] == ["AgentAssigned"]
    events = roster.edit_code_locally(context, cardiology, "A1005", WED, "CA")
    assert [event.kind for event in events] == ["LocalCodeEdited", "AgentUnassigned", "PostVacated"]
    assert [e.code for e in roster.pending_local_edits(context, cardiology)] == ["CA"]
    with pytest.raises(Forbidden):
        roster.pending_local_edits(context, claire)
    assert roster.pending_local_edits(
        context,
        Actor(
            ActorId("A1005"),
            {Role.AGENT},
            configuration=Everywhere("this store holds a roster and no organisation"),
        ),
        "A1005",
    )
    events = roster.close(context, cardiology, "cardio-2026-11-25-M-IDE")
    assert [event.kind for event in events] == ["PostClosed"]
    with pytest.raises(Forbidden):
        roster.swap(context, elsewhere, "A1002", "A1007", [WED])
    assert [e.kind for e in roster.swap(context, cardiology, "A1002", "A1007", [WED])] == [
        "DaysSwapped"
    ]


def test_agent_days_round_trip_their_times(store: SqliteStore) -> None:
    record = AgentDays(AgentId("A"), 10, "J J MAL", (3, 3, 9))
    assert record.encoded_times() == "2*3 1*9"
    assert AgentDays.decode("A", 10, "J J MAL", "2*3 1*9") == record
    assert AgentDays(AgentId("A"), 10, "J J", (4, 4)).encoded_times() == "4"
    assert [day for day, _, _ in record.items()] == [
        date.fromordinal(10),
        date.fromordinal(11),
        date.fromordinal(12),
    ]
    with pytest.raises(Exception, match="do not match"):
        AgentDays.decode("A", 10, "J J", "3*1")
    rows = [
        ("A", 10, "J J MAL", "2*3 1*9", 0, b""),
        ("B", 10, "J", "5", 7, b"\x01" * 16),
        ("C", 10, "J S", "5", 0, b""),
    ]
    assert AgentDays.decode_all(rows) == [AgentDays.decode(*row[:5], digest=row[5]) for row in rows]
    assert (
        datetime.fromtimestamp(0, UTC)
        == next(iter(AgentDays(AgentId("A"), 10, "J", (0,), 0).items()))[2]
    )


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=6),
            st.sets(st.sampled_from(["A1", "A2", "A3", "B1", "B2"]), max_size=3),
            st.sets(st.sampled_from(["A1", "C1"]), max_size=1),
        ),
        max_size=8,
    ),
    st.integers(min_value=-1, max_value=7),
    st.integers(min_value=0, max_value=3),
)
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
def test_holders_are_the_agents_of_the_posts_of_the_period(
    tmp_path_factory: pytest.TempPathFactory,
    posts: list[tuple[int, set[str], set[str]]],
    start: int,
    length: int,
) -> None:
    """Who holds or was stood down from a post of the period, found by a loose index scan,
    is what reading every post of the period gives."""
    saved = [
        Post(
            PostId(f"p{n}"),
            PlanningId("P"),
            MON + timedelta(days=day),
            datetime(2026, 11, 23, 7, tzinfo=PARIS) + timedelta(days=day),
            datetime(2026, 11, 23, 15, tzinfo=PARIS) + timedelta(days=day),
            frozenset(),
            5,
            tuple(AgentId(agent) for agent in sorted(on)),
            tuple(AgentId(agent) for agent in sorted(off - on)),
        )
        for n, (day, on, off) in enumerate(posts)
    ]
    first, last = MON + timedelta(days=start), MON + timedelta(days=start + length)
    with SqliteStore(tmp_path_factory.mktemp("holders") / "roster.db") as store:
        with store.unit_of_work() as uow:
            uow.roster.save_plannings([Planning(PlanningId("P"), "Urgences")])
            uow.roster.save_posts(saved)
            uow.commit()
        with store.unit_of_work(write=False) as uow:
            expected = {
                agent
                for post in uow.roster.posts(first, last)
                for agent in (*post.assigned, *post.stood_down)
            }
            assert uow.roster.holders(first, last) == expected
