"""The Penbase mobile platform for caredomain's home care (seed 004).

* :class:`PenbaseClient` (``penbase``): the office side, a
  :class:`~caredomain.interventions.platform.MobilePlatform` over HTTP, with retries;
* :mod:`caredomain_penbase.wire`: the JSON of the contract, read and written;
* :class:`PenbaseServer`: a reference platform on the standard library, with phones that
  use its device endpoints, for tests, demos and examples.

Registered through the ``caredomain_mobile_platforms`` hook (:mod:`caredomain_penbase.plugin`);
build one by name with ``plugins.mobile_platform_specs()["penbase"].create(settings)``. The
contract is ``docs/penbase.md``.
"""

from caredomain_penbase.client import PenbaseClient, PenbaseUnavailable
from caredomain_penbase.server import PenbaseServer, Phone, PhonePlanning, PhoneRefused
from caredomain_penbase.settings import PenbaseSettings, Secret

__all__ = [
    "PenbaseClient",
    "PenbaseServer",
    "PenbaseSettings",
    "PenbaseUnavailable",
    "Phone",
    "PhonePlanning",
    "PhoneRefused",
    "Secret",
]
