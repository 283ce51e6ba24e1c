"""The kit for integrators: what you need to test your own code against caredomain.

* :mod:`caredomain.testing.strategies` (re-exported here as ``strategies``) — Hypothesis
  strategies for every public model: time ranges, reference weeks, opening windows,
  minimum notices, closures, public holidays, opening calendars, time zones, organisations,
  actors and events. They draw only valid values and shrink to plain ones.
* :mod:`caredomain.testing.hostile` — hostile JSON for adapters that read bodies: huge
  numbers, absurd exponents, times at the ends of the calendar, and valid bodies with a
  field or two replaced or removed at any depth.
* :mod:`caredomain.testing.store_contract` — a state machine any store runs on itself;
  :mod:`caredomain.testing.outbox_contract` — ``check_outbox(make_store)``, what
  dispatchers rely on from a store's outbox (claims, leases renewed, attempts given back,
  dead letters requeued).
* :mod:`caredomain.testing.hophop` — ``ReferenceHopHop``, an in-memory HopHop platform for
  the pickups' use cases.

Its Hypothesis parts need Hypothesis, which caredomain itself does not: install the
``testing`` extra (``pip install 'caredomain[testing]'``). Nothing here is imported by
``caredomain`` but the reference HopHop, by the demo.
"""

import importlib
from types import ModuleType

__all__ = ["strategies"]


def __getattr__(name: str) -> ModuleType:
    # Imported when asked for: the reference HopHop (caredomain.testing.hophop), which the
    # demo uses, needs no Hypothesis.
    if name == "strategies":
        return importlib.import_module("caredomain.testing.strategies")
    raise AttributeError(f"module 'caredomain.testing' has no attribute {name!r}")
