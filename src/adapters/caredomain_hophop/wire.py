"""The JSON of the HopHop contract (``docs/hophop.md``), written and read.

Outbound, what the client sends: the account link, the roster push (a
:class:`~caredomain.pickup.sync.SyncDiff`), "ready", the activation e-mail again — and, for
the reference server, the same read back. Inbound, the webhooks' events: an announcement, a
GPS update, a cancellation, a photo change.

Everything from the other side of the wire is read within bounds by :func:`read_json` and
checked field by field: a problem is one :class:`~caredomain.errors.InvalidInput` whose
``field`` is the path of the offending value (``data.children[1].reference``). Unknown keys
are ignored, so that HopHop may add fields without breaking the receiver.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from caredomain.errors import InvalidInput, offending
from caredomain.geo import GeoPoint
from caredomain.pickup.model import HopHopAccount, LinkProblem
from caredomain.pickup.pickups import Pickup
from caredomain.pickup.services.arrivals import AnnouncedChild
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.text import Text
from caredomain_http import bounded_json

__all__ = [
    "ANNOUNCED",
    "CANCELLED",
    "EVENT_TYPES",
    "MAX_ANSWER_BYTES",
    "MAX_DEPTH",
    "PHOTO_CHANGED",
    "POSITION",
    "Announced",
    "Cancelled",
    "Gps",
    "InboundEvent",
    "PhotoChanged",
    "PositionUpdated",
    "Reader",
    "activation_json",
    "diff_from",
    "diff_json",
    "error_json",
    "event_from",
    "link_json",
    "link_result",
    "read_json",
    "ready_json",
    "server_message",
    "synced_child_json",
]

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The largest answer the client reads: 4 MiB (the contract's answers are a few lines)."""
MAX_DEPTH = 16
"""Arrays and objects nested at most this deep."""

ANNOUNCED = "pickup.announced"
POSITION = "position.updated"
CANCELLED = "pickup.cancelled"
PHOTO_CHANGED = "photo.changed"
EVENT_TYPES = (ANNOUNCED, POSITION, CANCELLED, PHOTO_CHANGED)

_LINK_RESULTS: dict[str, LinkProblem | None] = {
    "ok": None,
    "bad-credentials": LinkProblem.BAD_CREDENTIALS,
    "email-taken": LinkProblem.EMAIL_TAKEN,
}
_MAX_TRAVEL = timedelta(hours=24)
_CALENDAR_MARGIN = timedelta(days=3)


# -- reading JSON within bounds ---------------------------------------------------------


def read_json(body: bytes, *, limit: int, where: str = "body") -> object:
    """The JSON value of ``body``, read within ``limit`` bytes and HopHop's bounds by the
    adapters' one bounded reader (:func:`caredomain_http.bounded_json.read`), or
    :class:`InvalidInput` naming ``where`` or the path of the value at fault: not UTF-8, not
    JSON, nested deeper than :data:`MAX_DEPTH` (counted before parsing), or holding a number
    that is absurdly long or not finite, or text holding a lone surrogate."""
    return bounded_json.read(body, limit=limit, depth=MAX_DEPTH, where=where)


class Reader:
    """Typed reading of one JSON object at ``path``, a value :func:`read_json` read (which
    refused every lone surrogate already); every refusal names the field's path."""

    def __init__(self, value: object, path: str = "") -> None:
        if not isinstance(value, dict):
            raise InvalidInput(Text("expected a JSON object"), field=path or "body")
        self._value: dict[str, Any] = value
        self.path = path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return self._value.get(key) is not None

    def raw(self, key: str) -> object:
        if key not in self._value or self._value[key] is None:
            raise InvalidInput(Text("required"), field=self.at(key))
        return self._value[key]

    def text(self, key: str, *, most: int = 200) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(Text("expected non-blank text"), field=self.at(key))
        if len(value) > most:
            raise InvalidInput(Text("longer than {most} characters", most=most), field=self.at(key))
        return value

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise InvalidInput(Text("expected true or false"), field=self.at(key))
        return value

    def number(self, key: str) -> float:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(Text("expected a number"), field=self.at(key))
        return float(value)

    def instant(self, key: str) -> datetime:
        text = self.text(key, most=40)
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                Text("expected an ISO 8601 date and time"), field=self.at(key), text=text
            ) from None
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(
                Text("expected a date and time with its UTC offset"), field=self.at(key), text=text
            )
        try:
            utc = value.astimezone(UTC)
        except OverflowError:
            raise InvalidInput(
                Text("a time that cannot be told in UTC"), field=self.at(key), text=text
            ) from None
        try:  # room for a trip (a day at most) and any zone's wall clock
            utc - _CALENDAR_MARGIN, utc + _CALENDAR_MARGIN
        except OverflowError:
            raise InvalidInput(
                Text("a time too close to the ends of the calendar"), field=self.at(key), text=text
            ) from None
        return value

    def nested(self, key: str) -> Reader:
        return Reader(self.raw(key), self.at(key))

    def items(self, key: str, *, most: int = 1000) -> list[tuple[str, object]]:
        """The array at ``key`` with each item's path."""
        value = self.raw(key)
        if not isinstance(value, list):
            raise InvalidInput(Text("expected an array"), field=self.at(key))
        if len(value) > most:
            raise InvalidInput(Text("more than {most} items", most=most), field=self.at(key))
        return [(f"{self.at(key)}[{i}]", item) for i, item in enumerate(value)]


# -- outbound ------------------------------------------------------------------------------


def link_json(account: HopHopAccount, *, create: bool) -> dict[str, Any]:
    """The body of ``POST v1/accounts/link`` (the password travels in a header)."""
    return {"email": account.email, "installation": account.installation, "create": create}


def link_result(data: object) -> LinkProblem | None:
    """HopHop's answer to a link: ``None`` (green), or why it is red."""
    result = Reader(data).text("result", most=40)
    if result not in _LINK_RESULTS:
        raise InvalidInput(
            Text("expected one of {known}", known=", ".join(_LINK_RESULTS)),
            field="result",
            text=result,
        )
    return _LINK_RESULTS[result]


def _parent_json(parent: SyncedParent) -> dict[str, Any]:
    return {"last_name": parent.last_name, "first_name": parent.first_name, "email": parent.email}


def synced_child_json(child: SyncedChild) -> dict[str, Any]:
    """A record of the roster: exactly the seed's fields, and the reference."""
    return {
        "reference": child.reference,
        "last_name": child.last_name,
        "first_name": child.first_name,
        "daycare": child.daycare,
        "installation": child.installation,
        "agreement_active": child.agreement_active,
        "parents": [_parent_json(parent) for parent in child.parents],
    }


def diff_json(diff: SyncDiff) -> dict[str, Any]:
    """The body of ``POST v1/accounts/{email}/roster``."""
    return {
        "added": [synced_child_json(child) for child in diff.added],
        "changed": [synced_child_json(child) for child in diff.changed],
        "removed": list(diff.removed),
    }


def ready_json(pickup: Pickup) -> dict[str, Any]:
    """The body of ``POST v1/accounts/{email}/ready``: the pickup, the announcement (the
    webhook event's id) it came from, and the child's reference."""
    suffix = f":{pickup.child}"
    announcement = pickup.id[: -len(suffix)] if pickup.id.endswith(suffix) else pickup.id
    return {"pickup": pickup.id, "announcement": announcement, "child": pickup.child}


def activation_json(parent: SyncedParent) -> dict[str, Any]:
    """The body of ``POST v1/accounts/{email}/activation-emails``."""
    return {"parent": _parent_json(parent)}


# -- outbound, read back by the reference server ---------------------------------------


def _parent_from(value: object, path: str) -> SyncedParent:
    read = Reader(value, path)
    return SyncedParent(read.text("last_name"), read.text("first_name"), read.text("email"))


def _child_from(value: object, path: str) -> SyncedChild:
    read = Reader(value, path)
    return SyncedChild(
        reference=read.text("reference"),
        last_name=read.text("last_name"),
        first_name=read.text("first_name"),
        daycare=read.text("daycare"),
        installation=read.text("installation"),
        agreement_active=read.boolean("agreement_active"),
        parents=tuple(_parent_from(item, at) for at, item in read.items("parents", most=20)),
    )


def diff_from(data: object) -> SyncDiff:
    """A roster push, read back."""
    read = Reader(data)
    removed = [_reference(item, at) for at, item in read.items("removed", most=100_000)]
    return SyncDiff(
        added=tuple(_child_from(item, at) for at, item in read.items("added", most=100_000)),
        changed=tuple(_child_from(item, at) for at, item in read.items("changed", most=100_000)),
        removed=tuple(removed),
    )


# -- inbound: the webhooks' events ------------------------------------------------------


@frozen
class Gps:
    """Where the parent is, and how long her trip has left."""

    position: GeoPoint
    travel: timedelta


@frozen
class Announced:
    id: str
    at: datetime
    parent_email: str
    children: tuple[AnnouncedChild, ...]
    arrival: datetime | None
    gps: Gps | None


@frozen
class PositionUpdated:
    id: str
    at: datetime
    parent_email: str
    gps: Gps


@frozen
class Cancelled:
    id: str
    at: datetime
    parent_email: str


@frozen
class PhotoChanged:
    id: str
    at: datetime
    parent_email: str
    children: tuple[str, ...]


InboundEvent = Announced | PositionUpdated | Cancelled | PhotoChanged


def _gps(read: Reader) -> Gps:
    latitude, longitude = read.number("latitude"), read.number("longitude")
    try:
        position = GeoPoint(latitude, longitude)
    except InvalidInput as error:
        where = read.at(error.field or "latitude")
        raise InvalidInput(error.message, field=where, text=error.text) from None
    seconds = read.number("travel_seconds")
    if not 0 <= seconds <= _MAX_TRAVEL.total_seconds():
        raise InvalidInput(
            Text("expected seconds from 0 to {most:g}", most=_MAX_TRAVEL.total_seconds()),
            field=read.at("travel_seconds"),
        )
    return Gps(position, timedelta(seconds=seconds))


def _email(read: Reader) -> str:
    parent = read.nested("parent")
    email = parent.text("email")
    if "@" not in email or any(c.isspace() or not c.isprintable() for c in email):
        raise InvalidInput(
            Text("expected an e-mail address"), field=parent.at("email"), text=offending(email)
        )
    return email


def _reference(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput(Text("expected non-blank text"), field=path)
    return value


def event_from(data: object) -> InboundEvent:
    """One webhook event, checked whole: any problem refuses it, naming the field."""
    read = Reader(data)
    event_id = read.text("id", most=200)
    kind = read.text("type", most=40)
    if kind not in EVENT_TYPES:
        raise InvalidInput(
            Text("expected one of {known}", known=", ".join(EVENT_TYPES)),
            field="type",
            text=kind,
        )
    at = read.instant("occurred_at")
    body = read.nested("data")
    email = _email(body)
    if kind == ANNOUNCED:
        children = []
        for path, item in body.items("children", most=20):
            child = Reader(item, path)
            children.append(
                AnnouncedChild(
                    child.text("reference"), child.text("first_name"), child.text("last_name")
                )
            )
        if not children:
            raise InvalidInput(Text("at least one child"), field=body.at("children"))
        if body.has("arrival") == body.has("gps"):
            raise InvalidInput(
                Text("expected either arrival (an estimated time) or gps"),
                field=body.at("arrival"),
            )
        arrival = body.instant("arrival") if body.has("arrival") else None
        gps = _gps(body.nested("gps")) if body.has("gps") else None
        return Announced(event_id, at, email, tuple(children), arrival, gps)
    if kind == POSITION:
        return PositionUpdated(event_id, at, email, _gps(body.nested("gps")))
    if kind == CANCELLED:
        return Cancelled(event_id, at, email)
    references = tuple(_reference(item, path) for path, item in body.items("children", most=20))
    if not references:
        raise InvalidInput(Text("at least one child"), field=body.at("children"))
    return PhotoChanged(event_id, at, email, references)


def error_json(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    """The ``{"error": {"code", "message", "field"}}`` body of every refusal."""
    content: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        content["field"] = field
    return {"error": content}


def server_message(data: object) -> tuple[str | None, str | None]:
    """The message and code of an ``{"error": {...}}`` answer, cut short."""
    if not isinstance(data, Mapping):
        return None, None
    error = data.get("error")
    if not isinstance(error, Mapping):
        return None, None
    message, code = error.get("message"), error.get("code")
    return (
        message[:200] if isinstance(message, str) else None,
        code[:60] if isinstance(code, str) else None,
    )
