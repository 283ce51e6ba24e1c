"""GTT feed benchmark: a whole hospital group's export applied and committed to SQLite.

Measured in the same run, against a bare ``csv.reader`` pass over the same file:

* ``apply_ratio`` — read a 1,000,000-row export (20,000 agents x 50 days) with the GTT reader,
  apply it to the roster and commit it to SQLite, over the bare pass (target: 4 or less);
* ``reapply_ratio`` — the same for a later export of the same agent-days in which 1% of the
  codes changed (target: 2 or less);
* ``apply_statements``, ``apply_rows_written``, ``reapply_statements``,
  ``reapply_rows_written`` — the work behind the two ratios, counted in one more untimed
  apply of each export (:mod:`counting`): the SQL statements run and the rows inserted,
  updated or deleted, and ``apply_sql_mb``, ``reapply_sql_mb``, the megabytes of SQL they
  carry, values written in; ``reapply_work_share`` is the re-apply's over the apply's.
  Counts do not move with the machine's load: where the re-apply ratio swings around its
  target, they show whether the store's work did;
* ``candidates_ms`` — the candidates of one post among 50,000 agents, once the index is
  built, in milliseconds (target: under 1);
* ``peak_ratio`` — the peak resident memory of a process that applies an export of
  5,000,000 rows to a new store, over that of one that applies 1,000,000 rows
  (``--peak-rows SMALL,LARGE``; by default ``--rows`` and five times as many): memory
  that grows with the export beyond the roster shows here (target: 1.5 or less).

Every apply is the one ``caredomain gtt apply`` and the folder source make: recognising the
runs of lines the roster holds, a chunk of ``chunk_bytes`` (4 MiB) at a time, in one
transaction.

Each timing is the best of ``--repeat`` runs, the baseline and the work taken in turns (a
shared machine is noisy), each after the disk has caught up with the step before it (so that
no timing pays for writing out a store copied or checkpointed by another); both ratios refer
to the best bare pass over either export. The load average before and after is printed
with the figures. ``--rows N`` runs a smaller export; ``--json`` prints the figures as one
JSON object on the last line.

    python benchmarks/gtt_feed.py [--rows 1000000] [--agents-for-candidates 50000] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

from caredomain import FixedClock
from caredomain.roster import (
    Agent,
    AgentDays,
    AgentId,
    Planning,
    PlanningId,
    Post,
    Roster,
    candidates,
    french_hospital_catalogue,
)
from caredomain.roster.availability import availability_of
from caredomain.roster.days import micros
from caredomain.roster.model import PlanningStatus
from caredomain.roster.services import apply_gtt_file
from caredomain.services import ServiceContext
from caredomain_gtt import GttCsvReader
from caredomain_sqlite import SqliteStore

sys.path.insert(0, str(Path(__file__).parent))
from counting import CountingStore
from machine import Load

ZONE = ZoneInfo("Europe/Paris")
FIRST_DAY = date(2026, 11, 2)
DAYS = 50
CODES = ["J"] * 6 + ["M"] * 3 + ["S"] * 3 + ["N"] + ["RH"] * 4 + ["CA", "RTT", "MAL", "FOR"]
SKILL_SETS = [
    frozenset({"IDE"}),
    frozenset({"IDE", "REA"}),
    frozenset({"IDE", "BLOC"}),
    frozenset({"AS"}),
    frozenset({"AS", "PED"}),
    frozenset({"IADE"}),
    frozenset({"IBODE", "BLOC"}),
    frozenset({"SF"}),
]


def write_export(
    path: Path,
    agents: int,
    days: int,
    extracted: datetime,
    codes: list[list[str]] | Callable[[int, int], str],
) -> None:
    """An export of ``agents`` x ``days``: ``codes[agent][day]``, or ``codes(agent, day)``
    drawn as the file is written."""
    code_of = codes if callable(codes) else lambda a, d: codes[a][d]
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(f"Extraction;{extracted:%d/%m/%Y %H:%M}\r\n")
        file.write("Matricule;Nom;Prénom;Date;Code\r\n")
        texts = [(FIRST_DAY + timedelta(days=d)).strftime("%d/%m/%Y") for d in range(days)]
        for a in range(agents):
            head = f"M{a:06d};NOM{a};Prénom{a % 97};"
            file.writelines(f"{head}{texts[d]};{code_of(a, d)}\r\n" for d in range(days))


def bare_pass(path: Path) -> None:
    with path.open(encoding="utf-8-sig", newline="") as file:
        for _ in csv.reader(file, delimiter=";"):
            pass


def settle_disk() -> None:
    """Write out what the previous step left in the page cache (a 17 MB store copied, a
    store checkpointed), so that no timing pays for writing out another's data."""
    if hasattr(os, "sync"):
        os.sync()


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def interleaved(
    runs: int,
    baseline: Callable[[], object],
    work: Callable[[], object],
    prepare: Callable[[], object],
) -> tuple[float, float]:
    """The best of ``runs`` timings of the baseline and of the work, taken in turns so that
    both meet the same moments of a noisy machine."""
    base, done = [], []
    for _ in range(runs):
        settle_disk()
        base.append(timed(baseline))
        prepare()
        settle_disk()
        done.append(timed(work))
    return min(base), min(done)


def new_store(path: Path, agents: int, days: int, codes: list[list[str]]) -> None:
    """A store with the agents and a published planning in which a tenth of them hold a post
    on each of their presence days of the first export: the second export's changes then
    unassign some of them, as a real feed does."""
    path.unlink(missing_ok=True)
    absences = french_hospital_catalogue().absences
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        uow.roster.save_catalogue(french_hospital_catalogue())
        uow.roster.save_agents(
            Agent(AgentId(f"M{a:06d}"), f"Agent {a}", SKILL_SETS[a % len(SKILL_SETS)])
            for a in range(agents)
        )
        uow.roster.save_plannings(
            [Planning(PlanningId("group"), "Groupe", "", PlanningStatus.PUBLISHED)]
        )
        uow.roster.save_posts(
            Post.on(
                f"p{a}-{d}",
                "group",
                FIRST_DAY + timedelta(days=d),
                "06h45-14h15",
                zone=ZONE,
                assigned=[f"M{a:06d}"],
            )
            for a in range(0, agents, 10)
            for d in range(days)
            if codes[a][d] not in absences
        )
        uow.commit()


def feed_figures(rows: int, repeat: int, work: Path) -> dict[str, object]:
    days = min(DAYS, rows)
    agents = max(1, rows // days)
    rnd = random.Random(2026)
    first = [[rnd.choice(CODES) for _ in range(days)] for _ in range(agents)]
    second = [list(codes) for codes in first]
    cells = agents * days
    for cell in rnd.sample(range(cells), max(1, cells // 100)):
        a, d = divmod(cell, days)
        second[a][d] = rnd.choice([c for c in CODES if c != second[a][d]])
    t1 = datetime(2026, 11, 1, 6, 0, tzinfo=ZONE)
    export1, export2 = work / "GTT_1.csv", work / "GTT_2.csv"
    write_export(export1, agents, days, t1, first)
    write_export(export2, agents, days, t1 + timedelta(hours=6), second)
    database, applied = work / "roster.db", work / "applied.db"
    reader = GttCsvReader()
    clock = FixedClock(t1 + timedelta(hours=7))

    def apply(export: Path, opened: Callable[[Path], SqliteStore] = SqliteStore) -> None:
        with opened(database) as store:
            context = ServiceContext(store=store, clock=clock)
            run = apply_gtt_file(
                context,
                reader.read,
                str(export),
                recognise=reader.read_recognising,
                chunks=reader.read_chunks,
            )
            assert run.report is not None, run
            assert not run.report.refused, run.report.lines()

    bare1, first_apply = interleaved(
        repeat,
        lambda: bare_pass(export1),
        lambda: apply(export1),
        lambda: new_store(database, agents, days, first),
    )
    shutil.copy(database, applied)  # closed: the WAL is checkpointed into the file

    def restore() -> None:
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy(applied, database)

    bare2, second_apply = interleaved(
        repeat, lambda: bare_pass(export2), lambda: apply(export2), restore
    )
    bare = min(bare1, bare2)  # the two exports are the same size: the best pass of either
    applied_work = counted_work(
        lambda opened: apply(export1, opened), lambda: new_store(database, agents, days, first)
    )
    reapplied_work = counted_work(lambda opened: apply(export2, opened), restore)
    return {
        "rows": agents * days,
        "agents": agents,
        "days": days,
        "file_mb": round(export1.stat().st_size / 1e6, 1),
        "bare_s": round(bare, 3),
        "apply_s": round(first_apply, 3),
        "reapply_s": round(second_apply, 3),
        "apply_ratio": round(first_apply / bare, 2),
        "reapply_ratio": round(second_apply / bare, 2),
        "apply_statements": applied_work.statements,
        "apply_rows_written": applied_work.rows,
        "reapply_statements": reapplied_work.statements,
        "reapply_rows_written": reapplied_work.rows,
        "apply_sql_mb": round(applied_work.characters / 1e6, 2),
        "reapply_sql_mb": round(reapplied_work.characters / 1e6, 2),
        "reapply_work_share": round(reapplied_work.characters / max(applied_work.characters, 1), 3),
    }


def counted_work(
    apply: Callable[[Callable[[Path], SqliteStore]], object], prepare: Callable[[], object]
) -> CountingStore:
    """One more apply, untimed, on a store counting its statements and rows written."""
    prepare()
    counted: list[CountingStore] = []

    def opened(path: Path) -> CountingStore:
        counted.append(CountingStore(path))
        return counted[-1]

    apply(opened)
    return counted[0]


def write_random_export(path: Path, agents: int, days: int, extracted: datetime) -> None:
    """An export of ``agents`` x ``days`` random codes, written as it is drawn: the parent
    process holds none of it."""
    rnd = random.Random(2026)
    write_export(path, agents, days, extracted, lambda _a, _d: rnd.choice(CODES))


def peak_child(export: Path, database: Path, agents: int) -> None:
    """In a process of its own: a store with the catalogue and the agents, the export
    applied to it; prints the process's peak resident memory in KiB."""
    with SqliteStore(database) as store:
        with store.unit_of_work() as uow:
            uow.roster.save_catalogue(french_hospital_catalogue())
            uow.roster.save_agents(
                Agent(AgentId(f"M{a:06d}"), f"Agent {a}", SKILL_SETS[a % len(SKILL_SETS)])
                for a in range(agents)
            )
            uow.commit()
        reader = GttCsvReader()
        clock = FixedClock(datetime(2026, 11, 1, 7, 0, tzinfo=ZONE))
        run = apply_gtt_file(
            ServiceContext(store=store, clock=clock),
            reader.read,
            str(export),
            recognise=reader.read_recognising,
            chunks=reader.read_chunks,
        )
        assert run.report is not None, run
        assert not run.report.refused, run.report.lines()
    print(peak_kib(), flush=True)


def peak_kib() -> int:
    """This process's peak resident memory in KiB: the kernel's high-water mark of its own
    memory (``VmHWM``) where there is one. ``ru_maxrss`` would do elsewhere, but on Linux it
    survives ``exec``: a child started by a parent holding 200 MB would report at least
    that."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_figures(sizes: tuple[int, int], work: Path) -> dict[str, object]:
    """The peak memory of a process that applies an export of each size to a new store
    (each in a fresh process, so that neither inherits the other's heap), and the larger
    size's peak over the smaller's."""
    peaks = []
    for rows in sizes:
        days = min(DAYS, rows)
        agents = max(1, rows // days)
        export, database = work / f"peak-{rows}.csv", work / f"peak-{rows}.db"
        write_random_export(export, agents, days, datetime(2026, 11, 1, 6, 0, tzinfo=ZONE))
        settle_disk()
        child = subprocess.run(
            [sys.executable, __file__, "--peak-child", str(export), str(database), str(agents)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            raise SystemExit(f"the apply of {rows} rows failed:\n{child.stderr}")
        peaks.append(int(child.stdout.split()[-1]) / 1024)
        export.unlink()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    return {
        "peak_rows": list(sizes),
        "peak_mb": [round(peak, 1) for peak in peaks],
        "peak_ratio": round(peaks[1] / peaks[0], 2),
    }


def candidates_figures(agents: int, queries: int) -> dict[str, object]:
    """A roster of ``agents`` over one week: codes for everyone (a fifth absent each day),
    a third of the agents posted each day, and posts left vacant to staff."""
    rnd = random.Random(7)
    monday = date(2026, 11, 23)
    catalogue = french_hospital_catalogue()
    staff = [
        Agent(AgentId(f"M{a:06d}"), "", SKILL_SETS[a % len(SKILL_SETS)]) for a in range(agents)
    ]
    extracted = micros(datetime(2026, 11, 20, 6, tzinfo=ZONE))
    presence, absence = ["J", "M", "S", "N"], ["RH", "CA", "MAL", "RTT", "FOR"]
    records = [
        AgentDays(
            agent.id,
            monday.toordinal(),
            " ".join(rnd.choice(absence if rnd.random() < 0.2 else presence) for _ in range(7)),
            (extracted,) * 7,
        )
        for agent in staff
    ]
    posts = []
    shifts = ["06h45-14h15", "13h45-21h15", "21h00-07h00"]
    for d in range(7):
        day = monday + timedelta(days=d)
        ordinal = day.toordinal()
        for number, agent in enumerate(rnd.sample(staff, agents // 3)):
            code = records[int(agent.id[1:])].code_at(ordinal)
            if code in catalogue.absences:
                continue
            posts.append(
                Post.on(
                    f"p{d}-{number}",
                    "week",
                    day,
                    shifts[number % 3],
                    zone=ZONE,
                    skills=agent.skills,
                    assigned=[agent.id],
                )
            )
    vacant = [
        Post.on(
            f"v{n}",
            "week",
            monday + timedelta(days=n % 7),
            shifts[n % 3],
            zone=ZONE,
            skills=SKILL_SETS[n % len(SKILL_SETS)],
        )
        for n in range(queries)
    ]
    roster = Roster(
        catalogue,
        agents=staff,
        plannings=[Planning(PlanningId("week"), "Groupe", "", PlanningStatus.PUBLISHED)],
        posts=posts + vacant,
        days=records,
    )
    start = time.perf_counter()
    availability_of(roster)
    for offset in range(7):
        availability_of(roster).absent_on(monday + timedelta(days=offset))
    index_s = time.perf_counter() - start
    for post in vacant[:20]:  # first query per week and skill set builds that ranking
        candidates(roster, post.id, limit=10)
    timings = []
    for post in vacant:
        start = time.perf_counter()
        found = candidates(roster, post.id, limit=10)
        timings.append(time.perf_counter() - start)
        assert len(found.candidates) == 10, found
    return {
        "candidates_agents": agents,
        "candidates_posts": len(posts),
        "candidates_index_s": round(index_s, 3),
        "candidates_ms": round(statistics.median(timings) * 1000, 3),
        "candidates_max_ms": round(max(timings) * 1000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the export (1e6)")
    parser.add_argument("--agents-for-candidates", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200, help="candidate queries timed")
    parser.add_argument("--repeat", type=int, default=5, help="best of N runs (5)")
    parser.add_argument(
        "--peak-rows",
        default="",
        help="the two export sizes whose peak memory is compared, as SMALL,LARGE "
        "(default: --rows and five times --rows; 0 to skip)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON object last")
    parser.add_argument("--peak-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak_child:
        export, database, agents = args.peak_child
        peak_child(Path(export), Path(database), int(agents))
        return 0
    if args.peak_rows == "0":
        sizes = None
    elif args.peak_rows:
        small, _, large = args.peak_rows.partition(",")
        sizes = (int(small), int(large))
    else:
        sizes = (args.rows, 5 * args.rows)
    load = Load.now()
    with tempfile.TemporaryDirectory(prefix="gtt-bench-") as folder:
        figures = feed_figures(args.rows, args.repeat, Path(folder))
    figures |= candidates_figures(args.agents_for_candidates, args.queries)
    if sizes is not None:
        with tempfile.TemporaryDirectory(prefix="gtt-peak-") as folder:
            figures |= peak_figures(sizes, Path(folder))
    load = load.until_now()
    figures["load"] = load.figures()
    print(
        f"export: {figures['rows']} rows ({figures['agents']} agents x {figures['days']} days), "
        f"{figures['file_mb']} MB"
    )
    print(f"bare csv.reader pass      {figures['bare_s']:.3f} s")
    print(
        f"apply + commit            {figures['apply_s']:.3f} s   "
        f"ratio {figures['apply_ratio']} (target <= 4)"
    )
    print(
        f"1%-changed re-export      {figures['reapply_s']:.3f} s   "
        f"ratio {figures['reapply_ratio']} (target <= 2)"
    )
    print(
        f"work, counted: the apply {figures['apply_statements']} statements, "
        f"{figures['apply_rows_written']} rows, {figures['apply_sql_mb']} MB of SQL; the "
        f"re-apply {figures['reapply_statements']} statements, "
        f"{figures['reapply_rows_written']} rows, {figures['reapply_sql_mb']} MB "
        f"({figures['reapply_work_share']} of the apply's)"
    )
    print(
        f"candidates among {figures['candidates_agents']} agents: median "
        f"{figures['candidates_ms']} ms, max {figures['candidates_max_ms']} ms (target < 1 ms); "
        f"index built in {figures['candidates_index_s']} s"
    )
    if sizes is not None:
        small_mb, large_mb = cast("list[float]", figures["peak_mb"])
        print(
            f"peak memory of an apply   {small_mb} MB at {sizes[0]} rows, {large_mb} MB at "
            f"{sizes[1]} rows: ratio {figures['peak_ratio']} (target <= 1.5)"
        )
    print(load.line())
    if args.json:
        print(json.dumps(figures, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
