"""A reference HopHop for tests, demos and integrators — not for production.

:class:`HopHopServer` serves the outbound contract of ``docs/hophop.md`` on 127.0.0.1, in
memory, and lets a test read back what it received; :func:`sign` signs a webhook's body as
HopHop does, for whoever plays HopHop's side of the webhooks.
"""

from caredomain_hophop.reference.server import MAX_REQUEST_BYTES, HopHopServer, Ready
from caredomain_hophop.signature import sign

__all__ = ["MAX_REQUEST_BYTES", "HopHopServer", "Ready", "sign"]
