"""The SQLite store on real files: WAL, schema versions, locking, unit-of-work lifecycle."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caredomain import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Organisation,
    OrganisationConfigured,
    OrganisationId,
)
from caredomain.pickup.ports import pickup_unit_of_work
from caredomain_sqlite import SqliteStore
from caredomain_sqlite.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    Migration,
    migrate,
    recorded_version,
    statements,
)

WARD = Organisation(OrganisationId("ward"), "Ward 3B")
TOWN_HALL = Organisation(OrganisationId("town-hall"), "Mairie de Lyon")


def configured(event_id: str) -> OrganisationConfigured:
    return OrganisationConfigured(
        event_id=event_id,
        occurred_at=datetime(2024, 4, 1, 9, 30, tzinfo=UTC),
        organisation_id="ward",
        name="Ward 3B",
    )


def add(store: SqliteStore, *organisations: Organisation) -> None:
    with store.unit_of_work() as uow:
        for organisation in organisations:
            uow.organisations.add(organisation)
        uow.commit()


def stored_ids(store: SqliteStore) -> list[OrganisationId]:
    with store.unit_of_work(write=False) as uow:
        return uow.organisations.ids()


def raw(path: Path) -> closing[sqlite3.Connection]:
    return closing(sqlite3.connect(path, isolation_level=None))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "care.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(path) as opened:
        yield opened


# -- the file -----------------------------------------------------------------------------


def test_a_file_is_in_wal_mode(store: SqliteStore, path: Path) -> None:
    with raw(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_opening_records_every_migration(store: SqliteStore, path: Path) -> None:
    assert store.schema_version == LATEST_VERSION
    with raw(path) as connection:
        rows = connection.execute("SELECT version, description FROM schema_version").fetchall()
    assert rows == [(migration.version, migration.description) for migration in MIGRATIONS]


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    assert [migration.version for migration in MIGRATIONS] == list(range(1, LATEST_VERSION + 1))


def test_reopening_keeps_the_committed_state_and_migrates_nothing(path: Path) -> None:
    with SqliteStore(path) as store:
        add(store, WARD)
        with store.unit_of_work() as uow:
            uow.events.append(configured("e-1"))
            uow.commit()

    with SqliteStore(path) as store, store.unit_of_work(write=False) as uow:
        assert uow.organisations.get(WARD.id) == WARD
        assert uow.events.since() == [(1, configured("e-1"))]
    with raw(path) as connection:
        assert connection.execute("SELECT count(*) FROM schema_version").fetchone() == (
            LATEST_VERSION,
        )


def test_a_file_with_a_newer_schema_is_refused_by_name(path: Path) -> None:
    SqliteStore(path).close()
    with raw(path) as connection:
        connection.execute(
            "INSERT INTO schema_version (version, description) VALUES (?, 'from the future')",
            (LATEST_VERSION + 1,),
        )

    with pytest.raises(InvalidInput, match="newer than this caredomain knows") as caught:
        SqliteStore(path)
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_a_database_is_refused_by_name(path: Path) -> None:
    path.write_text("Nom;Prénom\nDupont;Marie\n" * 100)

    with pytest.raises(InvalidInput, match="cannot open as a SQLite database") as caught:
        SqliteStore(path)
    assert str(path) in str(caught.value)


def test_a_file_in_a_missing_directory_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="missing"):
        SqliteStore(tmp_path / "missing" / "care.db")


@pytest.mark.parametrize(
    ("path", "timeout", "field"), [("", 1.0, "path"), ("care.db", -1.0, "timeout")]
)
def test_a_store_needs_a_file_name_and_a_timeout_of_zero_or_more(
    path: str, timeout: float, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        SqliteStore(path, timeout=timeout)
    assert caught.value.field == field


def test_a_stored_document_that_is_not_json_is_reported(store: SqliteStore, path: Path) -> None:
    add(store, WARD)
    with raw(path) as connection:
        connection.execute("UPDATE organisations SET document = '{oops'")

    with store.unit_of_work(write=False) as uow, pytest.raises(InvalidInput, match="not JSON"):
        uow.organisations.get(WARD.id)


def test_memory_stores_are_separate() -> None:
    with SqliteStore(":memory:") as first, SqliteStore(":memory:") as second:
        add(first, WARD)
        assert stored_ids(first) == [WARD.id]
        assert stored_ids(second) == []
        assert first.url == "sqlite:///:memory:"


def test_repr_and_url_name_the_file(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "my care.db", timeout=0.5) as store:
        assert store.url == f"sqlite:///{tmp_path.as_posix()}/my%20care.db?timeout=0.5"
        assert repr(store) == f"SqliteStore({store.url!r})"
        assert SqliteStore.from_url(store.url).path == str(tmp_path / "my care.db")


# -- migrations -----------------------------------------------------------------------------


def test_an_older_file_gets_only_the_missing_migrations(path: Path) -> None:
    SqliteStore(path).close()
    later = (*MIGRATIONS, Migration(LATEST_VERSION + 1, "notes", "CREATE TABLE notes (text);"))

    with raw(path) as connection:
        assert migrate(connection, source="test", migrations=later) == LATEST_VERSION + 1
        assert recorded_version(connection) == LATEST_VERSION + 1
        connection.execute("INSERT INTO notes VALUES ('kept')")


def test_an_inbound_id_applied_before_digests_were_kept_has_an_empty_digest(path: Path) -> None:
    before_digests = tuple(m for m in MIGRATIONS if m.version < 10)
    with raw(path) as connection:
        migrate(connection, source="test", migrations=before_digests)
        connection.execute("INSERT INTO pickup_inbound (organisation, id) VALUES ('cpe', 'evt-1')")
    with SqliteStore(path) as store, pickup_unit_of_work(store) as uow:
        assert uow.pickup.remember("cpe", "evt-1", "digest") == ""
        assert uow.pickup.remember("cpe", "evt-2", "digest") is None


def test_a_migration_recorded_out_of_order_is_applied_not_skipped(path: Path) -> None:
    first = Migration(1, "a", "CREATE TABLE a (x);")
    second = Migration(2, "b", "CREATE TABLE b (x);")
    third = Migration(3, "c", "CREATE TABLE c (x);")
    with raw(path) as connection:
        migrate(connection, source="test", migrations=(first, third))
        assert migrate(connection, source="test", migrations=(first, second, third)) == 3
        connection.execute("INSERT INTO b VALUES ('applied')")
        versions = connection.execute("SELECT version FROM schema_version ORDER BY version")
        assert [row[0] for row in versions] == [1, 2, 3]


def test_a_failing_migration_leaves_the_file_as_it_was(path: Path) -> None:
    SqliteStore(path).close()
    broken = (
        *MIGRATIONS,
        Migration(LATEST_VERSION + 1, "half", "CREATE TABLE half (a); CREATE TABLE half (a);"),
    )

    with raw(path) as connection:
        with pytest.raises(sqlite3.OperationalError, match="already exists"):
            migrate(connection, source="test", migrations=broken)
        assert recorded_version(connection) == LATEST_VERSION
        assert not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'half'").fetchall()


def test_statements_are_split_where_sqlite_would_split_them() -> None:
    script = """
        CREATE TABLE a (text DEFAULT 'x;y');
        CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM a; SELECT 1; END;
        CREATE INDEX i ON a (text)
    """
    assert [statement.split()[:2] for statement in statements(script)] == [
        ["CREATE", "TABLE"],
        ["CREATE", "TRIGGER"],
        ["CREATE", "INDEX"],
    ]


# -- units of work ------------------------------------------------------------------------


def test_errors_inside_a_unit_leave_it_usable(store: SqliteStore) -> None:
    add(store, WARD)
    with store.unit_of_work() as uow:
        with pytest.raises(Conflict, match="'ward' already exists"):
            uow.organisations.add(WARD)
        with pytest.raises(NotFound, match="town-hall"):
            uow.organisations.replace(TOWN_HALL)
        uow.organisations.add(TOWN_HALL)
        uow.commit()
    assert stored_ids(store) == [TOWN_HALL.id, WARD.id]


def test_an_event_id_is_recorded_once(store: SqliteStore) -> None:
    with store.unit_of_work() as uow:
        uow.events.append(configured("e-1"))
        with pytest.raises(Conflict, match="'e-1' is already in the journal"):
            uow.events.append(configured("e-1"))
        with pytest.raises(InvalidInput, match="limit"):
            uow.events.since(0, limit=-1)
        assert uow.events.since(2**70) == []
        assert [event for _, event in uow.events.since(-(2**70), limit=2**70)] == [
            configured("e-1")
        ]


def test_events_are_journaled_together_all_or_none(store: SqliteStore) -> None:
    with store.unit_of_work() as uow:
        uow.events.extend([configured("e-1"), configured("e-2")])
        with pytest.raises(Conflict, match="event 'e-2' is already in the journal"):
            uow.events.extend([configured("e-3"), configured("e-2")])
        with pytest.raises(Conflict, match="events given twice: 'e-4'"):
            uow.events.extend([configured("e-4"), configured("e-5"), configured("e-4")])
        uow.commit()
    with store.unit_of_work(write=False) as uow:
        recorded = [event.event_id for _, event in uow.events.since()]
    assert recorded == ["e-1", "e-2"]


def test_a_read_only_unit_refuses_writes(store: SqliteStore) -> None:
    with store.unit_of_work(write=False) as uow:
        with pytest.raises(Forbidden, match="read-only"):
            uow.organisations.add(WARD)
        with pytest.raises(Forbidden, match="read-only"):
            uow.events.append(configured("e-1"))
        uow.commit()
    assert stored_ids(store) == []


def test_a_unit_of_work_is_used_once(store: SqliteStore) -> None:
    uow = store.unit_of_work()
    with pytest.raises(Forbidden, match="enter the unit of work"):
        uow.organisations.ids()
    with uow:
        uow.organisations.add(WARD)
        uow.commit()
        with pytest.raises(Forbidden, match="committed or rolled back"):
            uow.organisations.ids()
        with pytest.raises(Forbidden, match="committed or rolled back"):
            uow.commit()
        uow.rollback()  # harmless once finished
    with pytest.raises(Forbidden, match="used once"), uow:
        pass
    assert stored_ids(store) == [WARD.id]


def test_a_closed_store_opens_no_unit(path: Path) -> None:
    store = SqliteStore(path)
    store.close()
    store.close()
    with pytest.raises(Forbidden, match="closed"), store.unit_of_work():
        pass


def test_a_nested_unit_in_the_same_thread_is_refused(store: SqliteStore) -> None:
    with store.unit_of_work(), pytest.raises(Conflict, match="already open"):
        store.unit_of_work(write=False).__enter__()


def test_a_writer_holding_the_lock_past_the_timeout_makes_the_other_conflict(path: Path) -> None:
    with SqliteStore(path) as holder, SqliteStore(path, timeout=0.1) as impatient:
        with holder.unit_of_work() as uow:
            uow.organisations.add(WARD)
            started = time.monotonic()
            with pytest.raises(Conflict, match="another writer held the database"):
                impatient.unit_of_work().__enter__()
            assert time.monotonic() - started >= 0.1
            # WAL: a reader does not wait for the writer and sees the last commit.
            assert stored_ids(impatient) == []
            uow.commit()
        assert stored_ids(impatient) == [WARD.id]
        add(impatient, TOWN_HALL)  # the failed attempt left nothing behind


def test_threads_sharing_a_store_take_turns(store: SqliteStore) -> None:
    first_is_in = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        with store.unit_of_work() as uow:
            uow.organisations.add(WARD)
            first_is_in.set()
            time.sleep(0.1)
            uow.commit()

    def second() -> None:
        first_is_in.wait()
        try:
            with store.unit_of_work() as uow:
                assert uow.organisations.ids() == [WARD.id]  # it waited for the commit
                uow.organisations.add(TOWN_HALL)
                uow.commit()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert stored_ids(store) == [TOWN_HALL.id, WARD.id]


@pytest.mark.parametrize(
    ("connections", "message"),
    [
        (8, "another writer held the database for more than 0.05 s"),
        (1, "other threads kept this store busy for more than 0.05 s"),
    ],
)
def test_a_thread_kept_waiting_past_the_timeout_gets_conflict(
    path: Path, connections: int, message: str
) -> None:
    outcome: list[BaseException] = []
    with SqliteStore(path, timeout=0.05, connections=connections) as store, store.unit_of_work():

        def late() -> None:
            try:
                store.unit_of_work().__enter__()
            except CareDomainError as error:
                outcome.append(error)

        thread = threading.Thread(target=late)
        thread.start()
        thread.join()
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict)
    assert message in str(outcome[0])


def test_readers_in_other_threads_read_while_a_writer_holds_its_unit(path: Path) -> None:
    with SqliteStore(path, timeout=0.05) as store:
        with store.unit_of_work() as uow:
            uow.organisations.add(WARD)
            uow.commit()
        seen: list[list[OrganisationId]] = []
        readers_in = threading.Barrier(3, timeout=10)

        def reader() -> None:
            with store.unit_of_work(write=False) as uow:
                readers_in.wait()  # both readers and the writer hold a unit at once
                seen.append(uow.organisations.ids())

        with store.unit_of_work() as writer:
            writer.organisations.add(TOWN_HALL)
            threads = [threading.Thread(target=reader) for _ in range(2)]
            for thread in threads:
                thread.start()
            readers_in.wait()
            for thread in threads:
                thread.join()
            writer.commit()
        assert seen == [[WARD.id], [WARD.id]]  # the snapshot before the writer's commit
        assert stored_ids(store) == [TOWN_HALL.id, WARD.id]


def test_an_in_memory_store_lends_its_one_connection_in_turn() -> None:
    with SqliteStore(":memory:") as store:
        with store.unit_of_work() as uow:
            uow.organisations.add(WARD)
            uow.commit()

        def other_thread() -> None:
            with store.unit_of_work(write=False) as uow:
                seen.append(uow.organisations.ids())

        seen: list[list[OrganisationId]] = []
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert seen == [[WARD.id]]  # the same database, not a new empty one
