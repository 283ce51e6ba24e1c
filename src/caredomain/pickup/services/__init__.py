"""The pickups' use cases: authorize, load through the unit of work, call the domain, save
what changed with its events, commit, publish.

* :mod:`~caredomain.pickup.services.configuring`: the daycare's files, HopHop accounts,
  group moves, approvals and activations;
* :mod:`~caredomain.pickup.services.syncing`: the data sync with HopHop;
* :mod:`~caredomain.pickup.services.arrivals`: what parents send through HopHop, and the
  clock that makes alerts due;
* :mod:`~caredomain.pickup.services.attending`: an educator's alerts and her taps.
"""

from caredomain.pickup.services.arrivals import (
    HOPHOP_ACTOR,
    AnnouncedChild,
    Announcement,
    announce_pickup,
    cancel_pickups,
    hophop_parent,
    parent_photo_changed,
    report_position,
    tick_pickups,
)
from caredomain.pickup.services.attending import (
    call_child,
    pickup_alerts,
    pickup_rings,
    ready_child,
    release_child,
)
from caredomain.pickup.services.configuring import (
    activations,
    approve_child,
    hophop_accounts,
    link_account,
    move_child,
    resend_activation,
    set_up_daycare,
)
from caredomain.pickup.services.syncing import SyncReport, sync_hophop

__all__ = [
    "HOPHOP_ACTOR",
    "AnnouncedChild",
    "Announcement",
    "SyncReport",
    "activations",
    "announce_pickup",
    "approve_child",
    "call_child",
    "cancel_pickups",
    "hophop_accounts",
    "hophop_parent",
    "link_account",
    "move_child",
    "parent_photo_changed",
    "pickup_alerts",
    "pickup_rings",
    "ready_child",
    "release_child",
    "report_position",
    "resend_activation",
    "set_up_daycare",
    "sync_hophop",
    "tick_pickups",
]
