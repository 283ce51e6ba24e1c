"""Pickup alert benchmark (seed 001): parents' GPS updates fed through the alert engine.

    python benchmarks/pickup.py [--parents 10000] [--updates 100000] [--rounds 5] [--json]

Ten thousand parents, one child each, each with one GPS pickup announced for 30 minutes
later, send a hundred thousand GPS updates between them: JSON bodies such as
``{"parent": "p42", "at": "2027-03-02T16:10:00-05:00", "lat": 45.5, "lon": -73.6,
"travel_s": 600}``, built before anything is timed. Each parent's updates come a minute
apart, her travel time going down, so that each pickup alerts exactly once (the last update
is two minutes away; the preparation time is five).

Measured in the same run, in interleaved rounds (bare, engine, bare, engine, …, so that the
machine's load falls on both alike), each figure the median of ``--rounds``:

* ``bare_ms`` — a bare ``json.loads`` of every body;
* ``engine_ms`` — the alert engine over the same bodies: parse each with ``json.loads``,
  find the parent's pickup, call :meth:`caredomain.pickup.Pickup.report`, and nothing else
  (fresh pickups each round, built outside the timing);
* ``engine_ratio`` — engine / bare (target: 3 or less); ``alerts`` — the alerts the engine
  gave in a round: exactly one per parent, checked (the script fails otherwise).

The load average before and after is printed with the figures. With ``--json`` the figures
are printed as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from caredomain.geo import GeoPoint
from caredomain.pickup import (
    ArrivalMode,
    ChildId,
    InstallationId,
    ParentId,
    Pickup,
    PickupAlertDue,
)

sys.path.insert(0, str(Path(__file__).parent))
from machine import Load

MONTREAL = ZoneInfo("America/Toronto")
ANNOUNCED = datetime(2027, 3, 2, 16, 0, tzinfo=MONTREAL)
PREPARATION = timedelta(minutes=5)


def counts(parents: int, updates: int) -> list[int]:
    """How many updates each parent sends: as even as can be, at least one."""
    share, extra = divmod(updates, parents)
    return [share + (n < extra) for n in range(parents)]


def bodies(parents: int, updates: int) -> list[bytes]:
    """The update bodies, parents interleaved: update ``j`` of parent ``n`` is made ``j``
    minutes (and ``n % 60`` seconds) after the announcement, with ``2 (m - j)`` minutes of
    travel left out of ``m`` updates: each arrival a minute earlier than the last."""
    sent = counts(parents, updates)
    found = []
    for j in range(max(sent)):
        for n, m in enumerate(sent):
            if j < m:
                at = ANNOUNCED + timedelta(minutes=j, seconds=n % 60)
                update = {
                    "parent": f"p{n}",
                    "at": at.isoformat(),
                    "lat": round(45.5 + (n % 100) / 1000, 4),
                    "lon": round(-73.6 - j / 1000, 4),
                    "travel_s": 120 * (m - j),
                }
                found.append(json.dumps(update).encode())
    return found


def pickups(parents: int) -> dict[str, Pickup]:
    """One GPS pickup per parent, announced at 16:00 for 16:30, by the parent's id."""
    return {
        f"p{n}": Pickup(
            id=f"k{n}",
            organisation_id="cpe-soleil",
            child=ChildId(f"c{n}"),
            parent=ParentId(f"p{n}"),
            installation=InstallationId(f"site-{n % 3}"),
            mode=ArrivalMode.GPS,
            requested_at=ANNOUNCED,
            arrival=ANNOUNCED + timedelta(minutes=30),
            preparation=PREPARATION,
        )
        for n in range(parents)
    }


def bare(updates: list[bytes]) -> int:
    for body in updates:
        json.loads(body)
    return len(updates)


def engine(updates: list[bytes], by_parent: dict[str, Pickup]) -> int:
    """The alert engine: parse, find the parent's pickup, report; the alerts it gave."""
    ids = itertools.count()

    def new_id() -> str:
        return f"e{next(ids)}"

    alerts = 0
    for body in updates:
        update = json.loads(body)
        events = by_parent[update["parent"]].report(
            datetime.fromisoformat(update["at"]),
            GeoPoint(update["lat"], update["lon"]),
            timedelta(seconds=update["travel_s"]),
            new_id,
        )
        alerts += sum(isinstance(event, PickupAlertDue) for event in events)
    return alerts


def measure(parents: int, updates: int, rounds: int) -> dict[str, Any]:
    work = bodies(parents, updates)
    bare_s, engine_s, alerts = [], [], []
    for _ in range(rounds):
        started = time.perf_counter()
        bare(work)
        bare_s.append(time.perf_counter() - started)
        fresh = pickups(parents)
        started = time.perf_counter()
        alerts.append(engine(work, fresh))
        engine_s.append(time.perf_counter() - started)
    if set(alerts) != {parents}:
        raise SystemExit(f"the engine gave {alerts} alerts in its rounds, not {parents} each")
    bare_median, engine_median = statistics.median(bare_s), statistics.median(engine_s)
    return {
        "parents": parents,
        "updates": len(work),
        "rounds": rounds,
        "alerts": alerts[-1],
        "bare_ms": round(bare_median * 1000, 2),
        "engine_ms": round(engine_median * 1000, 2),
        "bare_us_per_update": round(bare_median / len(work) * 1e6, 3),
        "engine_us_per_update": round(engine_median / len(work) * 1e6, 3),
        "engine_ratio": round(engine_median / bare_median, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=10_000, help="parents (10000)")
    parser.add_argument("--updates", type=int, default=100_000, help="GPS updates (100000)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON last")
    args = parser.parse_args()
    if args.parents < 1 or args.rounds < 1 or args.updates < args.parents:
        parser.error("--parents and --rounds must be at least 1, --updates at least --parents")
    load = Load.now()
    figures = measure(args.parents, args.updates, args.rounds)
    load = load.until_now()
    figures["load"] = load.figures()
    print(
        f"{figures['parents']:,} parents, {figures['updates']:,} GPS updates,"
        f" median of {figures['rounds']} interleaved rounds"
    )
    print(
        f"bare json.loads {figures['bare_ms']:>10.1f} ms"
        f"  {figures['bare_us_per_update']:.2f} us/update"
    )
    print(
        f"alert engine    {figures['engine_ms']:>10.1f} ms"
        f"  {figures['engine_us_per_update']:.2f} us/update"
        f"   ratio {figures['engine_ratio']}x (target <= 3)"
    )
    print(f"alerts {figures['alerts']:,} (one per parent: {figures['parents']:,})")
    print(load.line())
    if args.json:
        print(json.dumps(figures, sort_keys=True))


if __name__ == "__main__":
    main()
