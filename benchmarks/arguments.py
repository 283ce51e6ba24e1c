"""What checking a use case's arguments costs: the same calls with and without the check.

    python benchmarks/arguments.py [--rounds 15] [--calls 20] [--json]

Every public use case is wrapped by :func:`caredomain.arguments.checked`, which conforms
each argument to its annotation before the use case runs. This script opens the sample town
hall on an embedded SQLite store and times, in interleaved rounds (checked, unchecked,
checked, …, so that the machine's load falls on both alike):

* ``free_slots`` — a read through the store, the most frequent call of a booking portal;
* ``book_slot``'s check alone — its arguments matched and conformed as for a real call, on
  a stand-in with its signature that does nothing (a booking writes, so the same one cannot
  be repeated).

It prints the median time per call of each, the ratio checked / unchecked for
``free_slots`` (1.0 means the check is lost in the call; target: at most 1.1, the check
within a tenth of the read), and the check's own cost in microseconds (no target), with
the load average before and after. With ``--json`` the figures are printed as one JSON
object on the last line.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from caredomain import Actor, FixedClock
from caredomain.arguments import checked
from caredomain.cli.demo_run import sample_configuration
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Beneficiary, Channel, TypeId
from caredomain.slots.services import book_slot, configure_slots, free_slots
from caredomain_sqlite import SqliteStore

sys.path.insert(0, str(Path(__file__).parent))
from machine import Load

ADMIN = Actor.administrator(
    "admin", "Administratrice", configuration=ConfigurationId("sarreguemines")
)
ID_CARDS = TypeId("pieces-identite")


def _per_call(call: Callable[[], object], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def _interleaved(
    checked: Callable[[], object], unchecked: Callable[[], object], rounds: int, calls: int
) -> tuple[float, float]:
    with_check, without = [], []
    for _ in range(rounds):
        with_check.append(_per_call(checked, calls))
        without.append(_per_call(unchecked, calls))
    return statistics.median(with_check), statistics.median(without)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    load = Load.now()
    configuration = sample_configuration()
    town = configuration.organisation.id
    clock = FixedClock(datetime(2026, 4, 27, 9, 0, tzinfo=ZoneInfo("Europe/Paris")))
    with SqliteStore(Path(tempfile.mkdtemp(prefix="caredomain-arguments-")) / "b.db") as store:
        context = ServiceContext(store=store, clock=clock)
        configure_organisation(context, ADMIN, configuration.organisation)
        configure_slots(context, ADMIN, town, configuration.slots)

        bare = free_slots.__wrapped__  # type: ignore[attr-defined]
        checked_read, bare_read = _interleaved(
            lambda: free_slots(context, ADMIN, town, ID_CARDS, days=14),
            lambda: bare(context, ADMIN, town, ID_CARDS, days=14),
            args.rounds,
            args.calls,
        )

        slot = free_slots(context, ADMIN, town, ID_CARDS, days=14)[0]
        booking = {
            "counter_id": slot.counter_id,
            "start": slot.start,
            "beneficiary": Beneficiary("camille", "Camille Martin", email="c@example.org"),
            "channel": Channel.BACK_OFFICE,
            "option": "CNI",
        }
        # book_slot's own check, on a stand-in that does nothing once the check has passed.
        stand_in = checked(functools.wraps(book_slot.__wrapped__)(lambda *a, **k: None))  # type: ignore[attr-defined]
        check_cost = statistics.median(
            _per_call(lambda: stand_in(context, ADMIN, town, **booking), args.calls * 50)
            for _ in range(args.rounds)
        )

    load = load.until_now()
    figures = {
        "load": load.figures(),
        "free_slots_checked_ms": round(checked_read * 1e3, 3),
        "free_slots_unchecked_ms": round(bare_read * 1e3, 3),
        "free_slots_ratio": round(checked_read / bare_read, 3),
        "book_slot_check_us": round(check_cost * 1e6, 2),
    }
    print(f"free_slots, checked    {figures['free_slots_checked_ms']:.3f} ms a call (median)")
    print(f"free_slots, unchecked  {figures['free_slots_unchecked_ms']:.3f} ms a call (median)")
    print(f"ratio checked/unchecked {figures['free_slots_ratio']:.3f}")
    print(f"book_slot's arguments checked in {figures['book_slot_check_us']:.2f} µs")
    print(load.line())
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
