"""The office side of Penbase: :class:`PenbaseClient`, a
:class:`~caredomain.interventions.platform.MobilePlatform` over HTTP (``docs/penbase.md``).

Every request is retried on 5xx, 429, timeouts and connection errors, pausing ``backoff``
seconds and twice as long at each try (at most ``max_backoff``, or the server's
``Retry-After`` when it is longer, up to the same cap); after ``attempts`` tries the client
gives up with :class:`PenbaseUnavailable` naming the platform and the last error. Any other
4xx is not retried: 401 and 403 raise :class:`~caredomain.errors.Forbidden`, 404
:class:`~caredomain.errors.NotFound`, 409 :class:`~caredomain.errors.Conflict`, the rest
:class:`~caredomain.errors.InvalidInput`, each with the server's message. Retrying is
safe: PUT and DELETE are idempotent by nature, and a POST carries an ``Idempotency-Key``.

The office token travels only in the ``Authorization`` header: never in a URL (which
httpx logs), a repr, a log line or an error.

:meth:`PenbaseClient.pull` follows the pages until the server says no more is waiting, and
returns everything at once with the last cursor; a bad item on any page refuses the whole
pull (nothing is returned, the cursor does not move). It follows at most ``max_pages``
pages: past them it returns what it read, with the cursor of the last page read, and logs
a WARNING that more is waiting; the next pull goes on from there.

An answer is read within bounds (:mod:`caredomain_penbase.bounded_json`): larger than
:data:`~caredomain_penbase.bounded_json.MAX_ANSWER_BYTES`, not UTF-8, not JSON, nested too
deep, with an absurd number, a malformed page or a redirect, it is an
:class:`~caredomain.errors.InvalidInput` whose ``source`` is the platform; nothing else
than a :class:`~caredomain.errors.CareDomainError` leaves the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from attrs import frozen

from caredomain.__about__ import __version__
from caredomain.errors import CareDomainError, Conflict, Forbidden, InvalidInput, NotFound
from caredomain.interventions.devices import DeviceId, LossKind
from caredomain.interventions.messaging import Message
from caredomain.interventions.model import Caregiver, CaregiverId, Client
from caredomain.interventions.phonebook import EmergencyNumber, check_emergency_numbers
from caredomain.interventions.platform import Inbound, PlanningPush
from caredomain.secret import scrub
from caredomain.text import Text, counted
from caredomain.validation import member_of
from caredomain_penbase import bounded_json, wire, wire_messages, wire_planning
from caredomain_penbase.settings import PenbaseSettings, Secret, shown_url

__all__ = ["PenbaseClient", "PenbaseUnavailable"]

log = logging.getLogger(__name__)

_TOO_MANY_REQUESTS = 429
_MAX_ERROR_BYTES = 64 * 1024  # a longer error body is shown as text, not parsed
_NOT_FOUND = 404
_REFUSALS: dict[int, Callable[[str], CareDomainError]] = {
    401: Forbidden,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
}


class PenbaseUnavailable(CareDomainError):
    """The platform did not answer, or kept failing, through every try."""

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


def _transient(status: int) -> bool:
    return status == _TOO_MANY_REQUESTS or status >= 500


@frozen
class _Reply:
    """An answer read whole, within :data:`~caredomain_penbase.bounded_json.MAX_ANSWER_BYTES`."""

    status: int
    reason: str
    headers: httpx.Headers
    content: bytes


def _server_message(reply: _Reply) -> tuple[str, str | None]:
    """The server's message and the field it names, from ``{"error": {...}}`` or the text;
    both cut short, since they end up in an error message."""
    try:
        data = bounded_json.read(reply.content, limit=_MAX_ERROR_BYTES)
    except InvalidInput:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        text = reply.content[:200].decode("utf-8", "replace").strip()
        return text or reply.reason, None
    message = error.get("message")
    field = error.get("field")
    shown = str(message)[:200] if isinstance(message, str) and message else reply.reason
    return shown, field[:200] if isinstance(field, str) else None


def _retry_after(reply: _Reply) -> float:
    try:
        return max(0.0, float(reply.headers.get("Retry-After", "0")[:32]))
    except ValueError:
        return 0.0


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class PenbaseClient:
    """Pushes to and pulls from a Penbase platform; see the module's documentation."""

    def __init__(
        self,
        settings: PenbaseSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._sleep = sleep
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
    ) -> PenbaseClient:
        """A client from text settings (see :mod:`caredomain_penbase.settings`)."""
        return cls(PenbaseSettings.from_mapping(settings, environ))

    @property
    def name(self) -> str:
        return f"penbase {shown_url(self._settings.url)}"

    @property
    def settings(self) -> PenbaseSettings:
        return self._settings

    def __repr__(self) -> str:
        return f"PenbaseClient({shown_url(self._settings.url)!r}, token=***)"

    __str__ = __repr__

    def __enter__(self) -> PenbaseClient:
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

    # -- the MobilePlatform port -------------------------------------------------------

    def push_caregivers(self, caregivers: Sequence[Caregiver]) -> frozenset[CaregiverId]:
        for caregiver in caregivers:
            self._request(
                "PUT",
                _path("v1", "caregivers", caregiver.id),
                wire_planning.caregiver_json(caregiver),
            )
        return frozenset(caregiver.id for caregiver in caregivers)

    def push_clients(self, clients: Sequence[Client]) -> frozenset[str]:
        for client in clients:
            self._request(
                "PUT", _path("v1", "clients", client.id), wire_planning.client_json(client)
            )
        return frozenset(client.id for client in clients)

    def withdraw(self, caregivers: Sequence[CaregiverId], clients: Sequence[str]) -> None:
        """DELETE each; one the platform no longer holds (404) is withdrawn already."""
        for kind, ids in (("caregivers", caregivers), ("clients", clients)):
            for identifier in ids:
                self._request("DELETE", _path("v1", kind, identifier), missing_ok=True)

    def push_planning(self, planning: PlanningPush) -> None:
        path = _path("v1", "plannings", planning.caregiver_id)
        self._request("PUT", path, wire_planning.planning_json(planning))

    def push_messages(self, messages: Sequence[Message]) -> None:
        for message in messages:
            if not message.from_office:
                raise InvalidInput(
                    Text("only office messages go to the phones"),
                    field="direction",
                    text=message.id,
                )
        for message in messages:
            self._request(
                "PUT", _path("v1", "messages", message.id), wire_messages.message_json(message)
            )

    def push_emergency_numbers(self, numbers: Sequence[EmergencyNumber]) -> None:
        check_emergency_numbers(tuple(numbers))
        body = {"numbers": [wire_messages.emergency_number_json(number) for number in numbers]}
        self._request("PUT", "v1/emergency-numbers", body)

    def block_device(self, device_id: DeviceId, reason: LossKind) -> None:
        loss = member_of(LossKind, reason, "reason")
        self._request(
            "POST",
            _path("v1", "devices", device_id, "block"),
            {"reason": str(loss)},
            headers={"Idempotency-Key": f"block-{device_id}"},
        )

    def pull(self, cursor: str | None = None) -> Inbound:
        """Every page after ``cursor`` until the server has no more, at most ``max_pages``
        of them; see the module."""
        items: list[wire.InboundItem] = []
        for _ in range(self._settings.max_pages):
            page = self._page(cursor)
            items.extend(page.items)
            if not page.more:
                return wire.inbound(page.cursor, items)
            if page.cursor == cursor:
                raise InvalidInput(
                    Text("more items, but the cursor did not move"),
                    source=self.name,
                    field="cursor",
                )
            cursor = page.cursor
        log.warning(
            "%s: stopped after %d pages (max_pages) with more items waiting; "
            "the next pull goes on from there",
            self.name,
            self._settings.max_pages,
        )
        return wire.inbound(page.cursor, items)

    # -- HTTP --------------------------------------------------------------------------

    def _page(self, cursor: str | None) -> wire.Page:
        params = {"limit": str(self._settings.page_size)}
        if cursor is not None:
            params["after"] = cursor
        reply = self._request("GET", "v1/inbound", params=params)
        try:
            data = bounded_json.read(reply.content, limit=bounded_json.MAX_ANSWER_BYTES)
            return wire.page_from(data)
        except InvalidInput as error:
            raise error.located(source=self.name) from None

    def _request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        missing_ok: bool = False,
    ) -> _Reply:
        attempts = self._settings.attempts
        last: str = ""
        for attempt in range(1, attempts + 1):
            wait = 0.0
            try:
                reply = self._send(method, path, body, params=params, headers=headers)
            except httpx.TimeoutException:
                last = Text("no answer within {timeout:g} s", timeout=self._settings.timeout)
            except httpx.RequestError as error:
                last = Text(
                    "unreachable ({kind}: {error})", kind=type(error).__name__, error=str(error)
                )
            else:
                status = reply.status
                if status < 300 or (missing_ok and status == _NOT_FOUND):
                    return reply
                if not _transient(status):
                    raise self._refusal(reply) from None
                last = f"HTTP {status}: {self._scrubbed(_server_message(reply)[0])}"
                wait = _retry_after(reply)
            if attempt < attempts:
                self._pause(attempt, wait, f"{method} /{path}", last)
        raise PenbaseUnavailable(self.name, attempts, last)

    def _send(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
    ) -> _Reply:
        """One exchange, its answer read up to the bound (a larger one is refused)."""
        request = self._http.build_request(method, path, json=body, params=params, headers=headers)
        response = self._http.send(request, stream=True)
        try:
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > bounded_json.MAX_ANSWER_BYTES:
                    raise InvalidInput(
                        Text(
                            "an answer larger than {limit} bytes",
                            limit=bounded_json.MAX_ANSWER_BYTES,
                        ),
                        source=self.name,
                        field=f"{method} /{path}",
                    )
        finally:
            response.close()
        reason = response.reason_phrase[:200]
        return _Reply(response.status_code, reason, response.headers, bytes(content))

    def _scrubbed(self, text: str) -> str:
        """A server's text without the office token, should the server echo the request."""
        return scrub(text, (self._settings.token,))

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
        shown, field = _server_message(reply)
        message = self._scrubbed(shown)
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
            Text("HTTP {status}: {message}", status=status, message=message),
            source=self.name,
            field=field,
        )
