"""An export applied a chunk at a time gives exactly what the whole export applied at once
gives: the report, the GTT records, the local edits, the posts, the events — for any chunk
size, down to one agent's run (one row when she has one), on real files and real SQLite
stores, with lines ending in LF, CRLF or a lone CR, strict or lenient, with posts to be
taken off and edits to be merged or overwritten, after an earlier export or not, and with
agents' lines scattered (then the file is read whole)."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caredomain import FixedClock
from caredomain.roster import (
    Agent,
    AgentId,
    Planning,
    PlanningId,
    Post,
    PostId,
    french_hospital_catalogue,
)
from caredomain.roster import services as roster
from caredomain.roster.model import PlanningStatus
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttSettings
from caredomain_gtt.chunks import agent_blocks, agent_reader
from caredomain_gtt.columns import column_reader
from caredomain_gtt.digests import RunLayout
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
AGENTS = [f"M{n:03d}" for n in range(5)]
FIRST = date(2026, 11, 23)
DAYS = [FIRST + timedelta(days=n) for n in range(4)]
CODES = ["J", "J", "M", "RH", "MAL", "CA", "ZZ"]  # ZZ is unknown
NOW = datetime(2026, 11, 23, 13, tzinfo=PARIS)
Row = tuple[str, str, str]


def text_of(rows: list[Row], hour: int) -> bytes:
    lines = [f"Extraction;23/11/2026 {hour:02d}:00", "Matricule;Nom;Date;Code"]
    lines += [f"{agent};Nom;{day};{code}" for agent, day, code in rows]
    return ("\n".join(lines) + "\n").encode()


@st.composite
def exports(draw: st.DrawFn) -> list[Row]:
    """An export: each agent's days together, mostly; now and then a bad line (a day that
    does not read, a missing field, an unknown agent), an agent's lines scattered, or an
    agent-day given twice."""
    agents = draw(st.lists(st.sampled_from([*AGENTS, "X999"]), min_size=1, max_size=5, unique=True))
    rows: list[Row] = []
    for agent in agents:
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=4, unique=True))
        rows += [(agent, f"{day:%d/%m/%Y}", draw(st.sampled_from(CODES))) for day in sorted(days)]
    if draw(st.booleans()) and rows:
        at = draw(st.integers(0, len(rows) - 1))
        agent, day, code = rows[at]
        rows[at] = draw(
            st.sampled_from(
                [(agent, "31/02/2026", code), (agent, day, ""), (agent, day + ";x", code)]
            )
        )
    shuffle = draw(st.integers(0, 5))
    if shuffle == 0:
        rows = draw(st.permutations(rows))
    elif shuffle == 1:  # an agent-day given again at the end, her lines no longer together
        agent, day, _ = rows[0]
        rows.append((agent, day, draw(st.sampled_from(CODES))))
    return rows


@contextmanager
def staffed(path: Path, earlier: bytes | None) -> Iterator[ServiceContext]:
    """A store with the agents, a published planning whose posts hold the first three
    agents every day, a local edit, and ``earlier`` applied if given."""
    numbers = count(1)
    with SqliteStore(path) as store:
        with store.unit_of_work() as uow:
            uow.roster.save_catalogue(french_hospital_catalogue())
            uow.roster.save_agents(Agent(AgentId(a), a, {"IDE"}) for a in AGENTS)
            uow.roster.save_plannings(
                [Planning(PlanningId("p"), "ward", "Ward", PlanningStatus.PUBLISHED)]
            )
            uow.roster.save_posts(
                Post(
                    PostId(f"{agent}-{day:%d}"),
                    PlanningId("p"),
                    day,
                    datetime.combine(day, datetime.min.time(), PARIS).replace(hour=7),
                    datetime.combine(day, datetime.min.time(), PARIS).replace(hour=15),
                    assigned=[AgentId(agent)],
                )
                for agent in AGENTS[:3]
                for day in DAYS
            )
            uow.commit()
        context = ServiceContext(
            store=store,
            clock=FixedClock(NOW),
            new_id=lambda: f"e{next(numbers)}",
        )
        roster.edit_code_locally(context, roster.GTT_FEED_ACTOR, AGENTS[1], DAYS[1], "CA")
        if earlier is not None:
            source = path.parent / "earlier.csv"
            source.write_bytes(earlier)
            roster.apply_gtt_file(context, GttCsvReader().read, str(source))
        yield context


def state(context: ServiceContext) -> dict[str, Any]:
    """What the roster holds (the records' digests aside: which runs a reader can recognise
    next time depends on where its reading starts, not on what the roster holds) and every
    event."""
    with context.store.unit_of_work(write=False) as uow:
        repository = uow.roster
        return {
            "records": [
                (r.agent, r.first, r.codes, r.encoded_times(), r.confirmed)
                for r in repository.agent_days()
            ],
            "edits": repository.local_edits(),
            "posts": repository.posts(),
            "events": [event for _, event in uow.events.since(0, 10_000)],
        }


def applied(
    path: Path, export: bytes, earlier: bytes | None, chunk_bytes: int | None, *, strict: bool
) -> tuple[list[str], dict[str, Any]]:
    """The report and the state of applying ``export``, whole or in chunks of
    ``chunk_bytes``."""
    gtt = GttCsvReader(
        evolve(GttSettings(), strict=strict, chunk_bytes=chunk_bytes or GttSettings().chunk_bytes)
    )
    with staffed(path, earlier) as context:
        source = path.parent / "export.csv"
        source.write_bytes(export)
        run = roster.apply_gtt_file(
            context,
            gtt.read,
            str(source),
            recognise=gtt.read_recognising,
            chunks=gtt.read_chunks if chunk_bytes else None,
        )
        return run.lines(), state(context)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    export=exports(),
    earlier=st.none() | exports(),
    strict=st.booleans(),
    chunk=st.sampled_from([1, 25]) | st.integers(1, 400),
    newline=st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_chunks_of_any_size_give_what_the_whole_export_gives(
    tmp_path_factory: Any,
    *,
    export: list[Row],
    earlier: list[Row] | None,
    strict: bool,
    chunk: int,
    newline: bytes,
) -> None:
    folder = tmp_path_factory.mktemp("chunks")
    before = None if earlier is None else text_of(earlier, 6)
    text = text_of(export, 12).replace(b"\n", newline)
    whole = applied(folder / "whole.db", text, before, None, strict=strict)
    chunked = applied(folder / "chunked.db", text, before, chunk, strict=strict)
    report = " ".join(whole[0])
    event("refused" if "REFUSED" in report else "applied")
    event("an agent taken off a post" if " off " in report else "no one taken off")
    body = text.split(newline, 2)[2]
    pieces = len(list(agent_blocks(io.BytesIO(body), agent_reader(LAYOUT), chunk)))
    event("one chunk" if pieces == 1 else "several chunks")
    assert chunked[0] == whole[0]
    assert chunked[1] == whole[1]


LAYOUT = RunLayout(
    "utf-8", ";", (0, 2, 3), 4, False, ("%d/%m/%Y",), column_reader(4, 0, 2, 3, trim=False)
)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_chunks_end_where_an_agents_run_does(newline: bytes) -> None:
    rows = [(agent, f"{day:%d/%m/%Y}", "J") for agent in AGENTS for day in DAYS]
    body = text_of(rows, 6).split(b"\n", 2)[2].replace(b"\n", newline)
    for size in (1, 30, 31, 200, len(body), len(body) * 2):
        chunks = list(agent_blocks(io.BytesIO(body), agent_reader(LAYOUT), size))
        assert b"".join(chunks) == body
        if size < len(body) // 2:
            assert len(chunks) > 1
        for chunk in chunks:
            agents = [line.split(b";")[0] for line in chunk.splitlines()]
            assert chunk.endswith(newline)
            assert len(chunk) >= min(size, len(body)) or chunk is chunks[-1]
            assert agents == sorted(agents)
        firsts = [chunk.split(b";")[0] for chunk in chunks]
        lasts = [chunk.splitlines()[-1].split(b";")[0] for chunk in chunks]
        assert all(last != first for last, first in zip(lasts, firsts[1:], strict=False))


def test_a_quoted_field_over_two_lines_is_never_cut(tmp_path: Path) -> None:
    body = b'A;"two\nlines";23/11/2026;J\nB;Nom;23/11/2026;J\n'
    chunks = list(agent_blocks(io.BytesIO(body), agent_reader(LAYOUT), 1))
    assert chunks == [b'A;"two\nlines";23/11/2026;J\n', b"B;Nom;23/11/2026;J\n"]


WORKER = Path(__file__).with_name("chunk_worker.py")


@pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")
@pytest.mark.parametrize("chunks_applied", [1, 4])
def test_an_apply_killed_between_chunks_leaves_the_store_as_it_was(
    tmp_path: Path, chunks_applied: int
) -> None:
    agents = [f"M{a:04d}" for a in range(1500)]
    rows = [
        (agent, f"{day:%d/%m/%Y}", CODES[n % 6]) for n, agent in enumerate(agents) for day in DAYS
    ]
    export = tmp_path / "export.csv"
    export.write_bytes(text_of(rows, 12))
    database = tmp_path / "care.db"
    with staffed(database, None) as context:
        with context.store.unit_of_work() as uow:
            uow.roster.save_agents(Agent(AgentId(a), a, {"IDE"}) for a in agents)
            uow.commit()
        before = state(context)
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(database), str(export), NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        for line in worker.stdout:
            if line.strip() == f"chunk {chunks_applied}":
                break
        else:
            pytest.fail("the worker ended before that chunk")
    finally:
        worker.send_signal(signal.SIGKILL)
        _, errors = worker.communicate()
    assert worker.returncode == -signal.SIGKILL, errors
    with SqliteStore(database, timeout=0.5) as store:
        context = ServiceContext(store=store, clock=FixedClock(NOW))
        assert state(context) == before
        run = roster.apply_gtt_file(
            context, GttCsvReader().read, str(export), chunks=GttCsvReader().read_chunks
        )
        assert run.report is not None
        assert run.report.applied == len(rows)


@pytest.mark.parametrize("first", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [1, 40, 1000])
def test_a_line_end_of_another_kind_here_and_there_reads_as_the_whole_file_does(
    tmp_path: Path, first: str, chunk: int
) -> None:
    """Mixed line ends (the first line's kind, and now and then another) are read, not a
    traceback, and read as the whole file reads them."""
    ends = ["\n", "\r\n", "\r"]
    rows = [f"{agent};Nom;{day:%d/%m/%Y};J" for agent in AGENTS for day in DAYS]
    rows[6] = f"{AGENTS[1]};Nom;31/02/2026;J"
    text = f"Extraction;23/11/2026 06:00{first}Matricule;Nom;Date;Code{first}" + "".join(
        row + (first if n % 4 else ends[n // 4 % 3]) for n, row in enumerate(rows)
    )
    path = tmp_path / "export.csv"
    path.write_bytes(text.encode())
    settings = evolve(GttSettings(), strict=False, chunk_bytes=chunk)
    whole = GttCsvReader(settings).read(str(path))
    chunks = list(GttCsvReader(settings).read_chunks(str(path), {}))
    assert [row for batch in chunks for row in batch.rows] == whole.rows
    assert [bad for batch in chunks for bad in batch.rejected] == list(whole.rejected)
    assert len(whole.rows) == len(rows) - 1


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("chunk", [1, 40, 1000])
def test_chunks_number_their_lines_and_rejections_as_the_whole_file_does(
    tmp_path: Path, newline: str, chunk: int
) -> None:
    rows = [(agent, f"{day:%d/%m/%Y}", "J") for agent in AGENTS for day in DAYS]
    rows[6] = (AGENTS[1], "31/02/2026", "J")  # a bad row in the second agent's run
    path = tmp_path / "export.csv"
    path.write_bytes(text_of(rows, 6).replace(b"\n", newline.encode()))
    settings = evolve(GttSettings(), strict=False, chunk_bytes=chunk)
    whole = GttCsvReader(settings).read(str(path))
    chunks = list(GttCsvReader(settings).read_chunks(str(path), {}))
    assert [row for batch in chunks for row in batch.rows] == whole.rows
    assert [bad for batch in chunks for bad in batch.rejected] == list(whole.rejected)
    assert whole.rejected[0].line == 9
