"""What the adapters that speak to a platform over HTTP share (HopHop, Penbase): the bearer
token kept out of everything but its header, the bounded read of an answer, retries with
backoff and ``Retry-After``, and a refusal turned into the error the ports speak
(:mod:`caredomain_http.connection`); a deadline for a whole exchange
(:mod:`caredomain_http.deadline`) and an answer inflated within its bound
(:mod:`caredomain_http.inflate`); the one bounded reader of the JSON either side receives
(:mod:`caredomain_http.bounded_json`); their reference servers' loopback serving
(:mod:`caredomain_http.loopback`), and a hostile platform for fault campaigns against a
client (:mod:`caredomain_http.crafted`). Not a plugin: a library of the adapters."""

from caredomain_http.connection import Connection, PlatformClient, Reply, Unavailable, Wire

__all__ = ["Connection", "PlatformClient", "Reply", "Unavailable", "Wire"]
