"""Several processes race to book the last seats of one slot on one SQLite file: exactly
as many win as there are seats, every other one gets ``Conflict``."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve

from caredomain import Actor, FixedClock, OrganisationId
from caredomain.cli.demo_run import sample_configuration
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import AppointmentStatus, CounterId
from caredomain.slots.services import configure_slots
from caredomain_sqlite import SqliteStore, sqlite_url

WORKER = Path(__file__).with_name("slots_worker.py")
PARIS = ZoneInfo("Europe/Paris")
COUNTER = CounterId("guichet-titres")
SLOT = datetime(2026, 12, 22, 9, 10, tzinfo=PARIS)  # a Tuesday, 09:10-09:30
TOWN = OrganisationId("mairie-sarreguemines")
RACERS = 5


def prepare(path: Path, seats: int) -> None:
    """The sample town hall, its counter with ``seats`` seats, planned on 20 December."""
    sample = sample_configuration()
    settings = sample.slots.with_counter(evolve(sample.slots.counter(COUNTER), seats=seats))
    admin = Actor.administrator(configuration=ConfigurationId("sarreguemines"))
    with SqliteStore(path) as store:
        context = ServiceContext(
            store=store, clock=FixedClock(datetime(2026, 12, 20, tzinfo=PARIS))
        )
        configure_organisation(context, admin, sample.organisation)
        configure_slots(context, admin, TOWN, settings)


def race(tmp_path: Path, url: str) -> list[str]:
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                url,
                str(barrier),
                str(RACERS),
                COUNTER,
                SLOT.isoformat(),
                f"citizen-{number}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(RACERS)
    ]
    try:
        results = [worker.communicate(timeout=60) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
    return sorted(out.strip() for out, _ in results)


def booked(path: Path) -> list[tuple[str, int]]:
    with SqliteStore(path) as store, store.unit_of_work(write=False) as uow:
        found = uow.slots.appointments(TOWN, counters=[COUNTER])
    assert {a.status for a in found} <= {AppointmentStatus.BOOKED}
    assert {a.start for a in found} <= {SLOT}
    return sorted((a.beneficiary.id, a.seat) for a in found)


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.parametrize("seats", [1, 2])
def test_exactly_the_seats_are_booked_and_the_others_get_conflict(
    tmp_path: Path, seats: int, attempt: int
) -> None:
    path = tmp_path / "care.db"
    prepare(path, seats)
    outcomes = race(tmp_path, sqlite_url(path))

    wins = [outcome for outcome in outcomes if outcome.startswith("booked")]
    assert wins == [f"booked seat {seat}" for seat in range(seats)]
    losses = [outcome for outcome in outcomes if outcome.startswith("conflict")]
    assert len(losses) == RACERS - seats, outcomes
    # Waiting for the lock, the losers found the slot full: the booking rule's refusal.
    assert all("SlotTaken: [slot.full]" in loss for loss in losses), losses
    assert sorted(seat for _, seat in booked(path)) == list(range(seats))


def test_racers_that_cannot_wait_for_the_lock_get_conflict_too(tmp_path: Path) -> None:
    path = tmp_path / "care.db"
    prepare(path, 1)
    with SqliteStore(path):  # kept open, so that the racers find the WAL ready
        outcomes = race(tmp_path, sqlite_url(path, timeout=0))

    wins = [outcome for outcome in outcomes if outcome.startswith("booked")]
    assert len(wins) == 1
    assert all(outcome.startswith("conflict") for outcome in outcomes if outcome not in wins)
    assert len(booked(path)) == len(wins)
