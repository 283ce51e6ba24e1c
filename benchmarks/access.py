"""Access (seed 002): what tenancy costs a use case, how fast the audit journal verifies, and
what a password costs to check — each against its floor, measured in the same run.

    python benchmarks/access.py [--entries 100000] [--rounds 7] [--json]

* **tenancy**: a unit of work on one SQLite file with the sample town hall that reads its
  slot settings, with and without what every use case asks first — the role check
  (``authorize_action``) and the base looked up and refused unless it is of the actor's
  configuration (``authorize_base``). Interleaved rounds of 200 units each;
  ``tenancy_ratio`` is the median checked time over the median bare time (the price of
  checking who acts; target at most 2). The use cases themselves keep the settings they
  derived (issue 22), so timing them would not isolate this.
* **audit**: :func:`caredomain.access.audit.verify` over a chained journal of ``--entries``
  entries against the floor of any check of a chain whose entries are hashed as canonical
  JSON: each entry's fields, already at hand, encoded as compact JSON and hashed with
  SHA-256. ``audit_ratio`` is verified entries per second over that floor's (target at
  least 0.5); ``audit_per_s`` is what ``caredomain access audit --verify`` walks per second.
* **password**: one argon2id verification at argon2-cffi's default parameters (the
  deployment's), in milliseconds: what a login costs the server, and, per core, what each
  guess costs an attacker who stole the hash. No ratio: the cost is the point.

The machine's load (``os.getloadavg``) is printed with the figures. With ``--json`` the
figures are printed as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from caredomain import Action, Actor
from caredomain.access import authorize_action, authorize_base
from caredomain.access.audit import AuditEntry, AuditKind, chained, verify
from caredomain.access.passwords import Hasher
from caredomain.cli.demo_run import sample_configuration
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots.ports import slots_unit_of_work
from caredomain.slots.services import configure_slots
from caredomain_sqlite import SqliteStore

TENANCY_TARGET = 2.0
AUDIT_TARGET = 0.5
CALLS = 200


def _timed(action: Callable[[], object], times: int) -> float:
    started = time.perf_counter()
    for _ in range(times):
        action()
    return (time.perf_counter() - started) / times


def tenancy(rounds: int) -> dict[str, float]:
    sample = sample_configuration()
    town = sample.organisation
    admin = Actor.administrator("admin", configuration=town.configuration)
    with tempfile.TemporaryDirectory() as folder, SqliteStore(Path(folder) / "a.db") as store:
        context = ServiceContext(store=store)
        configure_organisation(context, admin, town)
        configure_slots(context, admin, town.id, sample.slots)

        def through_the_use_case() -> object:
            authorize_action(admin, Action.CALENDAR_VIEW)
            with slots_unit_of_work(store, write=False) as uow:
                authorize_base(admin, uow, town.id, Action.CALENDAR_VIEW)
                return uow.slots.settings(town.id)

        def bare() -> object:
            with slots_unit_of_work(store, write=False) as uow:
                return uow.slots.settings(town.id)

        served: list[float] = []
        floor: list[float] = []
        for number in range(rounds):  # interleaved, the first alternately
            pair = [(served, through_the_use_case), (floor, bare)]
            for into, action in pair if number % 2 == 0 else reversed(pair):
                into.append(_timed(action, CALLS))
    use_case, bare_read = statistics.median(served), statistics.median(floor)
    return {
        "tenancy_use_case_ms": use_case * 1000,
        "tenancy_bare_ms": bare_read * 1000,
        "tenancy_ratio": use_case / bare_read,
    }


def _journal(entries: int) -> list[AuditEntry]:
    at = datetime(2024, 7, 1, tzinfo=UTC)
    journal: list[AuditEntry] = []
    last = None
    for number in range(entries):
        last = chained(
            last,
            ConfigurationId("metz"),
            at=at + timedelta(seconds=number),
            kind=AuditKind.WINDOW_ACTION,
            actor="tech-jfk",
            details={"function": "configurator.users", "intervention": "SP-1"},
        )
        journal.append(last)
    return journal


def audit(entries: int, rounds: int) -> dict[str, float]:
    journal = _journal(entries)
    fields = [
        (
            entry.previous.encode("ascii"),
            [
                entry.configuration,
                entry.sequence,
                entry.at.isoformat(),
                entry.kind.value,
                entry.actor,
                [list(pair) for pair in entry.details],
            ],
        )
        for entry in journal
    ]

    def verified() -> None:
        assert verify(journal).ok

    def hashed() -> None:  # the floor of any JSON-canonical chain: encode, then hash
        for previous, content in fields:
            encoded = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
            hashlib.sha256(previous + encoded.encode("utf-8")).hexdigest()

    walks: list[float] = []
    floors: list[float] = []
    for number in range(rounds):
        pair = [(walks, verified), (floors, hashed)]
        for into, action in pair if number % 2 == 0 else reversed(pair):
            into.append(_timed(action, 1))
    walk, floor = statistics.median(walks), statistics.median(floors)
    return {
        "audit_entries": entries,
        "audit_per_s": entries / walk,
        "audit_hash_per_s": entries / floor,
        "audit_ratio": floor / walk,
    }


def password(rounds: int) -> dict[str, float]:
    hasher = Hasher()
    secret = Secret("un mot de passe assez long")
    stored = hasher.hash(secret)
    times = [_timed(lambda: hasher.verify(stored, secret), 1) for _ in range(rounds)]
    return {"argon2id_verify_ms": statistics.median(times) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    figures: dict[str, float] = {}
    figures |= tenancy(args.rounds)
    figures |= audit(args.entries, args.rounds)
    figures |= password(args.rounds)
    figures["load_1m"] = load[0]
    print(f"machine load (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"tenancy: a read {figures['tenancy_use_case_ms']:.3f} ms with the checks every use "
        f"case asks first, {figures['tenancy_bare_ms']:.3f} ms bare: ratio "
        f"{figures['tenancy_ratio']:.2f} (target at most {TENANCY_TARGET})"
    )
    print(
        f"audit: {figures['audit_per_s']:,.0f} entries/s verified, "
        f"{figures['audit_hash_per_s']:,.0f} hashed bare: ratio {figures['audit_ratio']:.2f} "
        f"(target at least {AUDIT_TARGET}), {args.entries:,} entries"
    )
    print(f"password: one argon2id verification {figures['argon2id_verify_ms']:.1f} ms")
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
