"""A reference Penbase platform on the standard library, for tests, demos and examples.

:class:`PenbaseServer` implements the contract of ``docs/penbase.md`` over real HTTP on
127.0.0.1 (a free port), in memory::

    with PenbaseServer(office_token="office-secret") as server:
        client = PenbaseClient.from_settings({"url": server.url, "token": "office-secret"})
        server.enrol("phone-1", "cg-1", token="device-token-of-16+chars")
        phone = server.phone("device-token-of-16+chars")
        phone.planning()

Devices are the domain's :class:`~caredomain.interventions.devices.Device`: the server
keeps only their token's digest, queues what each phone may receive (nothing for a blocked
one, no message for an iPhone), and blocking drops the queue and refuses the token at once.
Inbound items are kept once per ``(type, id)``. :meth:`PenbaseServer.fail_next` and
:meth:`PenbaseServer.delay_next` inject faults.

This module serves: the HTTP life of the server, the faults to inject, the routing and the
credentials. What the platform holds is in :mod:`caredomain_penbase.reference.state`, its
office endpoints in :mod:`caredomain_penbase.reference.office` and its device endpoints in
:mod:`caredomain_penbase.reference.device`.

Every request gets an answer, however malformed (:mod:`caredomain_penbase.reference.serving`), and a
body is read within the limits of :mod:`caredomain_penbase.limits`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from http.server import HTTPServer
from urllib.parse import unquote

from attrs import evolve

from caredomain.clock import Clock
from caredomain.errors import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from caredomain.interventions.devices import Device, DeviceId, Platform
from caredomain.interventions.model import CaregiverId
from caredomain.text import Text
from caredomain_http.loopback import LoopbackServer
from caredomain_penbase.reference import serving
from caredomain_penbase.reference.device import DeviceEndpoints
from caredomain_penbase.reference.office import OfficeEndpoints
from caredomain_penbase.reference.phone import Phone, PhonePlanning, PhoneRefused
from caredomain_penbase.reference.serving import Answer, Request, error

__all__ = ["Answer", "PenbaseServer", "Phone", "PhonePlanning", "PhoneRefused"]

log = logging.getLogger(__name__)


class _Refused(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__(answer.status)
        self.answer = answer


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bearer(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _Refused(error(401, "an Authorization: Bearer token is required"))
    return token.strip()


Route = Callable[..., Answer]


class PenbaseServer(LoopbackServer, OfficeEndpoints, DeviceEndpoints):
    """The reference platform; see the module's documentation."""

    secret_name = "office_token"

    def __init__(self, office_token: str, *, clock: Clock | None = None) -> None:
        if not office_token.strip():
            raise InvalidInput(Text("an office token is required"), field="office_token")
        self._office = _digest(office_token)
        super().__init__(clock=clock)
        self._lock = threading.RLock()
        self._stopping_now = threading.Event()
        self._replays: dict[str, tuple[str, Answer]] = {}
        self._failures: deque[tuple[int, float | None]] = deque()
        self._delays: deque[float] = deque()
        self.requests: list[tuple[str, str]] = []
        self._routes = self._route_table()

    # -- life --------------------------------------------------------------------------

    def _http_server(self, address: tuple[str, int]) -> HTTPServer:
        return serving.HttpServer(address, self)

    def _not_started(self) -> Exception:
        return CareDomainError(Text("the Penbase server is not started"))

    def _stopping(self) -> None:
        self._stopping_now.set()

    # -- test controls -----------------------------------------------------------------

    def enrol(
        self,
        device_id: str,
        caregiver_id: str,
        *,
        token: str,
        platform: Platform | str = Platform.ANDROID,
        android_version: int | None = None,
    ) -> Device:
        """A phone activated for ``caregiver_id`` with its access ``token``."""
        device = Device.enrol(
            DeviceId(device_id),
            CaregiverId(caregiver_id),
            Platform(platform),
            token=token,
            android_version=android_version,
        )
        with self._lock:
            if device_id in self.devices:
                raise Conflict(Text("device {device} is enrolled already", device=repr(device_id)))
            self.devices[device_id] = device
            self._tokens[_digest(token)] = device_id
        return device

    def phone(self, token: str, *, timeout: float = 5.0) -> Phone:
        """A phone talking to this server's device endpoints with ``token``."""
        return Phone(self.url, token, timeout=timeout)

    def queued(self, device_id: str) -> tuple[str, ...]:
        """The payload ids waiting to be sent to the device."""
        with self._lock:
            return tuple(item.payload_id for item in self.devices[device_id].outbox)

    def fail_next(self, count: int, status: int = 503, *, retry_after: float | None = None) -> None:
        """The next ``count`` requests are answered ``status`` (with ``Retry-After``)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    def delay_next(self, seconds: float, times: int = 1) -> None:
        """The next ``times`` requests wait ``seconds`` before being served (stopping the
        server ends the wait)."""
        with self._lock:
            self._delays.extend([seconds] * times)

    # -- serving -----------------------------------------------------------------------

    def handle(self, request: Request) -> Answer:
        """One request, faults first; errors become ``{"error": {...}}`` answers."""
        with self._lock:
            self.requests.append((request.method, request.path))
            delay = self._delays.popleft() if self._delays else 0.0
            failure = self._failures.popleft() if self._failures else None
        if delay:
            self._stopping_now.wait(delay)
        if failure is not None:
            status, retry_after = failure
            answer = error(status, "injected fault", code="unavailable")
            headers = (("Retry-After", f"{retry_after:g}"),) if retry_after is not None else ()
            return evolve(answer, headers=headers)
        try:
            route, scope, args = self._match(request)
            with self._lock:
                return self._call(route, scope, request, args)
        except _Refused as refused:
            return refused.answer
        except CareDomainError as refused:
            return _refusal(refused)

    def _route_table(self) -> list[tuple[str, re.Pattern[str], str, Route]]:
        table: list[tuple[str, str, str, Route]] = [
            ("PUT", r"v1/caregivers/([^/]+)", "office", self._put_caregiver),
            ("DELETE", r"v1/caregivers/([^/]+)", "office", self._delete_caregiver),
            ("PUT", r"v1/clients/([^/]+)", "office", self._put_client),
            ("DELETE", r"v1/clients/([^/]+)", "office", self._delete_client),
            ("PUT", r"v1/plannings/([^/]+)", "office", self._put_planning),
            ("PUT", r"v1/messages/([^/]+)", "office", self._put_message),
            ("PUT", r"v1/emergency-numbers", "office", self._put_emergency_numbers),
            ("POST", r"v1/devices/([^/]+)/block", "office", self._block),
            ("GET", r"v1/inbound", "office", self._get_inbound),
            ("GET", r"v1/device/planning", "device", self._device_planning),
            ("GET", r"v1/device/messages", "device", self._device_messages),
            ("GET", r"v1/device/emergency-numbers", "device", self._device_numbers),
            ("POST", r"v1/device/items", "device", self._device_item),
        ]
        return [(m, re.compile(p), scope, route) for m, p, scope, route in table]

    def _match(self, request: Request) -> tuple[Route, str, tuple[str, ...]]:
        path = request.path.strip("/")
        allowed = False
        for method, pattern, scope, route in self._routes:
            found = pattern.fullmatch(path)
            if found is not None:
                allowed = True
                if method == request.method:
                    return route, scope, tuple(unquote(group) for group in found.groups())
        if allowed:
            raise _Refused(error(405, f"{request.method} is not allowed here", code="method"))
        raise _Refused(error(404, f"no such endpoint: /{path}"))

    def _call(self, route: Route, scope: str, request: Request, args: tuple[str, ...]) -> Answer:
        key = request.headers.get("idempotency-key")
        credential = self._office_check(request) if scope == "office" else self._device(request)
        replay = f"{scope}:{credential}:{key}" if key and request.method == "POST" else None
        body = hashlib.sha256(request.body).hexdigest()
        if replay is not None and replay in self._replays:
            return _replayed(self._replays[replay], body)
        answer = route(request, *args) if scope == "office" else route(request, credential, *args)
        if replay is not None and answer.status < 300:
            self._replays[replay] = (body, answer)
        return answer

    def _office_check(self, request: Request) -> str:
        if not hmac.compare_digest(_digest(_bearer(request.headers)), self._office):
            raise _Refused(error(401, "unknown office token"))
        return "office"

    def _device(self, request: Request) -> str:
        token = _bearer(request.headers)
        device_id = self._tokens.get(_digest(token))
        try:
            if device_id is None:
                raise Forbidden("unknown or blocked device")
            self.devices[device_id].authenticate(token)
        except Forbidden:
            raise _Refused(error(401, "unknown or blocked device")) from None
        return device_id


def _refusal(refused: CareDomainError) -> Answer:
    """The answer for an error of the domain or of the wire."""
    match refused:
        case InvalidInput():
            return error(400, str(refused), field=refused.field)
        case RuleViolation():
            return error(422, refused.message, code=refused.code)
        case Forbidden():
            return error(403, str(refused))
        case NotFound():
            return error(404, str(refused))
        case Conflict():
            return error(409, str(refused), code="conflict")
        case _:
            return error(500, str(refused), code="internal")


def _replayed(first: tuple[str, Answer], body: str) -> Answer:
    """The first answer to a key again, marked as such; another body under it is refused."""
    digest, answer = first
    if digest != body:
        raise Conflict("this Idempotency-Key was used with another body")
    return evolve(answer, headers=(*answer.headers, ("Idempotent-Replayed", "true")))
