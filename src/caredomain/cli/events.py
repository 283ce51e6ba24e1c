"""``caredomain events follow [--from POSITION] [--json]``: the event journal, printed as
events commit, from any process.

It prints the events after ``--from`` (0: from the start), then waits for more: on a store
that can say when events commit (:class:`~caredomain.ports.EventWaiting`: PostgreSQL's
``LISTEN``/``NOTIFY``) it sleeps until told, on another (SQLite) it looks again every
second. One line an event — ``POSITION OCCURRED_AT KIND EVENT_ID`` — or, with ``--json``,
one JSON document a line (``position`` and ``event``). It runs until interrupted.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console, existing_sqlite_url
from caredomain.cli.i18n import N_
from caredomain.cli.options import add_command_options, whole_number
from caredomain.events import Event
from caredomain.ports import EventWaiting, Store
from caredomain.serialization import unstructure

POLL_SECONDS = 1.0
"""How often a store that cannot say when events commit is read again."""
WAIT_SECONDS = 30.0
"""How long a listening store is waited on before the journal is read again anyway."""
BATCH = 1000


def add_parser(subparsers: Any) -> None:
    events: argparse.ArgumentParser = subparsers.add_parser(
        "events", help=COMMANDS["events"].help, description=COMMANDS["events"].help
    )
    actions = events.add_subparsers(dest="action", required=True, metavar="ACTION")
    follow = actions.add_parser(
        "follow",
        help=N_("print the journal's events after a position, then each event as it commits"),
    )
    add_command_options(follow, None, db="", json=True)
    follow.add_argument(
        "--from",
        dest="position",
        type=whole_number("--from"),
        default=0,
        help=N_("print the events after this position (default 0: every event)"),
    )
    follow.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    store: Store = console.plugins().open_store(existing_sqlite_url(args.db))
    try:
        follow(store, console, args.position, as_json=args.json)
    except KeyboardInterrupt:
        pass
    finally:
        store.close()
    return 0


def follow(store: Store, console: Console, after: int, *, as_json: bool) -> None:
    """Print the events after position ``after``, then each new one, for ever."""
    position = after
    waiting = store if isinstance(store, EventWaiting) else None
    if waiting is not None:
        waiting.wait_for_events(0)  # listening before the first read: nothing is missed
    while True:
        with store.unit_of_work(write=False) as uow:
            found = uow.events.since(position, BATCH)
        for at, event in found:
            _show(console, at, event, as_json=as_json)
        if found:
            position = found[-1][0]
        console.out.flush()
        if len(found) == BATCH:
            continue
        if waiting is not None:
            waiting.wait_for_events(WAIT_SECONDS)
        else:
            time.sleep(POLL_SECONDS)


def _show(console: Console, position: int, event: Event, *, as_json: bool) -> None:
    if as_json:
        console.emit({"position": position, "event": unstructure(event)}, one_line=True)
        return
    console.print(f"{position} {event.occurred_at.isoformat()} {event.kind} {event.event_id}")
