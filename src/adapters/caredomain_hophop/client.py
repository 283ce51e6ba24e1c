"""The daycare's side of HopHop: :class:`HopHopClient`, a
:class:`~caredomain.pickup.ports.HopHopPlatform` over HTTP (``docs/hophop.md``).

Every request goes through a :class:`~caredomain_http.Connection`: retried on 5xx, 429,
timeouts and connection errors with a growing pause, then :class:`HopHopUnavailable` — a
:class:`~caredomain.errors.Conflict`, as the port says: try again later — naming HopHop and
the last error; any other refusal is not retried and becomes the error the port speaks
(:mod:`caredomain_http.connection`). Retrying is safe: every call of the contract is
idempotent, and the one that would not be (the activation e-mail) carries an
``Idempotency-Key``.

The API token travels only in the ``Authorization`` header and an account's password only
in the ``X-HopHop-Password`` header of the link (UTF-8: a French password has accents):
never in a URL (which httpx logs), a body, a repr, a log line or an error — a server's text
is scrubbed of both before it is shown. A password holding a control character, which no
header can carry, is refused before anything is sent.

An answer larger than :data:`~caredomain_hophop.wire.MAX_ANSWER_BYTES`, not UTF-8, not JSON
or not as the contract says is an :class:`~caredomain.errors.InvalidInput` whose ``source``
is HopHop; nothing else than a :class:`~caredomain.errors.CareDomainError` leaves the client.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from caredomain.errors import Conflict, InvalidInput
from caredomain.pickup.model import HopHopAccount, LinkProblem
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.sync import SyncDiff, SyncedParent
from caredomain.text import Text
from caredomain_hophop import wire
from caredomain_hophop.settings import HopHopSettings, Secret, shown_url
from caredomain_http import Connection, PlatformClient, Reply, Unavailable, Wire

__all__ = ["PASSWORD_HEADER", "HopHopClient", "HopHopUnavailable"]

log = logging.getLogger(__name__)

PASSWORD_HEADER = "X-HopHop-Password"
_MAX_ERROR_BYTES = 64 * 1024


class HopHopUnavailable(Unavailable, Conflict):
    """HopHop did not answer, or kept failing, through every try: try again later."""


def _account_path(account: HopHopAccount, *rest: str) -> str:
    return "/".join(["v1", "accounts", quote(account.email, safe=""), *rest])


class HopHopClient(PlatformClient):
    """Talks to HopHop for the daycare; see the module's documentation."""

    def __init__(
        self,
        settings: HopHopSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._passwords: list[Secret] = []  # the ones sent, to scrub from what comes back
        self._http = Connection(
            settings,
            Wire(
                f"hophop {shown_url(settings.url)}",
                wire.MAX_ANSWER_BYTES,
                _message,
                HopHopUnavailable,
            ),
            sleep=sleep,
            transport=transport,
            secrets=lambda: self._passwords,
        )

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> HopHopClient:
        """A client from text settings (see :mod:`caredomain_hophop.settings`)."""
        return cls(HopHopSettings.from_mapping(settings, environ))

    @property
    def settings(self) -> HopHopSettings:
        return self._settings

    # -- the HopHopPlatform port -------------------------------------------------------

    def link(self, account: HopHopAccount, password: Secret, *, create: bool) -> LinkProblem | None:
        if not isinstance(password, Secret) or not password.reveal():
            raise InvalidInput(Text("the HopHop account's password is required"), field="password")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in password.reveal()):
            raise InvalidInput(
                Text("the HopHop account's password cannot hold control characters"),
                field="password",
            )
        if password not in self._passwords:
            self._passwords.append(password)
        reply = self._http.request(
            "POST",
            "v1/accounts/link",
            wire.link_json(account, create=create),
            headers={PASSWORD_HEADER: password.reveal().encode("utf-8", "surrogatepass")},
        )
        problem: LinkProblem | None = self._read(reply, wire.link_result)
        return problem

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        self._http.request("POST", _account_path(account, "roster"), wire.diff_json(diff))

    def tell_ready(self, account: HopHopAccount, pickup: Pickup) -> None:
        self._http.request("POST", _account_path(account, "ready"), wire.ready_json(pickup))

    def resend_activation(self, account: HopHopAccount, parent: SyncedParent) -> None:
        self._http.request(
            "POST",
            _account_path(account, "activation-emails"),
            wire.activation_json(parent),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )

    # -- HTTP --------------------------------------------------------------------------

    def _read(self, reply: Reply, parse: Callable[[object], Any]) -> Any:
        try:
            return parse(wire.read_json(reply.content, limit=wire.MAX_ANSWER_BYTES))
        except InvalidInput as error:
            raise error.located(source=self.name) from None


def _message(reply: Reply) -> tuple[str, str | None]:
    """The server's message, from ``{"error": {...}}`` or the text (its error code names no
    field)."""
    try:
        data = wire.read_json(reply.content, limit=_MAX_ERROR_BYTES)
    except InvalidInput:
        data = None
    message, _code = wire.server_message(data)
    if message is None:
        message = reply.content[:200].decode("utf-8", "replace").strip() or reply.reason
    return message, None
