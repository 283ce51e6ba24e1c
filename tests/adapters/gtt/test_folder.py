"""The folder source: files taken in extraction-time order, moved once committed, and a
crash between the commit and the move that neither loses a file nor applies it twice."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime
from itertools import count
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import Actor, FixedClock, InvalidInput
from caredomain.access import Everywhere
from caredomain.events import Event
from caredomain.roster import load_ward
from caredomain.roster import services as roster
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader, GttFolder
from caredomain_sqlite import SqliteStore

PARIS = ZoneInfo("Europe/Paris")
WARD = """
[[agents]]
id = "A1001"
skills = ["IDE"]

[[plannings]]
id = "P"
unit = "Cardiologie"
status = "published"

[[posts]]
id = "tue-M"
planning = "P"
day = 2026-11-24
shift = "06h45-14h15"
skills = ["IDE"]
agents = ["A1001"]
"""


def drop(inbox: Path, name: str, extracted: str, code: str) -> Path:
    path = inbox / name
    path.write_text(
        f"Extraction;{extracted}\nMatricule;Nom;Prénom;Date;Code\nA1001;Martin;Claire;24/11/2026;{code}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        roster.set_up_ward(
            ServiceContext(store=store),
            Actor.administrator(configuration=Everywhere("the ward names no organisation")),
            load_ward(WARD),
        )
    return path


@pytest.fixture
def context(database: Path) -> Iterator[ServiceContext]:
    numbers = count(1)
    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=PARIS))
    with SqliteStore(database) as store:
        yield ServiceContext(store=store, clock=clock, new_id=lambda: f"e{next(numbers)}")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def journal(context: ServiceContext) -> list[Event]:
    with context.store.unit_of_work(write=False) as uow:
        return [event for _, event in uow.events.since(0)]


def test_files_are_taken_in_extraction_order_and_moved_once_committed(
    context: ServiceContext, inbox: Path
) -> None:
    drop(inbox, "b.csv", "23/11/2026 10:00", "MAL")
    drop(inbox, "a.csv", "23/11/2026 12:00", "M")
    (inbox / "c.csv").write_text("not an export\n", encoding="utf-8")
    (inbox / "notes.txt").write_text("left alone\n", encoding="utf-8")
    folder = GttCsvReader().folder(str(inbox))
    assert [Path(p).name for p in folder.pending()] == ["c.csv", "b.csv", "a.csv"]
    runs = roster.process_folder(context, folder)
    assert [(Path(r.source).name, Path(r.moved_to).parent.name, r.applied) for r in runs] == [
        ("c.csv", "rejected", False),
        ("b.csv", "done", True),
        ("a.csv", "done", True),
    ]
    assert "no extraction time" in (runs[0].error or "")
    assert sorted(p.name for p in inbox.iterdir()) == ["done", "notes.txt", "rejected"]
    report = (inbox / "done" / "b.csv.report.txt").read_text(encoding="utf-8")
    assert "unassigned: A1001 off tue-M on 2026-11-24 (MAL)" in report
    assert "no extraction time" in (inbox / "rejected" / "c.csv.report.txt").read_text("utf-8")
    kinds = [event.kind for event in journal(context)]
    assert kinds.count("AgentUnassigned") == kinds.count("AgentReassigned") == 1
    assert [
        b.source
        for b in roster.applied_batches(
            context, Actor.administrator(configuration=Everywhere("the ward names no organisation"))
        )
    ] == [
        str(inbox / "a.csv"),
        str(inbox / "b.csv"),
    ]


def test_a_refused_file_goes_to_rejected_and_a_name_taken_gets_a_number(
    context: ServiceContext, inbox: Path
) -> None:
    drop(inbox, "g.csv", "23/11/2026 10:00", "XX")
    (runs,) = [roster.process_folder(context, GttCsvReader().folder(str(inbox)))]
    assert Path(runs[0].moved_to) == inbox / "rejected" / "g.csv"
    assert "unknown code 'XX'" in (inbox / "rejected" / "g.csv.report.txt").read_text("utf-8")
    drop(inbox, "g.csv", "23/11/2026 11:00", "XX")
    (run,) = roster.process_folder(context, GttCsvReader().folder(str(inbox)))
    assert Path(run.moved_to) == inbox / "rejected" / "g.1.csv"
    assert journal(context) == []


def test_a_file_another_watcher_moved_first_is_left_to_it(
    context: ServiceContext, inbox: Path
) -> None:
    drop(inbox, "b.csv", "23/11/2026 10:00", "MAL")
    first, second = GttCsvReader().folder(str(inbox)), GttCsvReader().folder(str(inbox))
    listed = second.pending()
    roster.process_folder(context, first)
    (source,) = listed
    assert second.done(source, ["applied"]) == source
    assert second.rejected(source, ["unreadable"]) == source
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["b.csv", "b.csv.report.txt"]
    assert not (inbox / "rejected").exists() or not any((inbox / "rejected").iterdir())


def test_a_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="not a folder"):
        GttFolder(tmp_path / "nowhere", GttCsvReader())


CRASH = """
import os, sys
from caredomain.services import ServiceContext
from caredomain.roster import services as roster
from caredomain_gtt import GttCsvReader
from caredomain_sqlite import SqliteStore
import caredomain_gtt.folder

def crash(source, target):
    os._exit(70)  # the power goes: no cleanup, no exception handler runs

caredomain_gtt.folder.os.replace = crash
with SqliteStore(sys.argv[1]) as store:
    roster.process_folder(ServiceContext(store=store), GttCsvReader().folder(sys.argv[2]))
"""


def test_a_crash_between_commit_and_move_leaves_the_file_applied_once(
    database: Path, inbox: Path, tmp_path: Path
) -> None:
    drop(inbox, "GTT.csv", "23/11/2026 10:00", "MAL")
    script = tmp_path / "crash.py"
    script.write_text(textwrap.dedent(CRASH), encoding="utf-8")
    crashed = subprocess.run(
        [sys.executable, str(script), str(database), str(inbox)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == 70, crashed.stderr
    assert (inbox / "GTT.csv").exists()  # committed, not moved
    with SqliteStore(database) as store:
        context = ServiceContext(store=store)
        assert [e.kind for e in journal(context)].count("GttBatchApplied") == 1
        (run,) = roster.process_folder(context, GttCsvReader().folder(str(inbox)))
        assert run.run is not None
        assert run.run.already_applied is not None
        assert "already applied" in run.run.lines()[0]
        assert Path(run.moved_to) == inbox / "done" / "GTT.csv"
        kinds = [e.kind for e in journal(context)]
        assert kinds.count("GttBatchApplied") == kinds.count("AgentUnassigned") == 1
    assert not (inbox / "GTT.csv").exists()
