"""The webhooks' signature (``docs/hophop.md``): HMAC-SHA256 with the webhook secret over
``f"{timestamp}.".encode() + body``, sent as ``X-HopHop-Signature: t=<unix>, v1=<hex>``.

Several ``v1=`` may be given (HopHop rotating its secret signs with both); one matching is
enough. Digests are compared with :func:`hmac.compare_digest`. A timestamp further than
:data:`REPLAY_WINDOW` from now, in the past or in the future, is refused: a request caught
on the wire cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from caredomain.errors import CareDomainError
from caredomain.secret import Secret
from caredomain.text import Text

__all__ = ["HEADER", "REPLAY_WINDOW", "SignatureRefused", "sign", "verify"]

HEADER = "X-HopHop-Signature"
REPLAY_WINDOW = timedelta(minutes=5)
_MAX_HEADER = 1024


class SignatureRefused(CareDomainError):
    """A webhook whose signature is missing, malformed, wrong or out of time; ``status``
    and ``code`` are its HTTP answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _digest(secret: Secret, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.reveal().encode("utf-8"), signed, hashlib.sha256).hexdigest()


def sign(secret: Secret, timestamp: int, body: bytes) -> str:
    """The header's value for ``body`` sent at ``timestamp`` (Unix seconds)."""
    return f"t={timestamp}, v1={_digest(secret, timestamp, body)}"


def _parsed(header: str | None) -> tuple[int, list[str]]:
    if not header or len(header) > _MAX_HEADER:
        raise SignatureRefused(
            400, "bad_signature_header", Text("the {header} header is required", header=HEADER)
        )
    timestamp: int | None = None
    digests: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            timestamp = int(value)
        elif key == "v1" and value.strip() and value.isascii():  # compare_digest: ASCII only
            digests.append(value.strip().lower())
    if timestamp is None or not digests:
        raise SignatureRefused(
            400,
            "bad_signature_header",
            Text("expected {header}: t=<unix seconds>, v1=<hex digest>", header=HEADER),
        )
    return timestamp, digests


def verify(
    header: str | None,
    body: bytes,
    secret: Secret,
    now: datetime,
    window: timedelta = REPLAY_WINDOW,
) -> None:
    """Refuse ``body`` unless ``header`` signs it with ``secret`` within ``window`` of
    ``now``; :class:`SignatureRefused` says why (400 malformed, 401 otherwise)."""
    timestamp, digests = _parsed(header)
    expected = _digest(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, digest) for digest in digests):
        raise SignatureRefused(401, "bad_signature", Text("the signature does not match"))
    age = now.timestamp() - timestamp
    if age > window.total_seconds():
        raise SignatureRefused(
            401, "stale_timestamp", Text("signed too long ago: a replayed request is refused")
        )
    if -age > window.total_seconds():
        raise SignatureRefused(401, "future_timestamp", Text("signed with a time in the future"))
