"""Who sees which alert (seed 001, "Fonctionnement des alertes").

An educator's tablet shows one installation — the one selected at the top right — and either
her group or all groups. She sees the alerts of the children who are *now* in what she
shows: a child moved to another group alerts in the group where she is now, whatever group
she was in when her parent announced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen

from caredomain.arguments import checked_fields
from caredomain.pickup.events import PickupAlertDue
from caredomain.pickup.model import Child, ChildId, GroupId, InstallationId
from caredomain.pickup.pickups import Pickup

__all__ = ["View", "alerts_for", "rings_for"]


@frozen(field_transformer=checked_fields)
class View:
    """What a tablet shows: one installation, and one group or (``None``) all of them."""

    installation: InstallationId
    group: GroupId | None = None

    def shows(self, child: Child) -> bool:
        return child.installation == self.installation and (
            self.group is None or child.group == self.group
        )


def alerts_for(
    view: View, pickups: Iterable[Pickup], children: Mapping[ChildId, Child]
) -> list[Pickup]:
    """The standing alerts of the children ``view`` shows now, the soonest due first."""
    shown = [
        pickup
        for pickup in pickups
        if pickup.alerting
        and (child := children.get(pickup.child)) is not None
        and view.shows(child)
    ]
    return sorted(shown, key=lambda pickup: (pickup.due_at, pickup.child))


def rings_for(
    view: View,
    alerts: Iterable[tuple[int, PickupAlertDue]],
    children: Mapping[ChildId, Child],
) -> list[tuple[int, PickupAlertDue]]:
    """The alerts, among journal ``(position, event)`` pairs, that make ``view``'s tablet
    ring: those of the children it shows now."""
    return [
        (position, alert)
        for position, alert in alerts
        if (child := children.get(ChildId(alert.child_id))) is not None and view.shows(child)
    ]
