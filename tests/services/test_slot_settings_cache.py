"""The slot settings kept per version (caredomain.documents) are never stale.

Two stores on one file, each behind a context of its own that keeps what it derived from
the settings, change the settings and book in turns. Before each booking and listing, a
store opened afresh on the file (a new context, nothing kept) says what is free: the
cached context lists exactly that, and a booking succeeds exactly when its slot is free.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import (
    Actor,
    ActorId,
    CareDomainError,
    FixedClock,
    OpeningCalendar,
    Organisation,
    OrganisationId,
    ReferenceWeek,
    Role,
)
from caredomain.calendar import WORKING_WEEK
from caredomain.documents import DocumentCache
from caredomain.errors import Conflict, InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import (
    AppointmentType,
    Beneficiary,
    Channel,
    Counter,
    CounterId,
    Place,
    PlaceId,
    SlotSettings,
    TypeId,
    WeekApplication,
    WeekName,
)
from caredomain.slots.services import book_slot, configure_slots, free_slots, slot_settings
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS)  # a Monday
TOWN = OrganisationId("sainte-anne")
KIND = TypeId("id-card")
HALL = PlaceId("hall")
G1, G2 = CounterId("g1"), CounterId("g2")
ADMIN = Actor.administrator(configuration=ConfigurationId("sainte-anne"))
AGENT = Actor(ActorId("agent"), {Role.ADMINISTRATOR}, configuration=ConfigurationId("sainte-anne"))
DAYS = 2  # Monday and Tuesday: a few dozen slots, every one of them a candidate


def town(variant: int) -> SlotSettings:
    """Eight versions of one town hall: durations, hours, seats and weeks that differ."""
    duration = (20, 30)[variant % 2]
    hours = ("08h30-10h00", "09h00-10h30")[variant // 2 % 2]
    seats = 1 + variant // 4 % 2
    week = ReferenceWeek.parse("standard", dict.fromkeys(("lundi", "mardi"), hours))
    late = ReferenceWeek.parse("late", dict.fromkeys(("lundi", "mardi"), "10h00-11h00"))
    counters = (Counter(G1, "Guichet 1", KIND, HALL, seats=seats), Counter(G2, "G2", KIND, HALL))
    applications = [
        WeekApplication(G1, WeekName("standard"), date(2025, 1, 1), date(2026, 12, 31)),
        WeekApplication(
            G2,
            WeekName("late" if variant % 3 else "standard"),
            date(2025, 1, 1),
            date(2026, 12, 31),
        ),
    ]
    return SlotSettings(
        (AppointmentType(KIND, "Pièces d'identité", duration, "2m", "30m"),),
        (Place(HALL, "Hôtel de ville", "1 place de la Mairie"),),
        counters,
        (week, late),
        applications,
    )


def candidates() -> list[tuple[CounterId, datetime]]:
    """Every start any version plans on the two days, on both counters, every ten minutes."""
    found = []
    for day in range(DAYS):
        midnight = datetime(2025, 3, 3 + day, tzinfo=PARIS)
        for minute in range(8 * 60 + 30, 11 * 60, 10):
            for counter in (G1, G2):
                found.append((counter, midnight + timedelta(minutes=minute)))
    return found


CANDIDATES = candidates()
steps = st.lists(
    st.tuples(
        st.integers(0, 1),  # which store
        st.one_of(
            st.tuples(st.just("configure"), st.integers(0, 7)),
            st.tuples(st.just("book"), st.integers(0, len(CANDIDATES) - 1)),
        ),
    ),
    min_size=1,
    max_size=14,
)


def free(context: ServiceContext) -> list[tuple[CounterId, datetime]]:
    found = free_slots(context, AGENT, TOWN, KIND, first=NOW.date(), days=DAYS)
    return [(slot.counter_id, slot.start) for slot in found]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_cached_settings_are_never_stale(steps: list[tuple[int, tuple[str, int]]]) -> None:
    with tempfile.TemporaryDirectory(prefix="caredomain-cache-") as directory:
        path = Path(directory) / "town.db"
        ids = count()
        with SqliteStore(path) as first, SqliteStore(path) as second:
            contexts = [
                ServiceContext(store=store, clock=FixedClock(NOW), new_id=lambda: f"a{next(ids)}")
                for store in (first, second)
            ]
            calendar = OpeningCalendar(WORKING_WEEK)
            configure_organisation(
                contexts[0], ADMIN, Organisation(TOWN, "Mairie", PARIS, calendar)
            )
            configure_slots(contexts[0], ADMIN, TOWN, town(0))
            for number, (which, (action, argument)) in enumerate(steps):
                context = contexts[which]
                if action == "configure":
                    # Refused as a whole, if refused: nothing saved; checked below all the same.
                    with contextlib.suppress(CareDomainError):
                        configure_slots(context, ADMIN, TOWN, town(argument))
                    continue
                with SqliteStore(path) as fresh_store:
                    fresh = ServiceContext(store=fresh_store, clock=FixedClock(NOW))
                    expected = free(fresh)
                    assert slot_settings(context, AGENT, TOWN) == slot_settings(fresh, AGENT, TOWN)
                assert free(context) == expected
                counter_id, start = CANDIDATES[argument]
                try:
                    book_slot(
                        context,
                        AGENT,
                        TOWN,
                        counter_id=counter_id,
                        start=start,
                        beneficiary=Beneficiary(f"b{number}", "Bénéficiaire"),
                        channel=Channel.BACK_OFFICE,
                    )
                except CareDomainError:
                    booked = False
                else:
                    booked = True
                assert booked == ((counter_id, start) in expected)


def test_a_context_keeps_a_few_documents_and_the_newest_version_of_each(tmp_path: Path) -> None:
    cache = DocumentCache(2)
    cache.put("a", "1", "a at 1")
    cache.put("b", "1", "b at 1")
    assert cache.get("a", "1") == "a at 1"  # now the most recently used
    cache.put("c", "1", "c at 1")  # forgets b, the least recently used
    assert cache.get("b", "1") is None
    assert len(cache) == 2
    cache.put("a", "2", "a at 2")
    assert cache.get("a", "1") is None  # an older version is never given
    assert cache.get("a", "2") == "a at 2"
    loads: list[str] = []

    def load() -> tuple[str, str]:
        loads.append("read")
        return "3", "a at 3"

    assert cache.derived("a", "3", load, str) == "a at 3"
    assert cache.derived("a", "3", load, str) == "a at 3"
    assert loads == ["read"]
    assert cache.derived("a", None, load, str) is None


@pytest.mark.parametrize("size", [0, -1, True, 1.5])
def test_a_cache_holds_one_document_at_least(size: object) -> None:
    with pytest.raises(InvalidInput, match="one or more"):
        DocumentCache(size)  # type: ignore[arg-type]


def test_a_save_in_another_store_is_seen_at_the_next_unit_of_work(tmp_path: Path) -> None:
    path = tmp_path / "town.db"
    with SqliteStore(path) as first, SqliteStore(path) as second:
        one = ServiceContext(store=first, clock=FixedClock(NOW))
        other = ServiceContext(store=second, clock=FixedClock(NOW))
        calendar = OpeningCalendar(WORKING_WEEK)
        configure_organisation(one, ADMIN, Organisation(TOWN, "Mairie", PARIS, calendar))
        configure_slots(one, ADMIN, TOWN, town(0))
        before = free(one)
        with first.unit_of_work(write=False) as uow:
            version = uow.slots.settings_version(TOWN)
        configure_slots(other, ADMIN, TOWN, town(1))
        with first.unit_of_work(write=False) as uow:
            assert uow.slots.settings_version(TOWN) not in {None, version}
        assert slot_settings(one, AGENT, TOWN) == town(1)
        assert free(one) == free(other) != before


def test_a_new_context_reads_the_settings_before_it_takes_the_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "town.db"
    with SqliteStore(path, timeout=0.2) as store:
        setup = ServiceContext(store=store, clock=FixedClock(NOW))
        calendar = OpeningCalendar(WORKING_WEEK)
        configure_organisation(setup, ADMIN, Organisation(TOWN, "Mairie", PARIS, calendar))
        configure_slots(setup, ADMIN, TOWN, town(0))
        fresh = ServiceContext(store=store, clock=FixedClock(NOW))
        counter_id, start = free(setup)[0]
        # Another process holds the write lock: the read ahead, which takes none, is done
        # before the booking waits for it.
        with (
            SqliteStore(path) as other,
            other.unit_of_work(),
            pytest.raises(Conflict, match="another writer held the database"),
        ):
            book_slot(
                fresh,
                AGENT,
                TOWN,
                counter_id=counter_id,
                start=start,
                beneficiary=Beneficiary("b", "Bénéficiaire"),
                channel=Channel.BACK_OFFICE,
            )
        assert fresh.documents.holds(("slot settings", TOWN))
