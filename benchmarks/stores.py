"""Both stores in one run: SQLite (one file) and PostgreSQL (one schema), the same work.

    python benchmarks/stores.py [--counters 1000] [--attempts 150] [--messages 2000]
                                [--rows 1000000] [--repeat 2] [--json]

* **bookings**: 8 processes race to book slots of the 1,000 counters of a town (a pool of
  slots twice as large as one process's share, so that they collide), each through
  :func:`~caredomain.slots.services.book_slot` on its own store object. Reported: bookings
  a second, conflicts (lost races: ``SlotTaken``), and **double bookings** found afterwards
  (a slot holding more appointments than seats, or a seat held twice): must be 0.
* **outbox**: the same mails queued, then dispatched by 4 processes to one local SMTP server
  (aiosmtpd in a child process) that counts each mail's key. Reported: mails a second and
  **duplicates** (mails received more than once): must be 0.
* **GTT**: a ``--rows`` export (one million agent-days) applied to a roster as the command
  line applies it (a chunk of 4 MiB at a time, in one transaction), against a bare
  ``COPY`` of the same file into a plain table of the same PostgreSQL database (the limit):
  ``gtt_copy_ratio``, target at most 3. On SQLite the apply is reported against a bare
  ``csv.reader`` pass (``gtt_csv_ratio``).

Each measure runs ``--repeat`` times, the stores in turns (SQLite, PostgreSQL, SQLite, …) so
that the machine's load falls on both; the best round is reported, and the machine's load
average before and after. PostgreSQL is ``CAREDOMAIN_BENCH_POSTGRES`` (by default
``postgresql://postgres@127.0.0.1:5432/test``); its schemas are dropped at the end. With
``--json`` the figures are one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from caredomain import Actor, ActorId, Conflict, FixedClock, Role
from caredomain.notifications import OutboxMessage, OutboxStatus
from caredomain.notifications.ports import notifications_unit_of_work
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.plugins import load_plugins
from caredomain.ports import Store
from caredomain.roster import Agent, AgentId, french_hospital_catalogue
from caredomain.roster.ports import roster_unit_of_work
from caredomain.roster.services import apply_gtt_file
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Beneficiary, Channel, CounterId
from caredomain.slots.ports import slots_unit_of_work
from caredomain.slots.services import book_slot, configure_slots
from caredomain_gtt import GttCsvReader
from caredomain_messaging import SmtpSender

sys.path.insert(0, str(Path(__file__).parent))
from slots import DURATIONS, NOW, ORGANISATION, TYPES, town

SERVER = os.environ.get("CAREDOMAIN_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
RACERS = 8
DISPATCHERS = 4
DAY = NOW + timedelta(days=1)  # Tuesday 24 November 2026
GTT_TARGET = 3.0
BARRIER_SECONDS = 300  # a process that fails before the start breaks the barrier, not the run

_SMTP = """
import sys, threading
from collections import Counter
from email import message_from_bytes, policy
from aiosmtpd.controller import Controller

class Keys:
    def __init__(self):
        self.received = Counter()
        self.lock = threading.Lock()
    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received[str(mail["X-Caredomain-Key"])] += 1
        return "250 OK"

keys = Keys()
controller = Controller(keys, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(sum(keys.received.values()), sum(1 for n in keys.received.values() if n > 1), flush=True)
"""


class Stores:
    """New, empty stores of both kinds; the PostgreSQL schemas dropped at the end."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.prefix = f"bench_{os.getpid()}_{secrets.token_hex(2)}"
        self.made = 0

    def fresh(self, kind: str) -> str:
        self.made += 1
        if kind == "sqlite":
            return f"sqlite:///{self.workdir / f'store-{self.made}.db'}"
        return f"{SERVER}?schema={self.prefix}_{self.made}&pool=2&timeout=30"

    def drop(self) -> None:
        with psycopg.connect(SERVER, autocommit=True) as connection:
            for (schema,) in connection.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{self.prefix}\\_%",)
            ).fetchall():
                connection.execute(f"DROP SCHEMA {schema} CASCADE")


def open_store(url: str) -> Store:
    return load_plugins({}).open_store(url)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} {five:.2f} (2-core machine: {os.cpu_count()} CPUs seen)"


# -- bookings -------------------------------------------------------------------------------


def targets(counters: int) -> list[tuple[str, str, str | None]]:
    """Four slots of each counter on Tuesday morning: (counter, start, option)."""
    found = []
    for n in range(counters):
        kind = n % TYPES
        first = DAY.replace(hour=8, minute=(n % 20 % 4) * 10)
        for k in range(4):
            start = first + timedelta(minutes=k * DURATIONS[kind % len(DURATIONS)])
            found.append((f"c{n:05d}", start.isoformat(), "A" if kind % 2 else None))
    return found


def citizen(who: str) -> Actor:
    """A citizen booking for herself (her id is the beneficiary's)."""
    return Actor(ActorId(who), {Role.CITIZEN}, configuration=ORGANISATION.configuration)


def administrator() -> Actor:
    return Actor.administrator(configuration=ORGANISATION.configuration)


def book_worker(url: str, chosen: list[tuple[str, str, str | None]], barrier: Any) -> None:
    store = open_store(url)
    context = ServiceContext(store=store, clock=FixedClock(NOW))
    barrier.wait(timeout=BARRIER_SECONDS)
    for number, (counter, start, option) in enumerate(chosen):
        who = f"citizen-{os.getpid()}-{number}"
        with suppress(Conflict):
            book_slot(
                context,
                citizen(who),
                ORGANISATION.id,
                counter_id=CounterId(counter),
                start=datetime.fromisoformat(start),
                beneficiary=Beneficiary(who, f"Citizen {who}"),
                channel=Channel.PORTAL,
                option=option,
            )
    store.close()


def raced(target: Callable[..., None], arguments: list[tuple[Any, ...]], what: str) -> float:
    """One spawned process of ``target`` per ``arguments`` (each given the barrier last),
    released at once: the seconds from the release until the last one ends."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(arguments) + 1)
    workers = [spawn.Process(target=target, args=(*args, barrier)) for args in arguments]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=BARRIER_SECONDS)
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    if any(worker.exitcode != 0 for worker in workers):
        raise SystemExit(f"a {what} process failed")
    return elapsed


def bookings(url: str, counters: int, attempts: int, seed: int) -> dict[str, float]:
    settings = town(counters)
    with closing(open_store(url)) as store:
        context = ServiceContext(store=store, clock=FixedClock(NOW))
        configure_organisation(context, administrator(), ORGANISATION)
        configure_slots(context, administrator(), ORGANISATION.id, settings)
    rnd = random.Random(seed)
    pool = rnd.sample(targets(counters), min(4 * counters, attempts * RACERS // 2))
    elapsed = raced(
        book_worker, [(url, rnd.choices(pool, k=attempts)) for _ in range(RACERS)], "booking"
    )
    seats = {counter.id: counter.seats for counter in settings.counters}
    with closing(open_store(url)) as store, slots_unit_of_work(store, write=False) as uow:
        booked = uow.slots.appointments(ORGANISATION.id, booked_only=True)
    per_slot = Counter((a.counter_id, a.start_second) for a in booked)
    per_seat = Counter((a.counter_id, a.start_second, a.seat) for a in booked)
    double = sum(1 for (counter, _), n in per_slot.items() if n > seats[counter])
    double += sum(1 for n in per_seat.values() if n > 1)
    return {
        "booked": len(booked),
        "attempts": attempts * RACERS,
        "seconds": round(elapsed, 3),
        "bookings_per_s": round(len(booked) / elapsed, 1),
        "attempts_per_s": round(attempts * RACERS / elapsed, 1),
        "double_bookings": double,
    }


# -- outbox ---------------------------------------------------------------------------------


def mails(count: int) -> list[OutboxMessage]:
    now = datetime(2026, 2, 2, 7, tzinfo=UTC)
    return [
        OutboxMessage(
            key=f"bench-{n:06d}/mail/person{n}@example.org",
            event_id=f"bench-{n:06d}",
            organisation_id="bench",
            kind="appointment.reminder",
            topic=f"appointment:{n}",
            channel="mail",
            recipient=f"person{n}@example.org",
            subject="Rappel : votre rendez-vous du mardi 3 février 2026 à 14 h 30",
            body="Bonjour,\n\nNous vous rappelons votre rendez-vous.\n\nLa mairie",
            created_at=now,
            due_at=now,
        )
        for n in range(count)
    ]


def dispatch_worker(url: str, port: int, barrier: Any) -> None:
    store = open_store(url)
    sender = SmtpSender(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="Mairie <rdv@mairie.example>",
        envelope_from="rdv@mairie.example",
    )
    barrier.wait(timeout=BARRIER_SECONDS)
    while True:
        dispatch_notifications(
            ServiceContext(store=store),
            NOTIFIER_ACTOR,
            {"mail": sender},
            batch_size=50,
            lease=timedelta(seconds=30),
        )
        with notifications_unit_of_work(store, write=False) as uow:
            counts = uow.notifications.counts()
        if not counts.get(OutboxStatus.PENDING) and not counts.get(OutboxStatus.SENDING):
            break
    store.close()


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[int]]]:
    """A counting server in a child process; after the block, [received, duplicates]."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", _SMTP, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    figures: list[int] = []
    try:
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP server did not start")
        yield port, figures
    finally:
        server.stdin.close()
        figures += [int(word) for word in server.stdout.readline().split()]
        server.wait(timeout=60)


def outbox(url: str, count: int) -> dict[str, float]:
    with closing(open_store(url)) as store, notifications_unit_of_work(store) as uow:
        uow.notifications.add(mails(count))
        uow.commit()
    with smtp_server() as (port, received):
        elapsed = raced(dispatch_worker, [(url, port)] * DISPATCHERS, "dispatcher")
    total, duplicates = received
    return {
        "mails": count,
        "received": total,
        "seconds": round(elapsed, 3),
        "mails_per_s": round(count / elapsed, 1),
        "duplicates": duplicates,
    }


# -- the GTT feed ---------------------------------------------------------------------------


def gtt_export(workdir: Path, rows: int) -> tuple[Path, int, datetime]:
    """A ``rows`` export (agents × 50 days); its path, its agents and its extraction time."""
    from gtt_feed import CODES, DAYS, write_export

    days = min(DAYS, rows)
    agents = max(1, rows // days)
    rnd = random.Random(2026)
    codes = [[rnd.choice(CODES) for _ in range(days)] for _ in range(agents)]
    extracted = datetime(2026, 11, 1, 6, 0, tzinfo=ORGANISATION.zone)
    path = workdir / "GTT.csv"
    write_export(path, agents, days, extracted, codes)
    return path, agents, extracted


def gtt_apply(url: str, export: Path, agents: int, extracted: datetime) -> float:
    with closing(open_store(url)) as store:
        with roster_unit_of_work(store) as uow:
            uow.roster.save_catalogue(french_hospital_catalogue())
            uow.roster.save_agents(
                Agent(AgentId(f"M{a:06d}"), f"Agent {a}", {"IDE"}) for a in range(agents)
            )
            uow.commit()
        reader = GttCsvReader()
        context = ServiceContext(store=store, clock=FixedClock(extracted + timedelta(hours=7)))
        started = time.perf_counter()
        run = apply_gtt_file(
            context,
            reader.read,
            str(export),
            recognise=reader.read_recognising,
            chunks=reader.read_chunks,
        )
        elapsed = time.perf_counter() - started
    if run.report is None or run.report.refused:
        raise SystemExit(f"the GTT export was not applied: {run}")
    return elapsed


def bare_copy(url: str, export: Path) -> float:
    """The file ``COPY``'d as it is into a plain table of the store's schema: the least a
    program loading it into PostgreSQL must do."""
    schema = url.partition("schema=")[2].partition("&")[0]
    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        connection.execute(
            f"CREATE TABLE {schema}.bare_rows (agent text, last text, first text, day text, "
            "code text)"
        )
        started = time.perf_counter()
        with connection.transaction(), connection.cursor() as cursor:
            copy_sql = f"COPY {schema}.bare_rows FROM STDIN WITH (FORMAT csv, DELIMITER ';')"
            with cursor.copy(copy_sql) as copy, export.open("rb") as file:
                file.readline()  # the extraction line
                file.readline()  # the header
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
        return time.perf_counter() - started


def bare_csv(export: Path) -> float:
    started = time.perf_counter()
    with export.open(encoding="utf-8-sig", newline="") as file:
        for _ in csv.reader(file, delimiter=";"):
            pass
    return time.perf_counter() - started


# -- the run --------------------------------------------------------------------------------


def interleaved(repeat: int, measure: Callable[[str, int], dict[str, Any]]) -> dict[str, Any]:
    """``measure(kind, round)`` for both stores, in turns; each kind's rounds."""
    rounds: dict[str, list[dict[str, Any]]] = {"sqlite": [], "postgresql": []}
    for number in range(repeat):
        order = ["sqlite", "postgresql"] if number % 2 == 0 else ["postgresql", "sqlite"]
        for kind in order:
            rounds[kind].append(measure(kind, number))
    return rounds


def best(rounds: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return max(rounds, key=lambda figures: figures[key])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counters", type=int, default=1000)
    parser.add_argument("--attempts", type=int, default=150, help="bookings tried a process")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"load_before": load()}
    print(f"load average before: {figures['load_before']}")
    with tempfile.TemporaryDirectory(prefix="caredomain-stores-") as directory:
        stores = Stores(Path(directory))
        try:
            booked = interleaved(
                args.repeat,
                lambda kind, n: bookings(stores.fresh(kind), args.counters, args.attempts, n),
            )
            sent = interleaved(
                args.repeat, lambda kind, n: outbox(stores.fresh(kind), args.messages)
            )
            export, agents, extracted = gtt_export(Path(directory), args.rows)

            def feed(kind: str, number: int) -> dict[str, Any]:
                url = stores.fresh(kind)
                bare = bare_csv(export) if kind == "sqlite" else bare_copy(url, export)
                applied = gtt_apply(url, export, agents, extracted)
                return {"apply_s": round(applied, 3), "bare_s": round(bare, 3)}

            fed = interleaved(args.repeat, feed)
        finally:
            stores.drop()
    for kind in ("sqlite", "postgresql"):
        gtt = {
            "apply_s": min(r["apply_s"] for r in fed[kind]),
            "bare_s": min(r["bare_s"] for r in fed[kind]),
        }
        figures[kind] = {
            "bookings": best(booked[kind], "bookings_per_s"),
            "outbox": best(sent[kind], "mails_per_s"),
            "gtt": gtt,
        }
    figures["double_bookings"] = sum(r["double_bookings"] for k in booked for r in booked[k])
    figures["duplicates"] = sum(r["duplicates"] for k in sent for r in sent[k])
    postgres_gtt, sqlite_gtt = figures["postgresql"]["gtt"], figures["sqlite"]["gtt"]
    figures["gtt_copy_ratio"] = round(postgres_gtt["apply_s"] / postgres_gtt["bare_s"], 2)
    figures["gtt_csv_ratio"] = round(sqlite_gtt["apply_s"] / sqlite_gtt["bare_s"], 2)
    figures["gtt_target"] = GTT_TARGET
    figures["rows"] = args.rows
    figures["rounds"] = args.repeat
    figures["load_after"] = load()
    for kind in ("sqlite", "postgresql"):
        shown = figures[kind]
        print(f"{kind}:")
        print(
            f"  bookings, {RACERS} processes over {args.counters} counters: "
            f"{shown['bookings']['bookings_per_s']} bookings/s "
            f"({shown['bookings']['attempts_per_s']} attempts/s)"
        )
        print(f"  outbox, {DISPATCHERS} dispatchers: {shown['outbox']['mails_per_s']} mails/s")
        print(
            f"  GTT, {args.rows} rows: apply {shown['gtt']['apply_s']} s, "
            f"bare {'csv.reader' if kind == 'sqlite' else 'COPY'} {shown['gtt']['bare_s']} s"
        )
    print(f"double bookings {figures['double_bookings']}, duplicates {figures['duplicates']}")
    print(
        f"gtt_copy_ratio {figures['gtt_copy_ratio']} (target <= {GTT_TARGET}); "
        f"SQLite against csv.reader {figures['gtt_csv_ratio']}"
    )
    print(f"load average after: {figures['load_after']}")
    if args.json:
        print(json.dumps(figures))
    return 0 if figures["double_bookings"] == 0 and figures["duplicates"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
