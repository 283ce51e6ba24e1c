"""The daycare's side of HopHop: :class:`HopHopClient`, a
:class:`~caredomain.pickup.ports.HopHopPlatform` over HTTP (``docs/hophop.md``).

Every request is retried on 5xx, 429, timeouts and connection errors, pausing ``backoff``
seconds and twice as long at each try (at most ``max_backoff``, or the server's
``Retry-After`` when it is longer, up to the same cap); after ``attempts`` tries the client
gives up with :class:`HopHopUnavailable` — a :class:`~caredomain.errors.Conflict`, as the
port says: try again later — naming HopHop and the last error. Any other 4xx is not
retried: 401 and 403 raise :class:`~caredomain.errors.Forbidden`, 404
:class:`~caredomain.errors.NotFound`, 409 :class:`~caredomain.errors.Conflict`, the rest
:class:`~caredomain.errors.InvalidInput`, each with the server's message. Retrying is
safe: every call of the contract is idempotent, and the one that would not be (the
activation e-mail) carries an ``Idempotency-Key``.

The API token travels only in the ``Authorization`` header and an account's password only
in the ``X-HopHop-Password`` header of the link: never in a URL (which httpx logs), a body,
a repr, a log line or an error — a server's text is scrubbed of both before it is shown.

An answer larger than :data:`~caredomain_hophop.wire.MAX_ANSWER_BYTES`, not UTF-8, not JSON
or not as the contract says is an :class:`~caredomain.errors.InvalidInput` whose ``source``
is HopHop; nothing else than a :class:`~caredomain.errors.CareDomainError` leaves the client.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from attrs import frozen

from caredomain.__about__ import __version__
from caredomain.errors import CareDomainError, Conflict, Forbidden, InvalidInput, NotFound
from caredomain.pickup.model import HopHopAccount, LinkProblem
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.sync import SyncDiff, SyncedParent
from caredomain.secret import scrub
from caredomain.text import Text, counted
from caredomain_hophop import wire
from caredomain_hophop.settings import HopHopSettings, Secret, shown_url

__all__ = ["PASSWORD_HEADER", "HopHopClient", "HopHopUnavailable"]

log = logging.getLogger(__name__)

PASSWORD_HEADER = "X-HopHop-Password"
_TOO_MANY_REQUESTS = 429
_MAX_ERROR_BYTES = 64 * 1024
_REFUSALS: dict[int, Callable[[str], CareDomainError]] = {
    401: Forbidden,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


class HopHopUnavailable(Conflict):
    """HopHop did not answer, or kept failing, through every try: try again later."""

    def __init__(self, platform: str, attempts: int, last_error: str) -> None:
        super().__init__(
            counted(
                "{platform}: gave up after {n} try; last error: {last}",
                "{platform}: gave up after {n} tries; last error: {last}",
                n=attempts,
                platform=platform,
                last=last_error,
            )
        )
        self.platform = platform
        self.attempts = attempts
        self.last_error = last_error


class _Bearer(httpx.Auth):
    """Puts the token in the ``Authorization`` header of each request, and nowhere else."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "_Bearer('***')"


@frozen
class _Reply:
    status: int
    reason: str
    headers: httpx.Headers
    content: bytes


def _retry_after(reply: _Reply) -> float:
    try:
        return max(0.0, float(reply.headers.get("Retry-After", "0")[:32]))
    except ValueError:
        return 0.0


def _account_path(account: HopHopAccount, *rest: str) -> str:
    return "/".join(["v1", "accounts", quote(account.email, safe=""), *rest])


class HopHopClient:
    """Talks to HopHop for the daycare; see the module's documentation."""

    def __init__(
        self,
        settings: HopHopSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
        self._passwords: list[Secret] = []  # the ones sent, to scrub from what comes back
        self._http = httpx.Client(
            base_url=settings.url,
            auth=_Bearer(settings.token),
            timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
            headers={"Accept": "application/json", "User-Agent": f"caredomain/{__version__}"},
            follow_redirects=False,
            transport=transport,
        )

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> HopHopClient:
        """A client from text settings (see :mod:`caredomain_hophop.settings`)."""
        return cls(HopHopSettings.from_mapping(settings, environ))

    @property
    def name(self) -> str:
        return f"hophop {shown_url(self._settings.url)}"

    @property
    def settings(self) -> HopHopSettings:
        return self._settings

    def __repr__(self) -> str:
        return f"HopHopClient({shown_url(self._settings.url)!r}, token=***)"

    __str__ = __repr__

    def __enter__(self) -> HopHopClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # -- the HopHopPlatform port -------------------------------------------------------

    def link(self, account: HopHopAccount, password: Secret, *, create: bool) -> LinkProblem | None:
        if not isinstance(password, Secret) or not password.reveal():
            raise InvalidInput(Text("the HopHop account's password is required"), field="password")
        self._passwords.append(password)
        reply = self._request(
            "POST",
            "v1/accounts/link",
            wire.link_json(account, create=create),
            headers={PASSWORD_HEADER: password.reveal()},
        )
        problem: LinkProblem | None = self._read(reply, wire.link_result)
        return problem

    def push(self, account: HopHopAccount, diff: SyncDiff) -> None:
        self._request("POST", _account_path(account, "roster"), wire.diff_json(diff))

    def tell_ready(self, account: HopHopAccount, pickup: Pickup) -> None:
        self._request("POST", _account_path(account, "ready"), wire.ready_json(pickup))

    def resend_activation(self, account: HopHopAccount, parent: SyncedParent) -> None:
        self._request(
            "POST",
            _account_path(account, "activation-emails"),
            wire.activation_json(parent),
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )

    # -- HTTP --------------------------------------------------------------------------

    def _read(self, reply: _Reply, parse: Callable[[object], Any]) -> Any:
        try:
            return parse(wire.read_json(reply.content, limit=wire.MAX_ANSWER_BYTES))
        except InvalidInput as error:
            raise error.located(source=self.name) from None

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> _Reply:
        attempts = self._settings.attempts
        last = ""
        for attempt in range(1, attempts + 1):
            wait = 0.0
            try:
                reply = self._send(method, path, body, headers=headers)
            except httpx.TimeoutException:
                last = Text("no answer within {timeout:g} s", timeout=self._settings.timeout)
            except httpx.RequestError as error:
                last = self._scrubbed(
                    Text(
                        "unreachable ({kind}: {error})",
                        kind=type(error).__name__,
                        error=str(error),
                    )
                )
            else:
                status = reply.status
                if status < 300:
                    return reply
                if not (status == _TOO_MANY_REQUESTS or status >= 500):
                    raise self._refusal(reply) from None
                last = f"HTTP {status}: {self._message(reply)[0]}"
                wait = _retry_after(reply)
            if attempt < attempts:
                self._pause(attempt, wait, f"{method} /{path}", last)
        raise HopHopUnavailable(self.name, attempts, last)

    def _send(
        self, method: str, path: str, body: Any, *, headers: Mapping[str, str] | None
    ) -> _Reply:
        """One exchange, its answer read up to the bound (a larger one is refused)."""
        request = self._http.build_request(method, path, json=body, headers=headers)
        response = self._http.send(request, stream=True)
        try:
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > wire.MAX_ANSWER_BYTES:
                    raise InvalidInput(
                        Text("an answer larger than {limit} bytes", limit=wire.MAX_ANSWER_BYTES),
                        source=self.name,
                        field=f"{method} /{path}",
                    )
        finally:
            response.close()
        return _Reply(
            response.status_code, response.reason_phrase[:200], response.headers, bytes(content)
        )

    def _scrubbed(self, text: str) -> str:
        """A text without the token or any password sent, should the server echo them."""
        return scrub(text, (self._settings.token, *self._passwords))

    def _message(self, reply: _Reply) -> tuple[str, str | None]:
        """The server's message (scrubbed) and code, from ``{"error": {...}}`` or the text."""
        try:
            data = wire.read_json(reply.content, limit=_MAX_ERROR_BYTES)
        except InvalidInput:
            data = None
        message, code = wire.server_message(data)
        if message is None:
            message = reply.content[:200].decode("utf-8", "replace").strip() or reply.reason
        return self._scrubbed(message), code

    def _pause(self, attempt: int, asked: float, what: str, error: str) -> None:
        settings = self._settings
        pause = min(settings.max_backoff, max(settings.backoff * 2 ** (attempt - 1), asked))
        log.warning(
            "%s: %s failed (%s); try %d of %d in %.2f s",
            self.name,
            what,
            error,
            attempt + 1,
            settings.attempts,
            pause,
        )
        self._sleep(pause)

    def _refusal(self, reply: _Reply) -> CareDomainError:
        status = reply.status
        message, _code = self._message(reply)
        if status < 400:
            message = Text(
                "a redirect, which the contract does not use: {message}", message=message
            )
        refusal = _REFUSALS.get(status)
        if refusal is not None:
            return refusal(
                Text(
                    "{platform}: HTTP {status}: {message}",
                    platform=self.name,
                    status=status,
                    message=message,
                )
            )
        return InvalidInput(
            Text("HTTP {status}: {message}", status=status, message=message), source=self.name
        )
