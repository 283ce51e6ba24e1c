"""Story: an afternoon of pickups at a Québec daycare (seed 001, HopHop).

CPE Soleil, a "service de garde" in Montréal, loads its file (the sample daycare shipped with
caredomain) into a SQLite store in a temporary folder, links its installations to HopHop —
here the reference HopHop on loopback, reached by the real HTTP client — and syncs.

1. Marie leaves work at 14:30 and tells HopHop she will be there at 15:45. HopHop posts a
   signed webhook; the daycare checks the signature and applies the event once, however
   often it is delivered.
2. At 15:40, the preparation time before, the alert rings at Léa's group; the educator taps
   Appeler, Prêt (HopHop tells Marie) and Départ.
3. A request for 18:10 is refused: the call window ends at 18:00.
4. The operator's command line reads the same store: the white and orange list.

Everything is written under a temporary folder, removed at the end.
"""

from __future__ import annotations

import importlib.resources
import itertools
import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from caredomain import Actor, ActorId, FixedClock, Role, RuleViolation
from caredomain.cli import main
from caredomain.organisation import ConfigurationId
from caredomain.pickup import GroupId, InstallationId, PickupAlertDue, View
from caredomain.pickup.daycare import load_daycare
from caredomain.pickup.services import (
    HOPHOP_ACTOR,
    AnnouncedChild,
    announce_pickup,
    call_child,
    hophop_parent,
    link_account,
    pickup_alerts,
    ready_child,
    release_child,
    set_up_daycare,
    sync_hophop,
    tick_pickups,
)
from caredomain.secret import Secret
from caredomain.services import ServiceContext, configure_organisation
from caredomain_hophop import HopHopClient, wire
from caredomain_hophop.reference import HopHopServer
from caredomain_hophop.signature import sign, verify
from caredomain_hophop.webhooks import MAX_BODY, apply
from caredomain_sqlite import SqliteStore

TOKEN = "partner-token-story"
WEBHOOK_SECRET = Secret("whsec-story-3Fk9")
ADMIN = Actor.administrator(
    "direction", "Direction du CPE", configuration=ConfigurationId("cpe-soleil")
)
SOPHIE = Actor(
    ActorId("sophie"),
    {Role.AGENT},
    services={"rosemont"},
    name="Sophie Lavoie",
    configuration=ConfigurationId("cpe-soleil"),
)


def main_story(folder: Path) -> None:
    text = importlib.resources.files("caredomain.data").joinpath("sample_daycare.toml")
    daycare = load_daycare(text.read_bytes(), source="sample_daycare.toml")
    organisation = daycare.organisation
    zone = organisation.zone

    def at(hour: int, minute: int) -> datetime:
        return datetime(2027, 3, 2, hour, minute, tzinfo=zone)

    clock = FixedClock(at(14, 0))
    ids = itertools.count()
    db = folder / "daycare.db"
    with (
        SqliteStore(db) as store,
        HopHopServer(api_token=TOKEN) as server,
        HopHopClient.from_settings({"url": server.url, "token": TOKEN}) as hophop,
    ):
        context = ServiceContext(store, clock=clock, new_id=lambda: f"story-{next(ids)}")
        configure_organisation(context, ADMIN, organisation)
        set_up_daycare(
            context,
            ADMIN,
            organisation.id,
            installations=daycare.installations,
            groups=daycare.groups,
            children=daycare.children,
            parents=daycare.parents,
        )
        print(f"{organisation.name} ({zone.key}): {len(daycare.children)} children loaded")
        for account in daycare.accounts:
            linked = link_account(
                context,
                ADMIN,
                organisation.id,
                account.installation,
                email=account.email,
                password=Secret("mot-de-passe"),
                platform=hophop,
                create=True,
                settings=account.settings,
            )
            print(f"  {linked.installation}: {linked.email} {linked.link.value}")
        report = sync_hophop(context, ADMIN, organisation.id, hophop)
        sent = {i: len(change.added) for i, change in report.pushed.items()}
        print(f"synced: {sent}")

        # 1. Marie's announcement, as HopHop posts it: signed, delivered twice.
        clock.set(at(14, 30))
        event = {
            "id": "evt-marie-1",
            "type": wire.ANNOUNCED,
            "occurred_at": at(14, 30).isoformat(),
            "data": {
                "parent": {"email": "marie.tremblay@example.ca"},
                "children": [
                    {"reference": "lea-tremblay", "first_name": "Léa", "last_name": "Tremblay"}
                ],
                "arrival": at(15, 45).isoformat(),
            },
        }
        body = json.dumps(event).encode("utf-8")
        header = sign(WEBHOOK_SECRET, int(clock.now().timestamp()), body)
        for delivery in (1, 2):
            verify(header, body, WEBHOOK_SECRET, clock.now())
            result = apply(
                context, organisation.id, wire.event_from(wire.read_json(body, limit=MAX_BODY))
            )
            print(f"webhook delivery {delivery}: pickups {result['pickups']}")

        # 2. The alert, and the educator's three taps.
        for hour, minute in ((15, 39), (15, 40)):
            clock.set(at(hour, minute))
            rang = [
                e
                for e in tick_pickups(context, HOPHOP_ACTOR, organisation.id)
                if isinstance(e, PickupAlertDue)
            ]
            print(f"{hour}:{minute:02d} alerts rung: {len(rang)}")
        poussins = View(InstallationId("rosemont"), GroupId("poussins"))
        (alert,) = pickup_alerts(context, SOPHIE, organisation.id, poussins)
        print(f"the Poussins' tablet shows {alert.id}, arrival {alert.arrival.strftime('%H:%M')}")
        call_child(context, SOPHIE, organisation.id, alert.id)
        clock.advance(timedelta(minutes=3))
        ready_child(context, SOPHIE, organisation.id, alert.id, hophop)
        print(f"HopHop told the parent of: {[ready.child for ready in server.told_ready]}")
        clock.advance(timedelta(minutes=3))
        left = release_child(context, SOPHIE, organisation.id, alert.id)
        print(f"{left.status.value} at {left.ended_at:%H:%M}, released by {left.released_by}")

        # 3. Too late for HopHop.
        genevieve = hophop_parent(
            context, HOPHOP_ACTOR, organisation.id, "genevieve.roy@example.ca"
        )
        try:
            announce_pickup(
                context,
                HOPHOP_ACTOR,
                organisation.id,
                inbound_id="evt-genevieve-1",
                parent=genevieve,
                children=[AnnouncedChild("florence-roy-cote", "Florence", "Roy-Côté")],
                at=at(17, 0),
                arrival=at(18, 10),
            )
        except RuleViolation as refused:
            print(f"18:10 refused: [{refused.code}] {refused.message}")

    # 4. The operator's command line on the same store.
    main(["pickup", "activations", "--installation", "rosemont", "--db", str(db), "--lang", "en"])


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        main_story(Path(folder))


if __name__ == "__main__":
    run()
