"""``caredomain pickup tick`` and ``pickup serve``: the alerts now due rung and the stale
pickups expired, once or every few seconds while HopHop's webhooks are received."""

from __future__ import annotations

import argparse
import logging
import threading
from datetime import timedelta
from typing import Any

from caredomain.cli.common import Console, existing_sqlite_url
from caredomain.cli.i18n import _, ngettext
from caredomain.cli.pickup_common import context_of, daycare_of, located, platform_settings, spec_of
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.pickup import PickupEvent
from caredomain.pickup.services import HOPHOP_ACTOR, tick_pickups
from caredomain.services import ServiceContext

__all__ = ["TICK_SECONDS", "event_json", "run_serve", "run_tick"]

log = logging.getLogger("caredomain.cli.pickup")

TICK_SECONDS = 5


def event_json(event: Event) -> dict[str, Any]:
    pickup = event.pickup_id if isinstance(event, PickupEvent) else None
    return {"kind": event.kind, "pickup": pickup}


def run_tick(args: argparse.Namespace, console: Console) -> int:
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        events = tick_pickups(context, HOPHOP_ACTOR, organisation.id)
        now = context.clock.now()
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "at": organisation.local(now),
                "events": [event_json(event) for event in events],
            }
        )
        return 0
    heading = ngettext("{organisation}: {n} event", "{organisation}: {n} events", len(events))
    console.print(heading.format(organisation=organisation.name, n=len(events)))
    for event in events:
        console.print(f"  {event.kind} {event_json(event)['pickup'] or ''}".rstrip())
    return 0


def run_serve(args: argparse.Namespace, console: Console) -> int:
    spec = spec_of(console, args)
    if spec.receiver is None:
        refused = _("this pickup platform sends no webhooks")
        raise InvalidInput(refused, field="--platform", text=args.platform)
    extra = _("serving HopHop's webhooks needs the hophop extra: pip install 'caredomain[hophop]'")
    try:
        import uvicorn
    except ImportError:
        raise InvalidInput(extra) from None
    given = platform_settings(args)
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        try:
            app = spec.receiver(context, given, console.environ)
        except ImportError:
            raise InvalidInput(extra) from None
        except InvalidInput as error:
            located(error, args, given)
        stop = threading.Event()
        ticker = threading.Thread(
            target=_ticking,
            args=(context, organisation.id, timedelta(seconds=args.every), stop),
            name="pickup-tick",
            daemon=True,
        )
        config = uvicorn.Config(
            app, host=args.host, port=args.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        path = spec.receiver_path.format(organisation=organisation.id)
        console.info(
            _("receiving HopHop's webhooks at http://{host}:{port}{path}; Ctrl-C stops").format(
                host=args.host, port=args.port, path=path
            )
        )
        console.out.flush()
        ticker.start()
        try:
            server.run()
        except KeyboardInterrupt:  # uvicorn shut down gracefully, then passes Ctrl-C on
            pass
        finally:
            stop.set()
            ticker.join(timeout=30)
    console.info(_("stopped"))
    return 0


def _ticking(
    context: ServiceContext, organisation_id: str, every: timedelta, stop: threading.Event
) -> None:
    """``tick_pickups`` every ``every`` until ``stop``; a failed tick is logged, not fatal."""
    while not stop.wait(every.total_seconds()):
        try:
            events = tick_pickups(context, HOPHOP_ACTOR, organisation_id)
        except Exception:
            log.exception("tick of %s failed", organisation_id)
            continue
        for event in events:
            log.info("%s %s", event.kind, event_json(event)["pickup"] or "")
