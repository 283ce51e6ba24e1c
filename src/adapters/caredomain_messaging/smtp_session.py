"""smtplib's client, each exchange within a deadline.

smtplib's ``timeout`` bounds each read and write on the socket: a server that sends its
greeting or a reply a byte at a time, each within the timeout, holds a dispatcher as long
as it pleases — and past the outbox's lease, which counts on a send ending within the
sender's timeout. :class:`BoundedSMTP` (and :class:`BoundedSMTP_SSL`) read and write
only within what is left of :attr:`~BoundedSMTP.ends`, the end of the current exchange,
which is ``timeout`` from its creation (connecting and the greeting) and which the sender
sets again before the rest of the opening (TLS, login) and before each message; past it,
a read or write raises :class:`TimeoutError`, which smtplib reports as a lost connection. No thread
watches: every wait on the socket is given what is left.
"""

from __future__ import annotations

import io
import smtplib
import time
from typing import Any

__all__ = ["BoundedSMTP", "BoundedSMTP_SSL"]


class BoundedSMTP(smtplib.SMTP):
    """:class:`smtplib.SMTP` whose reads and writes end by :attr:`ends` (a
    :func:`time.monotonic` instant; None: smtplib's own timeout only)."""

    ends: float | None = None

    def __init__(self, host: str, port: int, *, timeout: float, **options: Any) -> None:
        # Connected and greeted within ``timeout`` as a whole, like every later exchange.
        self.within(timeout)
        super().__init__(host, port, timeout=timeout, **options)

    def within(self, seconds: float) -> None:
        """The next exchange, from now, ends within ``seconds``."""
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        """The socket's timeout for the next wait: smtplib's, cut to what is left."""
        timeout = float(self.timeout)
        if self.ends is None:
            return timeout
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError("the exchange took longer than the timeout")
        return min(timeout, left)

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            # Replies read through this session's deadline, not smtplib's socket file.
            self.file = io.BufferedReader(_Reads(self))
        return super().getreply()

    def send(self, s: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(self.left())  # sendall's timeout bounds the whole write
        super().send(s)


class BoundedSMTP_SSL(BoundedSMTP, smtplib.SMTP_SSL):  # noqa: N801  # smtplib's name
    """:class:`smtplib.SMTP_SSL`, bounded as :class:`BoundedSMTP`."""


class _Reads(io.RawIOBase):
    """The session's socket as a raw stream, each read given what is left of its deadline."""

    def __init__(self, smtp: BoundedSMTP) -> None:
        self._smtp = smtp

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        sock = self._smtp.sock
        if sock is None:
            raise OSError("the connection is closed")
        sock.settimeout(self._smtp.left())
        return sock.recv_into(buffer)
