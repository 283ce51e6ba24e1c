"""The bounds Penbase's JSON is read within, by the client and the reference platform alike
(``docs/penbase.md``, Limits), with the adapters' one bounded reader
(:mod:`caredomain_http.bounded_json`): sizes, depth, numbers, lone surrogates."""

from __future__ import annotations

from caredomain_http import bounded_json

__all__ = ["MAX_ANSWER_BYTES", "MAX_DEPTH", "MAX_REQUEST_BYTES", "read_json"]

MAX_REQUEST_BYTES = 1024 * 1024
"""The largest body the reference server reads: 1 MiB."""
MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The largest answer the client reads: 64 MiB."""
MAX_DEPTH = 32
"""Arrays and objects nested at most this deep (a planning, a page of items)."""


def read_json(body: bytes, *, limit: int, where: str = "body") -> object:
    """The JSON value of ``body``, read within ``limit`` bytes and Penbase's bounds, or
    :class:`~caredomain.errors.InvalidInput` naming where it is wrong."""
    return bounded_json.read(body, limit=limit, depth=MAX_DEPTH, where=where)
