"""A child process for the booking races, on any store URL. Run
``python slots_worker.py URL BARRIER PARTIES COUNTER START CITIZEN``: it opens the store,
waits for every party at the barrier directory, then books the slot of ``COUNTER`` at
``START`` (ISO) for ``CITIZEN`` through the booking service, as of one hour before the
slot. It prints ``booked seat N``, or ``conflict <class>: <message>``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from caredomain import Actor, ActorId, Conflict, FixedClock, OrganisationId, Role
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext
from caredomain.slots import Beneficiary, Channel, CounterId
from caredomain.slots.services import book_slot


def book(url: str, barrier: Path, parties: int, *, counter: str, start: str, citizen: str) -> None:
    slot = datetime.fromisoformat(start)
    store = load_plugins({}).open_store(url)  # any store: the PostgreSQL tests use it too
    context = ServiceContext(store=store, clock=FixedClock(slot - timedelta(hours=2)))
    actor = Actor(ActorId(citizen), {Role.CITIZEN}, configuration=ConfigurationId("sarreguemines"))
    _meet(barrier, parties)
    try:
        appointment = book_slot(
            context,
            actor,
            OrganisationId("mairie-sarreguemines"),
            counter_id=CounterId(counter),
            start=slot,
            beneficiary=Beneficiary(citizen, f"Citizen {citizen}"),
            channel=Channel.PORTAL,
            option="CNI",
        )
    except Conflict as error:
        print(f"conflict {type(error).__name__}: {error}", flush=True)
    else:
        print(f"booked seat {appointment.seat}", flush=True)
    finally:
        store.close()


def _meet(barrier: Path, parties: int) -> None:
    """Wait until ``parties`` processes are here, so that they book at the same moment."""
    (barrier / f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 180  # 32 processes importing on two busy cores take a while
    while len(list(barrier.glob("ready-*"))) < parties:
        if time.monotonic() > deadline:
            sys.exit("gave up waiting at the barrier")
        time.sleep(0.001)


if __name__ == "__main__":
    url, barrier, parties, counter, start, citizen = sys.argv[1:]
    book(url, Path(barrier), int(parties), counter=counter, start=start, citizen=citizen)
