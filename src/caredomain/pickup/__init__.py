"""Daycare pickups with HopHop (seed 001): installations and their HopHop accounts, children
and parents, what is synced, parents' arrival announcements (an estimated time or GPS), the
preparation time and the call window, the statuses Call → Ready → Departed, who sees which
alert, photo approvals and parents' activations. See ``docs/pickup.md``."""

from caredomain.pickup.approvals import (
    Activation,
    activation,
    approved,
    check_may_announce,
    photo_changed,
)
from caredomain.pickup.events import (
    ChildCalled,
    ChildDeparted,
    ChildReady,
    ChildUnmatched,
    PickupAlertDue,
    PickupAnnounced,
    PickupCancelled,
    PickupDelayed,
    PickupEvent,
    PickupExpired,
)
from caredomain.pickup.inbound import InboundReused
from caredomain.pickup.model import (
    DEFAULT_CALL_WINDOW,
    DEFAULT_PREPARATION,
    AccountSettings,
    Child,
    ChildId,
    Group,
    GroupId,
    HopHopAccount,
    Installation,
    InstallationId,
    LinkProblem,
    LinkStatus,
    Parent,
    ParentId,
)
from caredomain.pickup.pickups import (
    EXPIRY,
    MATERIAL_CHANGE,
    ArrivalMode,
    Pickup,
    PickupStatus,
    check_call_window,
)
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent, diff, differences, payload
from caredomain.pickup.views import View, alerts_for, rings_for

__all__ = [
    "DEFAULT_CALL_WINDOW",
    "DEFAULT_PREPARATION",
    "EXPIRY",
    "MATERIAL_CHANGE",
    "AccountSettings",
    "Activation",
    "ArrivalMode",
    "Child",
    "ChildCalled",
    "ChildDeparted",
    "ChildId",
    "ChildReady",
    "ChildUnmatched",
    "Group",
    "GroupId",
    "HopHopAccount",
    "InboundReused",
    "Installation",
    "InstallationId",
    "LinkProblem",
    "LinkStatus",
    "Parent",
    "ParentId",
    "Pickup",
    "PickupAlertDue",
    "PickupAnnounced",
    "PickupCancelled",
    "PickupDelayed",
    "PickupEvent",
    "PickupExpired",
    "PickupStatus",
    "SyncDiff",
    "SyncedChild",
    "SyncedParent",
    "View",
    "activation",
    "alerts_for",
    "approved",
    "check_call_window",
    "check_may_announce",
    "diff",
    "differences",
    "payload",
    "photo_changed",
    "rings_for",
]
