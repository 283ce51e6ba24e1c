"""Story: a town hall's booking portal embeds caredomain and serves several requests at once.

Run it:  python examples/embed_in_an_application.py [STORE_URL]

The application opens one context when it starts, from a store URL (an embedded SQLite file
in a temporary folder unless a URL is given), with the installed plugins loaded and a plugin
of its own added: an audit trail that sees every committed event. Then four "requests" run
in threads at once, as a web server would run them: two citizens list the free slots, two
book the same first slot. One booking wins; the other is told the slot was taken. The
winning booking's confirmation is in the outbox, queued in the booking's own transaction,
and the audit trail has the events.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from audit_trail_plugin import AuditTrail

from caredomain import Actor, ActorId, FixedClock, Role, SlotTaken
from caredomain.cli.demo_run import sample_configuration
from caredomain.embedding import open_context
from caredomain.notifications.services import NOTIFIER_ACTOR, outbox_summary
from caredomain.organisation import ConfigurationId
from caredomain.plugins import load_plugins
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import Beneficiary, Channel, Slot, TypeId
from caredomain.slots.services import book_slot, configure_slots, free_slots

PARIS = ZoneInfo("Europe/Paris")
ID_CARDS = TypeId("pieces-identite")
ADMIN = Actor.administrator(
    "admin", "Administratrice", configuration=ConfigurationId("sarreguemines")
)


def citizen(name: str) -> tuple[Actor, Beneficiary]:
    key = name.lower().replace(" ", "-")
    return (
        Actor(
            ActorId(key), {Role.CITIZEN}, name=name, configuration=ConfigurationId("sarreguemines")
        ),
        Beneficiary(key, name, email=f"{key}@example.org"),
    )


def startup(context: ServiceContext) -> None:
    """What the application does once: its organisation and appointment settings."""
    configuration = sample_configuration()
    configure_organisation(context, ADMIN, configuration.organisation)
    configure_slots(context, ADMIN, configuration.organisation.id, configuration.slots)


def request_free_slots(context: ServiceContext, name: str, answers: dict[str, str]) -> None:
    actor, _ = citizen(name)
    town = sample_configuration().organisation.id
    slots = free_slots(context, actor, town, ID_CARDS, days=7, channel=Channel.PORTAL)
    answers[name] = f"{len(slots)} free slots this week"


def request_booking(
    context: ServiceContext, name: str, slot: Slot, answers: dict[str, str]
) -> None:
    actor, beneficiary = citizen(name)
    town = sample_configuration().organisation.id
    try:
        booked = book_slot(
            context,
            actor,
            town,
            counter_id=slot.counter_id,
            start=slot.start,
            beneficiary=beneficiary,
            channel=Channel.PORTAL,
            option="CNI",
        )
        answers[name] = f"booked {booked.start:%d/%m %H:%M}"
    except SlotTaken:
        answers[name] = "that slot was just taken: choose another"


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="caredomain-embed-"))
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{workdir / 'portal.db'}"
    trail = AuditTrail(workdir / "audit.jsonl")
    plugins = load_plugins(os.environ, extra=[("audit_trail", trail)])
    clock = FixedClock(datetime(2026, 4, 27, 9, 0, tzinfo=PARIS))

    with open_context(url, clock=clock, plugins=plugins) as context:
        startup(context)
        town = sample_configuration().organisation.id
        first = free_slots(context, ADMIN, town, ID_CARDS, days=7)[0]

        answers: dict[str, str] = {}
        with ThreadPoolExecutor(max_workers=4) as server:  # a web server's request threads
            requests = [
                server.submit(request_free_slots, context, "Léa Roux", answers),
                server.submit(request_free_slots, context, "Marc Petit", answers),
                server.submit(request_booking, context, "Camille Martin", first, answers),
                server.submit(request_booking, context, "Jules Bernard", first, answers),
            ]
            for request in requests:
                request.result()  # a request that failed raises here
        for name in sorted(answers):
            print(f"{name}: {answers[name]}")
        outcomes = Counter(answer.split(" ")[0] for answer in answers.values())
        print(f"the same slot asked twice: {outcomes['booked']} booked, {outcomes['that']} taken")

        counts = outbox_summary(context, NOTIFIER_ACTOR).counts  # the store's outbox
        print("outbox: " + ", ".join(f"{n} {status.value}" for status, n in counts.items() if n))

    events = trail.path.read_text(encoding="utf-8").splitlines()
    kinds = Counter(json.loads(line)["kind"] for line in events)
    print("audit trail: " + ", ".join(f"{kind} x{n}" for kind, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
