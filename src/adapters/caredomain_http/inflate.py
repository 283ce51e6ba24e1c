"""An answer's body inflated within a bound, a chunk at a time.

httpx inflates each chunk read from the network whole: a 64 KiB chunk of gzip may hold
64 MB, all in memory before any bound on the answer is checked. Clients ask for gzip
(``Accept-Encoding``, :data:`ASKED`) and read the answer as sent; :class:`Inflater` gives
its bytes up to the bound, and one more to tell that there are more, never the whole chunk.
An answer in another encoding (which was not asked for), compressed data that does not
inflate or that stops short are :class:`Undecodable`.
"""

from __future__ import annotations

import zlib

from caredomain.text import Text

__all__ = ["ASKED", "Inflater", "Undecodable"]

ASKED = "gzip"
"""The ``Accept-Encoding`` a client sends."""

_GZIP = 16 + zlib.MAX_WBITS
_PLAIN = ("", "identity")


class Undecodable(ValueError):
    """The answer cannot be read as its ``Content-Encoding`` says."""


class Inflater:
    """The bytes of an answer sent with ``Content-Encoding: encoding``, chunk by chunk."""

    def __init__(self, encoding: str | None) -> None:
        name = (encoding or "").strip().lower()
        if name not in (*_PLAIN, "gzip", "x-gzip"):
            raise Undecodable(
                Text("an answer encoded as {encoding}, which was not asked for", encoding=encoding)
            )
        self._zlib = None if name in _PLAIN else zlib.decompressobj(_GZIP)

    def inflate(self, chunk: bytes, room: int) -> bytes:
        """The bytes ``chunk`` holds, at most ``room`` + 1 of them: more than ``room`` says
        the answer is longer than its bound, unread beyond it."""
        if self._zlib is None:
            return chunk
        try:
            return self._zlib.decompress(chunk, max(room, 0) + 1)
        except zlib.error as error:
            raise Undecodable(
                Text("a compressed answer that does not inflate: {error}", error=str(error))
            ) from None

    def finish(self) -> None:
        """Once the whole answer is read: compressed data that stops short is refused."""
        if self._zlib is not None and not self._zlib.eof:
            raise Undecodable(Text("a compressed answer that stops short"))
