"""Two application instances on one PostgreSQL database (issue 21): a town hall's booking
portal running twice behind a load balancer.

    python examples/several_instances_postgres.py [postgresql://…]

The database is ``CAREDOMAIN_POSTGRES`` (by default the development machines' server,
``postgresql://postgres@127.0.0.1:5432/test``); the story works in a schema of its own, made
for the run (migrated on open, under an advisory lock) and dropped at its end. Two
processes — the two instances — each open the store with a pool of their own, and book the
last seat of the same slot at the same moment: the database's unique index lets exactly one win, the
other is told the slot is taken. Finally the first instance reads, from the journal, the
booking the second committed: events are shared by position between instances.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import sys
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from caredomain import Actor, ActorId, FixedClock, Role, SlotTaken
from caredomain.cli.demo_run import sample_configuration
from caredomain.embedding import open_context
from caredomain.services import configure_organisation
from caredomain.slots import Beneficiary, Channel, Slot, TypeId
from caredomain.slots.services import book_slot, configure_slots, free_slots, refresh_slots

PARIS = ZoneInfo("Europe/Paris")
CLOCK = FixedClock(datetime(2026, 4, 27, 9, 0, tzinfo=PARIS))
ID_CARDS = TypeId("pieces-identite")
TOWN = sample_configuration().organisation
ADMIN = Actor.administrator("admin", "Administratrice", configuration=TOWN.configuration)


def instance(url: str, name: str, slot: Slot, start: Any, answers: dict[str, str]) -> None:
    """One application instance: its own store (its own pool), booking ``slot`` for a
    citizen as soon as the other instance is ready too."""
    key = name.lower().replace(" ", "-")
    citizen = Actor(ActorId(key), {Role.CITIZEN}, name=name, configuration=TOWN.configuration)
    with open_context(url, clock=CLOCK, notify=False) as context:
        start.wait(timeout=60)
        try:
            booked = book_slot(
                context,
                citizen,
                TOWN.id,
                counter_id=slot.counter_id,
                start=slot.start,
                beneficiary=Beneficiary(key, name, email=f"{key}@example.org"),
                channel=Channel.PORTAL,
                option="CNI",
            )
            answers[name] = f"booked {booked.start:%d/%m %H:%M} at {booked.counter_id}"
        except SlotTaken as taken:
            answers[name] = f"refused: {taken}"


def story(url: str) -> None:
    with open_context(url, clock=CLOCK, notify=False) as context:
        print(f"store: {context.store.url} (schema version {context.store.schema_version})")
        configure_organisation(context, ADMIN, TOWN)
        configure_slots(context, ADMIN, TOWN.id, sample_configuration().slots)
        refresh_slots(context, ADMIN, TOWN.id)
        slot = free_slots(context, ADMIN, TOWN.id, ID_CARDS, days=7)[0]
        with context.store.unit_of_work(write=False) as uow:
            last = uow.events.since(0, limit=100_000)[-1][0]

    with multiprocessing.Manager() as manager:
        answers = manager.dict()
        start = manager.Barrier(2)
        names = ("Camille Martin", "Jules Bernard")
        instances = [
            multiprocessing.Process(target=instance, args=(url, name, slot, start, answers))
            for name in names
        ]
        for process in instances:
            process.start()
        for process in instances:
            process.join(timeout=120)
        if any(process.exitcode != 0 for process in instances):
            raise SystemExit("an instance failed")
        for name in names:
            print(f"{name}: {answers.get(name, 'no answer')}")
        won = sum(answer.startswith("booked") for answer in answers.values())
        print(f"the last seat asked by two instances at once: {won} booked")

    with open_context(url, clock=CLOCK, notify=False) as context:
        with context.store.unit_of_work(write=False) as uow:
            seen = [event.kind for _, event in uow.events.since(last)]
        print(f"the first instance reads what the others committed: {seen}")


def main() -> None:
    server = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("CAREDOMAIN_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    )
    schema = f"example_{secrets.token_hex(4)}"
    try:
        story(f"{server}?schema={schema}")
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


if __name__ == "__main__":
    main()
