"""The GTT reader by runs of lines, on real files and a real SQLite store: runs met before
are recognised and left unparsed, the others parsed; anything that does not fit is read as
text; the outcome is always that of every row parsed."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import FixedClock
from caredomain.roster import Agent, AgentId, french_hospital_catalogue
from caredomain.roster import services as roster
from caredomain.roster.batch import FeedBatch
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
AGENTS = [f"M{n:04d}" for n in range(6)]
DAYS = [f"{day:02d}/11/2026" for day in range(23, 28)]
Rows = list[tuple[str, str, str]]


def export(
    path: Path, rows: Sequence[tuple[str, ...]], *, hour: int = 6, newline: str = "\n"
) -> Path:
    lines = [f"Extraction;23/11/2026 {hour:02d}:00", "Matricule;Nom;Date;Code"]
    lines += [";".join(row) for row in rows]
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    return path


def rows_of(codes: dict[str, list[str]]) -> list[tuple[str, str, str, str]]:
    return [
        (agent, "Nom", day, code)
        for agent, row in codes.items()
        for day, code in zip(DAYS, row, strict=True)
    ]


def codes(change: dict[tuple[str, int], str] | None = None) -> dict[str, list[str]]:
    table = {agent: ["J", "M", "RH", "S", "J"] for agent in AGENTS}
    for (agent, day), code in (change or {}).items():
        table[agent][day] = code
    return table


def reader(**settings: str) -> GttCsvReader:
    return GttCsvReader(GttSettings.from_mapping(settings))


def parsed(batch: FeedBatch) -> list[tuple[int, str, date, str]]:
    return [(r.line, r.agent, r.day, r.code) for r in batch.rows]


def known_from(batch: FeedBatch) -> dict[bytes, str]:
    """What the roster would hold once ``batch`` is applied: each run's digest → agent."""
    return {digest: batch.agents[start] for start, digest in batch.run_digests.items()}


def test_every_agents_run_comes_with_its_digest(tmp_path: Path) -> None:
    batch = reader().read(str(export(tmp_path / "e1.csv", rows_of(codes()))))
    assert sorted(batch.run_digests) == list(range(0, 30, 5))
    assert len(set(batch.run_digests.values())) == 6


def test_runs_met_before_are_recognised_and_the_others_parsed(tmp_path: Path) -> None:
    first = reader().read(str(export(tmp_path / "e1.csv", rows_of(codes()))))
    changed = export(tmp_path / "e2.csv", rows_of(codes({("M0002", 3): "MAL"})), hour=12)
    batch = reader().read_recognising(str(changed), known_from(first))
    assert [(run.agent, run.line, run.count) for run in batch.recognised] == [
        (agent, 3 + 5 * n, 5) for n, agent in enumerate(AGENTS) if agent != "M0002"
    ]
    whole = reader().read(str(changed))
    assert parsed(batch) == [row for row in parsed(whole) if row[1] == "M0002"]
    assert batch.run_digests == {0: whole.run_digests[10]}
    assert batch.extracted_at == whole.extracted_at


def test_other_settings_make_other_digests(tmp_path: Path) -> None:
    path = export(tmp_path / "e1.csv", rows_of(codes()))
    plain = reader().read(str(path))
    trimmed = reader(trim="yes").read(str(path))
    assert set(plain.run_digests.values()).isdisjoint(trimmed.run_digests.values())
    assert reader(trim="yes").read_recognising(str(path), known_from(plain)).recognised == ()


@pytest.mark.parametrize(
    "shape",
    [
        "an agent with one day more",
        "an agent with one day less",
        "crlf",
        "lone cr",
        "no newline at the end",
    ],
)
def test_files_that_do_not_line_up_read_every_row(tmp_path: Path, shape: str) -> None:
    rows = rows_of(codes())
    newline = {"crlf": "\r\n", "lone cr": "\r"}.get(shape, "\n")
    if shape == "an agent with one day more":
        rows.insert(10, ("M0001", "Nom", "28/11/2026", "J"))
    if shape == "an agent with one day less":
        del rows[9]
    path = export(tmp_path / "e.csv", rows, newline=newline)
    if shape == "no newline at the end":
        path.write_bytes(path.read_bytes().rstrip(b"\n"))
    first = reader().read(str(path))
    again = reader().read_recognising(str(path), known_from(first))
    expected = [
        (3 + n, agent, datetime.strptime(day, "%d/%m/%Y").date(), code)
        for n, (agent, _, day, code) in enumerate(rows)
    ]
    assert parsed(first) == expected
    recognised = {
        line for run in again.recognised for line in range(run.line, run.line + run.count)
    }
    assert [row for row in expected if row[0] not in recognised] == parsed(again)
    assert sum(run.count for run in again.recognised) + len(again) == len(rows)


def test_a_field_over_two_lines_is_read_as_text(tmp_path: Path) -> None:
    rows = rows_of(codes())
    rows[7] = ("M0001", '"Nom\nsuite"', rows[7][2], rows[7][3])
    path = export(tmp_path / "e.csv", rows)
    batch = reader().read(str(path))
    assert len(batch) == 30
    assert batch.run_digests == {}
    assert batch.rows[8].line == 12  # the row after it starts a line later


@contextmanager
def staffed(database: Path) -> Iterator[ServiceContext]:
    """A store holding the code catalogue and the agents."""
    numbers = count(1)
    with SqliteStore(database) as store:
        with store.unit_of_work() as uow:
            uow.roster.save_catalogue(french_hospital_catalogue())
            uow.roster.save_agents(Agent(AgentId(a), a, {"IDE"}) for a in AGENTS)
            uow.commit()
        yield ServiceContext(
            store=store,
            clock=FixedClock(datetime(2026, 11, 23, 13, tzinfo=PARIS)),
            new_id=lambda: f"e{next(numbers)}",
        )


@pytest.fixture
def context(tmp_path: Path) -> Iterator[ServiceContext]:
    with staffed(tmp_path / "store.db") as context:
        yield context


READ_IN_FULL: list[str] = []


def apply(context: ServiceContext, path: Path, *, recognise: bool = True) -> list[str]:
    gtt = reader()

    def read(source: str) -> FeedBatch:
        READ_IN_FULL.append(Path(source).name)
        return gtt.read(source)

    run = roster.apply_gtt_file(
        context, read, str(path), recognise=gtt.read_recognising if recognise else None
    )
    return run.lines()


def records(context: ServiceContext) -> list[tuple[str, int, str, tuple[int, ...], int]]:
    with context.store.unit_of_work(write=False) as uow:
        return [
            (r.agent, r.first, r.codes, r.held_times()[:1], r.length)
            for r in uow.roster.agent_days()
        ]


def test_a_re_export_applied_with_recognition_gives_what_reading_every_row_gives(
    tmp_path: Path, context: ServiceContext
) -> None:
    e1 = export(tmp_path / "e1.csv", rows_of(codes()))
    e2 = export(tmp_path / "e2.csv", rows_of(codes({("M0002", 3): "MAL"})), hour=12)
    apply(context, e1)
    with staffed(tmp_path / "plain.db") as plain:
        apply(plain, e1, recognise=False)
        expected = apply(plain, e2, recognise=False)
        READ_IN_FULL.clear()
        assert apply(context, e2) == expected
        assert READ_IN_FULL == []
        assert records(context) == records(plain)
    assert expected[1].strip() == "rows read 30, applied 1, unchanged 29, stale 0, rejected 0"


def test_a_local_edit_on_a_recognised_run_has_the_file_read_again(
    tmp_path: Path, context: ServiceContext
) -> None:
    apply(context, export(tmp_path / "e1.csv", rows_of(codes())))
    roster.edit_code_locally(context, roster.GTT_FEED_ACTOR, "M0004", date(2026, 11, 24), "CA")
    READ_IN_FULL.clear()
    lines = apply(context, export(tmp_path / "e2.csv", rows_of(codes()), hour=12))
    assert READ_IN_FULL == ["e2.csv"]
    assert lines[1].strip() == "rows read 30, applied 0, unchanged 30, stale 0, rejected 0"
    assert any("local edit OVERWRITTEN: M0004 2026-11-24: local CA" in line for line in lines)
    with context.store.unit_of_work(write=False) as uow:
        assert uow.roster.local_edits() == []


LONG_DAYS = [f"{day:02d}/12/2026" for day in range(1, 21)]


def long_rows(change: dict[tuple[str, int], str] | None = None) -> list[tuple[str, str, str, str]]:
    """Twenty days per agent: runs of two groups of ten lines."""
    pattern = ["J", "M", "RH", "S"]
    return [
        (agent, "Nom", day, (change or {}).get((agent, n), pattern[n % 4]))
        for agent in AGENTS
        for n, day in enumerate(LONG_DAYS)
    ]


def test_a_run_with_one_group_changed_is_recognised_and_that_group_parsed(
    tmp_path: Path,
) -> None:
    first = reader().read(str(export(tmp_path / "e1.csv", long_rows())))
    changed = export(tmp_path / "e2.csv", long_rows({("M0003", 14): "MAL"}), hour=12)
    batch = reader().read_recognising(str(changed), known_from(first))
    assert len(batch) == 0
    (patched,) = [run for run in batch.recognised if run.parsed]
    assert (patched.agent, patched.line, patched.count) == ("M0003", 3 + 60, 20)
    assert [offset for offset, _, _ in patched.parsed] == list(range(10, 20))
    assert patched.parsed[4] == (14, date(2026, 12, 15), "MAL")
    assert patched.basis == first.run_digests[60]
    assert patched.digest == reader().read(str(changed)).run_digests[60]
    assert patched.digest[:16] == patched.basis[:16]  # the first group, held
    assert patched.digest[16:] != patched.basis[16:]


def test_a_re_export_with_groups_changed_gives_what_reading_every_row_gives(
    tmp_path: Path, context: ServiceContext
) -> None:
    e1 = export(tmp_path / "e1.csv", long_rows())
    changes = {("M0003", 14): "MAL", ("M0000", 2): "CA", ("M0005", 19): "MAL"}
    e2 = export(tmp_path / "e2.csv", long_rows(changes), hour=12)
    e3 = export(tmp_path / "e3.csv", long_rows({("M0003", 14): "J"}), hour=18)
    expected = []
    with staffed(tmp_path / "plain.db") as plain:
        expected = [apply(plain, path, recognise=False) for path in (e1, e2, e3)]
        READ_IN_FULL.clear()
        assert [apply(context, path) for path in (e1, e2, e3)] == expected
        assert READ_IN_FULL == []
        assert records(context) == records(plain)
    assert expected[1][1].strip() == "rows read 120, applied 3, unchanged 117, stale 0, rejected 0"
    assert expected[2][1].strip() == "rows read 120, applied 3, unchanged 117, stale 0, rejected 0"


def by_date(first: int, agents: Sequence[str] = AGENTS) -> list[tuple[str, str, str, str]]:
    """Twenty days from December ``first``, each day's code set by its date."""
    pattern = ["J", "M", "RH", "S"]
    return [
        (agent, "Nom", f"{day:02d}/12/2026", pattern[day % 4])
        for agent in agents
        for day in range(first, first + 20)
    ]


def test_a_period_shifted_by_whole_groups_is_parsed_not_taken_for_the_old_one(
    tmp_path: Path, context: ServiceContext
) -> None:
    e1 = export(tmp_path / "e1.csv", by_date(1))
    e2 = export(tmp_path / "e2.csv", by_date(11), hour=12)  # its first ten lines are e1's last
    with staffed(tmp_path / "plain.db") as plain:
        expected = [apply(plain, path, recognise=False) for path in (e1, e2)]
        READ_IN_FULL.clear()
        assert [apply(context, path) for path in (e1, e2)] == expected
        assert READ_IN_FULL == []
        assert records(context) == records(plain)
    batch = reader().read_recognising(str(e2), known_from(reader().read(str(e1))))
    assert batch.recognised == ()
    assert len(batch) == 120
