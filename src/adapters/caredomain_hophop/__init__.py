"""HopHop, the parents' pickup app, for caredomain's daycares (seed 001).

* :class:`HopHopClient` (``hophop``): the daycare's side, a
  :class:`~caredomain.pickup.ports.HopHopPlatform` over HTTP, with retries — the account
  link, the roster push, "ready", the activation e-mail again;
* :mod:`caredomain_hophop.webhooks`: what HopHop sends — announcements, GPS updates,
  cancellations, photo changes — received by an ASGI application (Starlette, the
  ``hophop`` extra), signed (:mod:`caredomain_hophop.signature`) and applied once each;
* :mod:`caredomain_hophop.wire`: the JSON of the contract, written and read;
* :mod:`caredomain_hophop.reference`: a reference HopHop on the standard library, for
  tests, demos and integrators — not for production.

Registered through the ``caredomain_pickup_platforms`` hook (:mod:`caredomain_hophop.plugin`);
build one by name with ``plugins.pickup_platform_specs()["hophop"].create(settings)``. The
contract is ``docs/hophop.md``.
"""

from caredomain_hophop.client import HopHopClient, HopHopUnavailable
from caredomain_hophop.settings import HopHopSettings, Secret

__all__ = ["HopHopClient", "HopHopSettings", "HopHopUnavailable", "Secret"]
