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

Every request gets an answer, however malformed (:mod:`caredomain_penbase.reference.serving`), and a
body is read within the limits of :mod:`caredomain_penbase.bounded_json`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import cast
from urllib.parse import unquote

from attrs import evolve

from caredomain.clock import Clock, SystemClock
from caredomain.errors import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from caredomain.interventions.devices import (
    Device,
    DeviceId,
    LossKind,
    Outbound,
    PayloadKind,
    PhoneAction,
    Platform,
)
from caredomain.interventions.messaging import Message, MessageKind
from caredomain.interventions.model import Caregiver, CaregiverId, Client
from caredomain.interventions.phonebook import EmergencyNumber, check_emergency_numbers
from caredomain.interventions.platform import Acknowledgement, PhoneMessage, PlanningPush
from caredomain.text import Text
from caredomain.validation import member_of
from caredomain_penbase import bounded_json, wire, wire_messages, wire_planning
from caredomain_penbase.reference import serving
from caredomain_penbase.reference.phone import Phone, PhonePlanning, PhoneRefused
from caredomain_penbase.reference.serving import Answer, Request, error

__all__ = ["Answer", "PenbaseServer", "Phone", "PhonePlanning", "PhoneRefused"]

log = logging.getLogger(__name__)

OFFICE_USER = "penbase-office"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
_ACTIONS = {
    "punch": PhoneAction.CLOCK,
    "mileage": PhoneAction.VISIT_DATA,
    "expense": PhoneAction.VISIT_DATA,
    "comment": PhoneAction.VISIT_DATA,
    "report": PhoneAction.REPORT,
    "tasks-done": PhoneAction.REPORT,
    "message": PhoneAction.MESSAGE,
    "acknowledgement": PhoneAction.MESSAGE,
    "alarm": PhoneAction.ALARM,
    "request": PhoneAction.REQUESTS,
}


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


def _json_body(body: bytes) -> object:
    return bounded_json.read(body, limit=bounded_json.MAX_REQUEST_BYTES) if body else None


def _same_id(path_id: str, body_id: str, field: str) -> None:
    if path_id != body_id:
        raise InvalidInput(
            "the id of the body differs from the id of the URL", field=field, text=body_id
        )


Route = Callable[..., Answer]


class PenbaseServer:
    """The reference platform; see the module's documentation."""

    def __init__(self, office_token: str, *, clock: Clock | None = None) -> None:
        if not office_token.strip():
            raise InvalidInput(Text("an office token is required"), field="office_token")
        self._office = _digest(office_token)
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self.caregivers: dict[str, Caregiver] = {}
        self.clients: dict[str, Client] = {}
        self.plannings: dict[str, PlanningPush] = {}
        self.messages: dict[str, Message] = {}
        self.emergency_numbers: tuple[EmergencyNumber, ...] = ()
        self.devices: dict[str, Device] = {}
        self._tokens: dict[str, str] = {}
        self.inbound: list[tuple[int, wire.Json]] = []
        self._seen: dict[tuple[str, str], wire.Json] = {}
        self._replays: dict[str, tuple[str, Answer]] = {}
        self._failures: deque[tuple[int, float | None]] = deque()
        self._delays: deque[float] = deque()
        self.requests: list[tuple[str, str]] = []
        self._httpd: serving.HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._routes = self._route_table()

    # -- life --------------------------------------------------------------------------

    def start(self) -> PenbaseServer:
        self._httpd = serving.HttpServer(("127.0.0.1", 0), self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> PenbaseServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise CareDomainError(Text("the Penbase server is not started"))
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "stopped"
        return f"PenbaseServer({where!r}, office_token=***)"

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
            self._stopping.wait(delay)
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

    def _body(self, request: Request) -> wire.Fields:
        return wire.Fields(_json_body(request.body), "")

    # -- office endpoints --------------------------------------------------------------

    def _put_caregiver(self, request: Request, caregiver_id: str) -> Answer:
        caregiver = wire_planning.caregiver_from(self._body(request))
        _same_id(caregiver_id, caregiver.id, "id")
        self.caregivers[caregiver_id] = caregiver
        return Answer(200, {"id": caregiver_id, "held": True})

    def _delete_caregiver(self, request: Request, caregiver_id: str) -> Answer:
        if self.caregivers.pop(caregiver_id, None) is None:
            raise NotFound(f"no caregiver {caregiver_id!r}")
        self.plannings.pop(caregiver_id, None)
        return Answer(204)

    def _put_client(self, request: Request, client_id: str) -> Answer:
        client = wire_planning.client_from(self._body(request))
        _same_id(client_id, client.id, "id")
        self.clients[client_id] = client
        return Answer(200, {"id": client_id, "held": True})

    def _delete_client(self, request: Request, client_id: str) -> Answer:
        if self.clients.pop(client_id, None) is None:
            raise NotFound(f"no client {client_id!r}")
        return Answer(204)

    def _put_planning(self, request: Request, caregiver_id: str) -> Answer:
        planning = wire_planning.planning_from(self._body(request))
        _same_id(caregiver_id, planning.caregiver_id, "caregiver_id")
        self._held_caregiver(caregiver_id)
        for i, intervention in enumerate(planning.interventions):
            _same_id(caregiver_id, intervention.caregiver_id, f"interventions[{i}].caregiver_id")
        self.plannings[caregiver_id] = planning
        kind = PayloadKind.PLANNING_ALERT if planning.alert else PayloadKind.PLANNING
        payload = Outbound(f"planning-{caregiver_id}-{next(self._ids)}", kind)
        queued = self._queue(caregiver_id, payload, replaces="planning-")
        return Answer(200, {"caregiver_id": caregiver_id, "queued_for": queued})

    def _put_message(self, request: Request, message_id: str) -> Answer:
        message = wire_messages.message_from(self._body(request))
        _same_id(message_id, message.id, "id")
        if not message.from_office:
            raise InvalidInput("the office sends to-caregiver messages", field="direction")
        self._held_caregiver(message.caregiver_id)
        self.messages[message_id] = message
        if not message.blocking:
            self._delivered(message.caregiver_id, message_id)
            return Answer(200, {"id": message_id, "queued_for": []})
        queued = self._queue(message.caregiver_id, Outbound(message_id, PayloadKind.MESSAGE))
        return Answer(200, {"id": message_id, "queued_for": queued})

    def _put_emergency_numbers(self, request: Request) -> Answer:
        numbers = tuple(
            wire_messages.emergency_number_from(n) for n in self._body(request).objects("numbers")
        )
        check_emergency_numbers(numbers)
        self.emergency_numbers = numbers
        return Answer(200, {"count": len(numbers)})

    def _block(self, request: Request, device_id: str) -> Answer:
        reason = self._body(request).text("reason")
        device = self.devices.get(device_id)
        if device is None:
            raise NotFound(f"no device {device_id!r}")
        result = device.block(
            member_of(LossKind, reason, "reason"),
            by=OFFICE_USER,
            at=self._clock.now(),
            new_id=lambda: f"block-{next(self._ids)}",
        )
        self.devices[device_id] = result.device
        self._tokens = {d: i for d, i in self._tokens.items() if i != device_id}
        dropped = [item.payload_id for item in result.dropped]
        return Answer(200, {"device_id": device_id, "blocked": True, "dropped": dropped})

    def _get_inbound(self, request: Request) -> Answer:
        after = _cursor(request.query)
        limit = _limit(request.query)
        waiting = [(seq, item) for seq, item in self.inbound if seq > after]
        page = waiting[:limit]
        cursor = page[-1][0] if page else after
        items = [item for _, item in page]
        return Answer(200, {"cursor": str(cursor), "more": len(waiting) > limit, "items": items})

    # -- device endpoints --------------------------------------------------------------

    def _device_planning(self, request: Request, device_id: str) -> Answer:
        device = self.devices[device_id]
        device.require(PhoneAction.VIEW_PLANNING)
        planning = self.plannings.get(device.caregiver_id)
        if planning is None:
            raise NotFound(f"no planning for {device.caregiver_id!r}")
        pending = [i for i in device.outbox if i.payload_id.startswith("planning-")]
        alert = any(i.kind is PayloadKind.PLANNING_ALERT for i in pending)
        self.devices[device_id] = device.delivered(i.payload_id for i in pending)
        visited = {i.client_id for i in planning.interventions}
        clients = [
            wire_planning.client_json(c)
            for cid, c in sorted(self.clients.items())
            if cid in visited
        ]
        body = {**wire_planning.planning_json(planning), "alert": alert, "clients": clients}
        return Answer(200, body)

    def _device_messages(self, request: Request, device_id: str) -> Answer:
        device = self.devices[device_id]
        device.require(PhoneAction.MESSAGE)
        waiting = [
            self.messages[i.payload_id] for i in device.outbox if i.kind is PayloadKind.MESSAGE
        ]
        ordered = sorted(waiting, key=lambda m: (m.sent_at, m.id))
        return Answer(200, {"messages": [wire_messages.message_json(m) for m in ordered]})

    def _device_numbers(self, request: Request, device_id: str) -> Answer:
        self.devices[device_id].require(PhoneAction.EMERGENCY_NUMBERS)
        numbers = [wire_messages.emergency_number_json(n) for n in self.emergency_numbers]
        return Answer(200, {"numbers": numbers})

    def _device_item(self, request: Request, device_id: str) -> Answer:
        device = self.devices[device_id]
        data = _json_body(request.body)
        wire.Fields(data, "")  # a JSON object, or refused
        received_at = self._clock.now().isoformat()
        stamped: wire.Json = {**cast(wire.Json, data), "received_at": received_at}
        identifier, item = wire.parse_item(wire.Fields(stamped, ""))
        kind = wire.item_type(item)
        if item.caregiver_id != device.caregiver_id:
            raise Forbidden(f"the device {device_id!r} is not {item.caregiver_id!r}'s")
        action = _ACTIONS[kind]
        if isinstance(item, PhoneMessage) and item.kind is MessageKind.CALL_BACK:
            action = PhoneAction.CALL_BACK
        _require(device, action)
        known = self._seen.get((kind, identifier))
        if known is not None:
            return _duplicate(known, stamped, identifier)
        self._seen[(kind, identifier)] = stamped
        self.inbound.append((len(self.inbound) + 1, stamped))
        if isinstance(item, Acknowledgement):
            self._acknowledged(item)
        body = {"id": identifier, "duplicate": False, "received_at": received_at}
        return Answer(201, body)

    # -- state helpers -----------------------------------------------------------------

    def _held_caregiver(self, caregiver_id: str) -> None:
        if caregiver_id not in self.caregivers:
            raise NotFound(f"no caregiver {caregiver_id!r}: push the caregiver first")

    def _queue(self, caregiver_id: str, payload: Outbound, *, replaces: str = "") -> list[str]:
        queued = []
        for device_id, device in sorted(self.devices.items()):
            if device.caregiver_id != caregiver_id:
                continue
            old = [
                i.payload_id
                for i in device.outbox
                if replaces and i.payload_id.startswith(replaces)
            ]
            self.devices[device_id], added = device.delivered(old).enqueue([payload])
            if added:
                queued.append(device_id)
        return queued

    def _delivered(self, caregiver_id: str, payload_id: str) -> None:
        for device_id, device in self.devices.items():
            if device.caregiver_id == caregiver_id:
                self.devices[device_id] = device.delivered([payload_id])

    def _acknowledged(self, ack: Acknowledgement) -> None:
        message = self.messages.get(ack.message_id)
        if message is not None and message.caregiver_id == ack.caregiver_id:
            self.messages[ack.message_id] = evolve(
                message, read_at=message.read_at or ack.at, acknowledged_at=ack.at
            )
        self._delivered(ack.caregiver_id, ack.message_id)


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


def _duplicate(known: wire.Json, stamped: wire.Json, identifier: str) -> Answer:
    """The same item again is acknowledged once more; other content under its id is not."""
    if {**known, "received_at": None} != {**stamped, "received_at": None}:
        raise Conflict(f"item {identifier!r} was already received with other content")
    body = {"id": identifier, "duplicate": True, "received_at": known["received_at"]}
    return Answer(200, body)


def _require(device: Device, action: PhoneAction) -> None:
    try:
        device.require(action)
    except RuleViolation as refused:
        raise Forbidden(f"[{refused.code}] {refused.message}") from None


def _cursor(query: Mapping[str, list[str]]) -> int:
    raw = query.get("after", [""])[-1]
    if raw == "":
        return 0
    if not _whole(raw, digits=18):
        raise InvalidInput(
            "not a cursor this platform gave", field="after", text=bounded_json.excerpt(raw)
        )
    return int(raw)


def _limit(query: Mapping[str, list[str]]) -> int:
    raw = query.get("limit", [str(DEFAULT_LIMIT)])[-1]
    if not _whole(raw, digits=4) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(
            f"a limit is from 1 to {MAX_LIMIT}", field="limit", text=bounded_json.excerpt(raw)
        )
    return int(raw)


def _whole(raw: str, *, digits: int) -> bool:
    """Plain ASCII digits, and few: ``isdigit`` alone lets "²" through, which ``int``
    refuses, and ``int`` refuses more than 4,300 digits."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits
