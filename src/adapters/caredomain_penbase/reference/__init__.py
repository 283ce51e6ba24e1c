"""A reference Penbase platform, for tests, demos and integrators' own tests — not for use
against caregivers' phones.

:class:`PenbaseServer` serves the contract of ``docs/penbase.md`` on the standard library's
HTTP server, keeps everything in memory, and answers every request, however malformed, with
a status and a JSON error; :class:`Phone` plays a caregiver's phone against its device
endpoints. caredomain's own tests run :class:`~caredomain_penbase.PenbaseClient` against it;
yours can run your integration the same way, with no Penbase account::

    from caredomain_penbase import PenbaseClient
    from caredomain_penbase.reference import PenbaseServer

    with PenbaseServer(office_token="office-secret") as server:
        client = PenbaseClient.from_settings({"url": server.url, "token": "office-secret"})
"""

from caredomain_penbase.reference.phone import Phone, PhonePlanning, PhoneRefused
from caredomain_penbase.reference.server import PenbaseServer

__all__ = ["PenbaseServer", "Phone", "PhonePlanning", "PhoneRefused"]
