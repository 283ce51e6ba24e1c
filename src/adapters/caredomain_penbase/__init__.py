"""The Penbase mobile platform for caredomain's home care (seed 004).

* :class:`PenbaseClient` (``penbase``): the office side, a
  :class:`~caredomain.interventions.platform.MobilePlatform` over HTTP, with retries;
* :mod:`caredomain_penbase.wire`: the JSON of the contract, read and written — the items
  the phones send, with the planning the office pushes in
  :mod:`~caredomain_penbase.wire_planning` and messages and emergency numbers in
  :mod:`~caredomain_penbase.wire_messages`;
* :mod:`caredomain_penbase.reference`: a reference platform on the standard library, with
  phones that use its device endpoints, for tests, demos and examples — not for production.

Registered through the ``caredomain_mobile_platforms`` hook (:mod:`caredomain_penbase.plugin`);
build one by name with ``plugins.mobile_platform_specs()["penbase"].create(settings)``. The
contract is ``docs/penbase.md``.
"""

import warnings
from typing import Any

from caredomain_penbase.client import PenbaseClient, PenbaseUnavailable
from caredomain_penbase.settings import PenbaseSettings, Secret

__all__ = ["PenbaseClient", "PenbaseSettings", "PenbaseUnavailable", "Secret"]

_MOVED = frozenset({"PenbaseServer", "Phone", "PhonePlanning", "PhoneRefused"})


def __getattr__(name: str) -> Any:
    # Deprecated in 0.2, removed in 0.3 (docs/versioning.md): the reference platform is not
    # part of the adapter's runtime API.
    if name in _MOVED:
        warnings.warn(
            f"caredomain_penbase.{name} moved to caredomain_penbase.reference.{name}; the old "
            "name goes in caredomain 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        from caredomain_penbase import reference

        return getattr(reference, name)
    raise AttributeError(f"module 'caredomain_penbase' has no attribute {name!r}")
