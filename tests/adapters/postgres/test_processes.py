"""Several processes on one PostgreSQL schema: instances opening a new schema at once, and
citizens racing for the last seats of one slot."""

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
from caredomain_postgres.store import PostgresStore

from .conftest import Server

HERE = Path(__file__).parent
WORKER = HERE / "pg_worker.py"
BOOKER = HERE.parent / "sqlite" / "slots_worker.py"  # opens any store URL
PARIS = ZoneInfo("Europe/Paris")
COUNTER = CounterId("guichet-titres")
SLOT = datetime(2026, 12, 22, 9, 10, tzinfo=PARIS)  # a Tuesday, 09:10-09:30
TOWN = OrganisationId("mairie-sarreguemines")


def admin() -> Actor:
    """The administrator of the sample town hall's configuration."""
    return Actor.administrator(configuration=ConfigurationId("sarreguemines"))


def run_all(commands: list[list[str]], timeout: float = 300) -> list[str]:
    """Run the commands at once; their outputs, sorted. Each must exit 0."""
    workers = [
        subprocess.Popen(
            [sys.executable, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    try:
        results = [worker.communicate(timeout=timeout) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.communicate()
    for worker, (_, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0, err
    return sorted(out.strip() for out, _ in results)


def test_instances_opening_a_new_schema_at_once_migrate_it_once(
    postgres: Server, tmp_path: Path
) -> None:
    url = postgres.fresh_url(pool=1)
    parties = 4
    outcomes = run_all(
        [[str(WORKER), "open", url, str(tmp_path), str(parties)] for _ in range(parties)]
    )
    with PostgresStore.from_url(url) as store, store.unit_of_work(write=False) as uow:
        versions = uow.query("SELECT version FROM schema_version ORDER BY version")
    assert outcomes == [f"version {store.schema_version}"] * parties
    assert [version for (version,) in versions] == list(range(1, store.schema_version + 1))


def prepare(url: str, seats: int) -> None:
    """The sample town hall, its counter with ``seats`` seats, planned on 20 December."""
    sample = sample_configuration()
    settings = sample.slots.with_counter(evolve(sample.slots.counter(COUNTER), seats=seats))
    with PostgresStore.from_url(url) as store:
        context = ServiceContext(
            store=store, clock=FixedClock(datetime(2026, 12, 20, tzinfo=PARIS))
        )
        configure_organisation(context, admin(), sample.organisation)
        configure_slots(context, admin(), TOWN, settings)


@pytest.mark.parametrize(("racers", "seats"), [(8, 1), (8, 2), (32, 1)])
def test_exactly_the_seats_are_booked_and_the_others_find_the_slot_taken(
    postgres: Server, tmp_path: Path, racers: int, seats: int
) -> None:
    url = postgres.fresh_url(pool=1)
    prepare(url, seats)
    outcomes = run_all(
        [
            [str(BOOKER), url, str(tmp_path), str(racers), COUNTER, SLOT.isoformat(), f"c-{n}"]
            for n in range(racers)
        ]
    )

    wins = [outcome for outcome in outcomes if outcome.startswith("booked")]
    assert wins == [f"booked seat {seat}" for seat in range(seats)]
    losses = [outcome for outcome in outcomes if outcome.startswith("conflict")]
    assert len(losses) == racers - seats, outcomes
    # Holding the counter, the winners made the losers wait: they found the slot full.
    assert all("SlotTaken: [slot.full]" in loss for loss in losses), losses
    with PostgresStore.from_url(url) as store, store.unit_of_work(write=False) as uow:
        found = uow.slots.appointments(TOWN, counters=[COUNTER])
    assert {a.status for a in found} == {AppointmentStatus.BOOKED}
    assert sorted(a.seat for a in found) == list(range(seats))
