"""The service path against the core: a booking and a free-slot query through the use cases
on the embedded SQLite store, against the same on an in-memory :class:`~caredomain.slots.
Agenda` holding the same data, in one run.

    python benchmarks/service_path.py [--counters 1000] [--bookings 300] [--rounds 7]
        [--operations 20] [--synchronous normal|full] [--json] [--profile booking|query]

The town is the slot benchmark's (``benchmarks/slots.py``): ``--counters`` counters over
eight types, ten to a place, a two-month window, planned on both sides (on the store's
side by the nightly refresh through the same context, as a running application would
have); ``--bookings`` seats are booked on both sides before anything is timed. Then, in
``--rounds`` interleaved rounds (the core first in even rounds, the store first in odd
ones, so that the machine's load falls on both alike), ``--operations`` bookings of
distinct free slots and as many free-slot queries (one type at one place, 14 days) are
timed one by one on each side:

* ``booking_ratio`` — median :func:`~caredomain.slots.services.book_slot` on SQLite over
  median :meth:`Agenda.book` in memory (target: at most 5);
* ``query_ratio`` — median :func:`~caredomain.slots.services.free_slots` on SQLite over
  median :meth:`Agenda.free_slots` (target: at most 5);
* ``lock_hold_ms`` — median time a booking holds the file's write lock, from its
  ``BEGIN IMMEDIATE`` to its commit (reported, no target: it bounds how many bookings a
  second one file takes, whatever the number of processes);
* ``cold_booking_ms`` — a booking through a new context, which has kept nothing: the
  settings read, checked and indexed again and the counter planned (reported, no target:
  what the first booking of a process costs), and ``cold_lock_hold_ms``, how long it
  holds the write lock (the settings are read ahead, before the lock is taken);
* ``statements_per_booking`` — how many SQL statements a booking runs, ``BEGIN IMMEDIATE``
  and ``COMMIT`` included, counted through the connections' trace callback over bookings
  made after the timed ones (reported, no target: counting work is not disturbed by load).
* ``sqlite_booking_ms`` — median time a timed booking spends in SQLite: its statements
  from ``BEGIN IMMEDIATE`` (the connection's lending included) to ``COMMIT``, rows fetched
  included; ``sqlite_ratio`` is that over the in-memory booking, and
  ``outside_sqlite_ratio`` the median of the rest of each booking (the in-memory booking
  itself, the documents' JSON, the use case) over the in-memory booking (reported, no
  target: what part of ``booking_ratio`` the store's statements are).

The store runs with ``synchronous=normal`` unless ``--synchronous full``: with ``full``
every commit waits for the disk to sync the write-ahead log, a few milliseconds on a
virtual disk, which alone is many times the in-memory booking
(:mod:`caredomain_sqlite.url`). The load average before and after is printed with the
figures; ``--json`` prints them as one JSON object on the last line. ``--profile`` runs
the store side's operations under cProfile and prints the top of the profile instead
(sorted by ``$SORT``, cumulative by default).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import math
import os
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

from attrs import evolve

from caredomain import Actor, ActorId, FixedClock, Role
from caredomain.documents import DocumentCache
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Agenda, Beneficiary, Channel, CounterId, SlotSettings, plan_slots
from caredomain.slots.services import book_slot, configure_slots, free_slots, refresh_slots
from caredomain_sqlite import SqliteStore
from caredomain_sqlite.connections import Lent, Params
from caredomain_sqlite.store import SqliteUnitOfWork

sys.path.insert(0, str(Path(__file__).parent))
from machine import Load

from slots import NOW, ORGANISATION, PARIS, TODAY, town

A = TypeVar("A")
R = TypeVar("R")
TARGET = 5.0
ADMIN = Actor.administrator(configuration=ORGANISATION.configuration)
AGENT = Actor(ActorId("agent"), {Role.ADMINISTRATOR}, configuration=ORGANISATION.configuration)
Slot = tuple[CounterId, datetime, str | None]  # counter, start, option


class TimedUnit(SqliteUnitOfWork):
    """A unit of work that records how long a writing one held the write lock and how long
    it spent in SQLite (its statements, from ``BEGIN`` to ``COMMIT``, rows fetched
    included), and, while its store counts statements, traces the connection it was lent."""

    held: list[float]
    in_sqlite: list[float]
    store: TimedStore

    def __enter__(self) -> TimedUnit:
        started = time.perf_counter()
        entered = super().__enter__()
        self._began = time.perf_counter()
        self._sqlite = self._began - started
        if self.store.statements is not None and self._held is not None:
            self.store.trace(self._held.connection)
        return entered

    def query(self, sql: str, params: Params = ()) -> list[Any]:
        return self._timed(super().query, sql, params)

    def change(self, sql: str, params: Params = ()) -> int:
        return self._timed(super().change, sql, params)

    def change_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        return self._timed(super().change_many, sql, rows)

    def _commit(self, held: Lent) -> None:
        self._timed(super()._commit, held)

    def _timed(self, run: Callable[..., R], *arguments: Any) -> R:
        started = time.perf_counter()
        try:
            return run(*arguments)
        finally:
            self._sqlite += time.perf_counter() - started

    def _finish(self) -> None:
        super()._finish()
        if self.writable:
            self.held.append(time.perf_counter() - self._began)
            self.in_sqlite.append(self._sqlite)


class TimedStore(SqliteStore):
    """The SQLite store, its writing units timed from ``BEGIN IMMEDIATE`` to the end."""

    def __init__(self, path: Path, synchronous: str) -> None:
        super().__init__(path, synchronous=synchronous)
        self.held: list[float] = []
        self.in_sqlite: list[float] = []
        self.statements: list[str] | None = None  # while counting, those run so far
        self._traced: set[sqlite3.Connection] = set()

    def unit_of_work(self, *, write: bool = True) -> SqliteUnitOfWork:
        unit = TimedUnit(self._connections, write=write)
        unit.held = self.held
        unit.in_sqlite = self.in_sqlite
        unit.store = self
        return unit

    def trace(self, connection: sqlite3.Connection) -> None:
        """Count what ``connection`` runs from now on (from the next unit's ``BEGIN``: the
        unit that lends it has begun already)."""
        if connection not in self._traced and self.statements is not None:
            connection.set_trace_callback(self.statements.append)
            self._traced.add(connection)

    def untrace(self) -> None:
        for connection in self._traced:
            connection.set_trace_callback(None)
        self._traced.clear()
        self.statements = None


def free_seats(settings: SlotSettings, agenda: Agenda) -> Iterator[Slot]:
    """Free slots of the first 14 days bookable at ``NOW``, one counter after another in a
    stride that spreads them over types and places."""
    plan = agenda.plan
    assert plan is not None
    stride = next(s for s in (7, 11, 13, 17, 19, 23) if math.gcd(s, len(settings.counters)) == 1)
    order = [
        settings.counters[(n * stride) % len(settings.counters)]
        for n in range(len(settings.counters))
    ]
    first = TODAY.toordinal()
    starts = {
        counter.id: [
            s for o in range(first, first + 14) for s in plan.counters[counter.id].starts_on(o)
        ]
        for counter in order
    }
    earliest = (NOW + timedelta(hours=2)).timestamp()
    for turn in count():
        found = False
        for counter in order:
            options = settings.options_of(counter)
            ahead = [s for s in starts[counter.id] if s >= earliest]
            if turn * 3 < len(ahead):
                found = True
                moment = datetime.fromtimestamp(ahead[turn * 3], PARIS)
                yield counter.id, moment, options[0] if options else None
        if not found:
            return


class Sides:
    """The same town twice: an in-memory agenda, and a SQLite store behind the use cases."""

    def __init__(self, directory: Path, counters: int, synchronous: str) -> None:
        self.settings = town(counters)
        ids = count()
        self.context = ServiceContext(
            store=TimedStore(directory / "service.db", synchronous),
            clock=FixedClock(NOW),
            new_id=lambda: f"s{next(ids):07d}",
        )
        configure_organisation(self.context, ADMIN, ORGANISATION)
        configure_slots(self.context, ADMIN, ORGANISATION.id, self.settings)
        # The nightly refresh, through the same context: the process has then planned every
        # counter once, as the in-memory agenda has.
        refresh_slots(self.context, ADMIN, ORGANISATION.id)
        plan = plan_slots(ORGANISATION, self.settings, TODAY)
        self.agenda = Agenda(ORGANISATION, self.settings, plan=plan)
        self.slots = free_seats(self.settings, self.agenda)
        self.people = count()

    def close(self) -> None:
        self.context.store.close()

    def next_slot(self) -> Slot:
        return next(self.slots)

    def book_in_memory(self, slot: Slot) -> None:
        counter_id, start, option = slot
        number = next(self.people)
        self.agenda.book(
            AGENT,
            counter_id=counter_id,
            start=start,
            beneficiary=Beneficiary(f"m{number}", "Bénéficiaire"),
            channel=Channel.BACK_OFFICE,
            now=NOW,
            new_id=lambda: f"m{number:07d}",
            option=option,
        )

    def book_in_store(self, slot: Slot, context: ServiceContext | None = None) -> None:
        counter_id, start, option = slot
        book_slot(
            context or self.context,
            AGENT,
            ORGANISATION.id,
            counter_id=counter_id,
            start=start,
            beneficiary=Beneficiary(f"b{next(self.people)}", "Bénéficiaire"),
            channel=Channel.BACK_OFFICE,
            option=option,
        )

    def query_in_memory(self, number: int) -> int:
        counter = self.settings.counters[number % len(self.settings.counters)]
        last = TODAY + timedelta(days=13)
        return len(
            self.agenda.free_slots(counter.type_id, TODAY, last, now=NOW, place_id=counter.place_id)
        )

    def query_in_store(self, number: int) -> int:
        counter = self.settings.counters[number % len(self.settings.counters)]
        found = free_slots(
            self.context, AGENT, ORGANISATION.id, counter.type_id, place_id=counter.place_id
        )
        return len(found)


def timed(action: Callable[[A], object], argument: A) -> float:
    started = time.perf_counter()
    action(argument)
    return time.perf_counter() - started


def prepare(sides: Sides, bookings: int) -> None:
    """The same ``bookings`` seats booked on both sides."""
    for _ in range(bookings):
        slot = sides.next_slot()
        sides.book_in_memory(slot)
        sides.book_in_store(slot)


def rounds(sides: Sides, rounds: int, operations: int) -> dict[str, list[float]]:
    """Interleaved rounds of bookings and queries on both sides: each operation's time."""
    times: dict[str, list[float]] = {
        "core_book": [],
        "store_book": [],
        "core_query": [],
        "store_query": [],
    }
    queries = count()
    for number in range(rounds):
        slots = [sides.next_slot() for _ in range(operations)]
        asked = [next(queries) for _ in range(operations)]
        core_first = number % 2 == 0
        for side in ("core", "store") if core_first else ("store", "core"):
            book = sides.book_in_memory if side == "core" else sides.book_in_store
            query = sides.query_in_memory if side == "core" else sides.query_in_store
            times[f"{side}_book"] += [timed(book, slot) for slot in slots]
            times[f"{side}_query"] += [timed(query, asked_for) for asked_for in asked]
    return times


def cold(sides: Sides, operations: int) -> tuple[list[float], list[float]]:
    """Bookings each through a new context, whose cache is empty: the settings read,
    checked and indexed, and the counter planned, again. Their times, and how long each
    held the write lock."""
    found = []
    held: list[float] = sides.context.store.held  # type: ignore[attr-defined]
    first = len(held)
    for _ in range(operations):
        slot = sides.next_slot()
        context = evolve(sides.context, documents=DocumentCache())
        found.append(timed(functools.partial(sides.book_in_store, context=context), slot))
    return found, held[first:]


def statements_per_booking(sides: Sides, operations: int) -> float:
    """The SQL statements a booking runs, on average over ``operations`` bookings. One
    booking first, not counted, puts the trace on the connection the next ones are lent
    (one thread: the pool lends the one given back last)."""
    store: TimedStore = sides.context.store  # type: ignore[assignment]
    store.statements = []
    try:
        sides.book_in_store(sides.next_slot())
        store.statements.clear()
        for _ in range(operations):
            sides.book_in_store(sides.next_slot())
        return len(store.statements) / operations
    finally:
        store.untrace()


def profile(sides: Sides, what: str, operations: int) -> None:
    profiler = cProfile.Profile()
    if what == "booking":
        slots = [sides.next_slot() for _ in range(operations)]
        profiler.enable()
        for slot in slots:
            sides.book_in_store(slot)
    else:
        profiler.enable()
        for number in range(operations):
            sides.query_in_store(number)
    profiler.disable()
    pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counters", type=int, default=1000, help="counters (1000)")
    parser.add_argument("--bookings", type=int, default=300, help="seats booked first (300)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (7)")
    parser.add_argument("--operations", type=int, default=20, help="of each kind a round (20)")
    parser.add_argument(
        "--synchronous",
        choices=("normal", "full"),
        default="normal",
        help="the store's synchronous setting (normal: no disk sync at each commit)",
    )
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    parser.add_argument("--profile", choices=("booking", "query"), help="profile one side")
    args = parser.parse_args(argv)
    if min(args.counters, args.rounds, args.operations) < 1 or args.bookings < 0:
        parser.error("--counters, --rounds and --operations must be at least 1")
    with tempfile.TemporaryDirectory(prefix="caredomain-bench-") as directory:
        sides = Sides(Path(directory), args.counters, args.synchronous)
        try:
            prepare(sides, args.bookings)
            if args.profile:
                profile(sides, args.profile, args.operations)
                return 0
            store: TimedStore = sides.context.store  # type: ignore[assignment]
            store.held.clear()
            store.in_sqlite.clear()
            load = Load.now()
            times = rounds(sides, args.rounds, args.operations)
            held = list(store.held)
            in_sqlite = list(store.in_sqlite)  # one a booking, in the order of times
            cold_times, cold_held = cold(sides, min(5, args.operations))
            load = load.until_now()
            statements = statements_per_booking(sides, min(5, args.operations))
        finally:
            sides.close()
    median = {key: statistics.median(value) for key, value in times.items()}
    outside = [total - sql for total, sql in zip(times["store_book"], in_sqlite, strict=True)]
    figures: dict[str, Any] = {
        "counters": args.counters,
        "bookings": args.bookings,
        "rounds": args.rounds,
        "operations": args.operations,
        "core_booking_ms": round(median["core_book"] * 1000, 4),
        "store_booking_ms": round(median["store_book"] * 1000, 4),
        "core_query_ms": round(median["core_query"] * 1000, 4),
        "store_query_ms": round(median["store_query"] * 1000, 4),
        "booking_ratio": round(median["store_book"] / median["core_book"], 2),
        "query_ratio": round(median["store_query"] / median["core_query"], 2),
        "cold_booking_ms": round(statistics.median(cold_times) * 1000, 3),
        "cold_lock_hold_ms": round(statistics.median(cold_held) * 1000, 3),
        "lock_hold_ms": round(statistics.median(held) * 1000, 3),
        "lock_hold_p90_ms": round(statistics.quantiles(held, n=10)[-1] * 1000, 3)
        if len(held) > 1
        else round(held[0] * 1000, 3),
        "statements_per_booking": round(statements, 2),
        "sqlite_booking_ms": round(statistics.median(in_sqlite) * 1000, 4),
        "sqlite_ratio": round(statistics.median(in_sqlite) / median["core_book"], 2),
        "outside_sqlite_ratio": round(statistics.median(outside) / median["core_book"], 2),
        "timed": {"booking": len(times["core_book"]), "query": len(times["core_query"])},
        "synchronous": args.synchronous,
        "target": TARGET,
        "load": load.figures(),
    }
    print(
        f"{args.counters} counters, {args.bookings} seats booked first; {args.rounds} "
        f"interleaved rounds of {args.operations} operations a side"
    )
    print(
        f"  booking  core {figures['core_booking_ms']:>9} ms  "
        f"store {figures['store_booking_ms']:>9} ms  "
        f"ratio {figures['booking_ratio']} (target <= {TARGET})"
    )
    print(
        f"  query    core {figures['core_query_ms']:>9} ms  store {figures['store_query_ms']:>9}"
        f" ms  ratio {figures['query_ratio']} (target <= {TARGET})"
    )
    print(
        f"  write lock held by a booking: median {figures['lock_hold_ms']} ms, "
        f"p90 {figures['lock_hold_p90_ms']} ms"
    )
    print(
        f"  a booking through a new context (nothing cached): {figures['cold_booking_ms']} ms,"
        f" the write lock held {figures['cold_lock_hold_ms']} ms"
    )
    print(f"  SQL statements a booking runs: {figures['statements_per_booking']}")
    print(
        f"  of a booking, in SQLite: {figures['sqlite_booking_ms']} ms, "
        f"{figures['sqlite_ratio']}x the in-memory booking; the rest "
        f"{figures['outside_sqlite_ratio']}x"
    )
    print(f"  {load.line()}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
