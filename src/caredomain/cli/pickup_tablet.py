"""``caredomain pickup`` at the tablet: the alerts it shows, the taps Appeler, Prêt and
Départ, the photo changes approved, and the children white or orange."""

from __future__ import annotations

import argparse
from typing import Any

from caredomain.cli.common import OPERATOR, Console, existing_sqlite_url, operator
from caredomain.cli.i18n import _, ngettext
from caredomain.cli.pickup_common import (
    Files,
    clock,
    close_platform,
    context_of,
    daycare_of,
    files_of,
    installation_of,
    platform_of,
)
from caredomain.organisation import Organisation
from caredomain.pickup import Activation, Pickup, View
from caredomain.pickup.model import ChildId, GroupId
from caredomain.pickup.services import (
    activations,
    approve_child,
    call_child,
    pickup_alerts,
    ready_child,
    release_child,
)

__all__ = [
    "run_activations",
    "run_alerts",
    "run_approve",
    "run_tap",
    "show_activation",
    "show_alert",
]


def show_alert(pickup: Pickup, files: Files, organisation: Organisation) -> str:
    """One alert: its id, when due, the child and her group, the parent, the arrival."""
    child = files.children.get(pickup.child)
    parent = files.parents.get(pickup.parent)
    group = files.groups.get(child.group, child.group) if child else "?"
    return _(
        "{id}  due {due}  {child} ({group}), {parent} arrives {arrival} ({mode}): {status}"
    ).format(
        id=pickup.id,
        due=clock(pickup.due_at, organisation),
        child=child.full_name if child else pickup.child,
        group=group,
        parent=parent.full_name if parent else pickup.parent,
        arrival=clock(pickup.arrival, organisation),
        mode=pickup.mode.value,
        status=pickup.status.value,
    )


def _alert_json(pickup: Pickup, files: Files) -> dict[str, Any]:
    child = files.children.get(pickup.child)
    parent = files.parents.get(pickup.parent)
    return {
        "id": pickup.id,
        "child": pickup.child,
        "child_name": child.full_name if child else None,
        "group": child.group if child else None,
        "parent": pickup.parent,
        "parent_name": parent.full_name if parent else None,
        "mode": pickup.mode.value,
        "arrival": pickup.arrival,
        "due_at": pickup.due_at,
        "status": pickup.status.value,
        "sequence": pickup.alerts,
    }


def run_alerts(args: argparse.Namespace, console: Console) -> int:
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        installation = installation_of(context, organisation.id, args.installation)
        view = View(installation, GroupId(args.group) if args.group else None)
        alerts = pickup_alerts(context, OPERATOR, organisation.id, view)
        files = files_of(context, organisation.id)
        now = context.clock.now()
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "installation": view.installation,
                "group": view.group,
                "as_of": organisation.local(now),
                "alerts": [_alert_json(pickup, files) for pickup in alerts],
            }
        )
        return 0
    where = view.installation + (
        f" / {files.groups.get(view.group, view.group)}" if view.group else ""
    )
    heading = ngettext("{where}: {n} alert", "{where}: {n} alerts", len(alerts))
    console.print(heading.format(where=where, n=len(alerts)))
    for pickup in alerts:
        console.print("  " + show_alert(pickup, files, organisation))
    return 0


def run_tap(args: argparse.Namespace, console: Console) -> int:
    actor = operator(args.by)
    platform = platform_of(console, args) if args.tap == "ready" else None
    try:
        with context_of(console, existing_sqlite_url(args.db)) as context:
            organisation = daycare_of(context, args.organisation)
            if args.tap == "call":
                pickup = call_child(context, actor, organisation.id, args.pickup)
            elif args.tap == "ready" and platform is not None:
                pickup = ready_child(context, actor, organisation.id, args.pickup, platform)
            else:
                pickup = release_child(context, actor, organisation.id, args.pickup)
            files = files_of(context, organisation.id)
            now = context.clock.now()
    finally:
        close_platform(platform)
    child = files.children.get(pickup.child)
    done = {
        "call": _("{child} called at {time}"),
        "ready": _("{child} ready at {time}; HopHop tells the parent"),
        "depart": _("{child} left at {time}, released by {actor}"),
    }[args.tap]
    line = done.format(
        child=child.full_name if child else pickup.child,
        time=clock(now, organisation),
        actor=pickup.released_by,
    )
    console.print(f"{pickup.id}: {line}")
    return 0


def run_approve(args: argparse.Namespace, console: Console) -> int:
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        child = approve_child(context, OPERATOR, organisation.id, ChildId(args.child))
    console.print(_("{child}: photo changes approved").format(child=child.full_name))
    return 0


def show_activation(activation: Activation) -> str:
    """``white  Léa Tremblay`` or ``orange Florence Roy-Côté: missing Mathieu Côté (…)``,
    and whether a photo waits for the centre's approval."""
    child = activation.child
    waiting = "  " + _("(photo awaiting approval)") if child.awaiting_approval else ""
    if activation.complete:
        return _("white   {child}").format(child=child.full_name) + waiting
    missing = ", ".join(f"{p.full_name} <{p.email}>" for p in activation.not_activated)
    line = _("orange  {child}: not activated by {parents}").format(
        child=child.full_name, parents=missing
    )
    return line + waiting


def run_activations(args: argparse.Namespace, console: Console) -> int:
    with context_of(console, existing_sqlite_url(args.db)) as context:
        organisation = daycare_of(context, args.organisation)
        installation = installation_of(context, organisation.id, args.installation)
        listed = activations(context, OPERATOR, organisation.id, installation)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "installation": args.installation,
                "children": [
                    {
                        "child": a.child.id,
                        "name": a.child.full_name,
                        "colour": a.colour,
                        "awaiting_approval": sorted(a.child.awaiting_approval),
                        "missing": [
                            {"parent": p.id, "name": p.full_name, "email": p.email}
                            for p in a.not_activated
                        ],
                    }
                    for a in listed
                ],
            }
        )
        return 0
    orange = sum(1 for a in listed if not a.complete)
    heading = ngettext(
        "{installation}: {n} child, {orange} orange",
        "{installation}: {n} children, {orange} orange",
        len(listed),
    )
    console.print(heading.format(installation=args.installation, n=len(listed), orange=orange))
    for activation in listed:
        console.print("  " + show_activation(activation))
    return 0
