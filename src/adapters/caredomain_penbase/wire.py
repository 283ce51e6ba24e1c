"""The Penbase wire format: domain objects to JSON and back (see ``docs/penbase.md``).

Writing never fails for a valid domain object. Reading (with
:class:`~caredomain_penbase.fields.Fields`) checks every field before any object is built:
a missing field, a wrong type, a naive or malformed time, or a value the domain refuses is
one :class:`~caredomain.errors.InvalidInput` whose ``field`` is the path of the problem
(``items[3].device_time``, ``items[0].gps.latitude``). A page of inbound items is read
whole or not at all. Unknown fields are ignored; an unknown item ``type`` is refused.

This module holds what the phones send — the items a phone posts (punches, visit entries,
messages, acknowledgements, alarm signals, requests) and the pages the office pulls them
in — and how a time and a place are written; what the office pushes is in
:mod:`~caredomain_penbase.wire_planning` (caregivers, clients, plannings) and
:mod:`~caredomain_penbase.wire_messages` (messages, emergency numbers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from attrs import frozen

from caredomain.errors import InvalidInput, offending
from caredomain.geo import GeoPoint
from caredomain.interventions.alarm import AlarmId
from caredomain.interventions.messaging import MessageId
from caredomain.interventions.model import CaregiverId, GpsFix, Punch, utc
from caredomain.interventions.platform import Acknowledgement, AlarmSignal, Inbound, PhoneMessage
from caredomain.interventions.staff_requests import StaffRequest
from caredomain.interventions.visit_data import (
    Comment,
    Expense,
    Mileage,
    Report,
    TasksDone,
    VisitEntry,
)
from caredomain.text import Text
from caredomain_penbase.fields import Fields

__all__ = [
    "ITEM_TYPES",
    "MAX_CURSOR_CHARS",
    "Fields",
    "InboundItem",
    "Json",
    "Page",
    "inbound",
    "item_id",
    "item_json",
    "item_type",
    "moment_json",
    "optional_moment_json",
    "page_from",
    "parse_item",
    "point_from",
    "point_json",
]

Json = dict[str, Any]
MAX_CURSOR_CHARS = 200
"""The longest cursor a page may give (the client stores it and sends it back)."""
InboundItem = Punch | VisitEntry | PhoneMessage | Acknowledgement | AlarmSignal | StaffRequest


def moment_json(value: datetime) -> str:
    """A time as the wire writes it: ISO 8601, in UTC."""
    return utc(value).isoformat()


def optional_moment_json(value: datetime | None) -> str | None:
    """A time as the wire writes it, or ``None``."""
    return None if value is None else moment_json(value)


def point_json(point: GeoPoint) -> Json:
    """A place as the wire writes it: its latitude and longitude."""
    return {"latitude": point.latitude, "longitude": point.longitude}


def point_from(fields: Fields) -> GeoPoint:
    return fields.build(
        GeoPoint, latitude=fields.number("latitude"), longitude=fields.number("longitude")
    )


# -- phones → platform → office ------------------------------------------------------


def _gps_json(gps: GpsFix | None) -> Json | None:
    if gps is None:
        return None
    return {
        **point_json(gps.point),
        "accuracy_m": gps.accuracy_m,
        "taken_at": moment_json(gps.taken_at),
    }


def _gps_from(fields: Fields | None) -> GpsFix | None:
    if fields is None:
        return None
    return fields.build(
        GpsFix,
        point=point_from(fields),
        accuracy_m=fields.number("accuracy_m"),
        taken_at=fields.moment("taken_at"),
    )


def _punch_json(punch: Punch) -> Json:
    return {
        "caregiver_id": punch.caregiver_id,
        "intervention_id": punch.intervention_id,
        "kind": str(punch.kind),
        "method": str(punch.method),
        "device_time": moment_json(punch.device_time),
        "badge": punch.badge,
        "gps": _gps_json(punch.gps),
        "offline": punch.offline,
        "reason": punch.reason,
    }


def _punch_from(fields: Fields, received_at: datetime) -> Punch:
    return fields.build(
        Punch,
        id=fields.text("id"),
        caregiver_id=fields.text("caregiver_id"),
        intervention_id=fields.text("intervention_id"),
        kind=fields.text("kind"),
        method=fields.text("method"),
        device_time=fields.moment("device_time"),
        received_at=received_at,
        badge=fields.optional_text("badge"),
        gps=_gps_from(fields.optional_obj("gps")),
        offline=fields.flag("offline"),
        reason=fields.optional_text("reason"),
    )


def _entry_json(entry: VisitEntry) -> Json:
    common: Json = {
        "intervention_id": entry.intervention_id,
        "caregiver_id": entry.caregiver_id,
        "entered_at": moment_json(entry.entered_at),
    }
    match entry:
        case Mileage():
            return {**common, "km": str(entry.km), "comment": entry.comment}
        case Expense():
            extra = {"amount": str(entry.amount), "category": str(entry.category)}
            return {**common, **extra, "label": entry.label}
        case Comment() | Report():
            return {**common, "text": entry.text}
        case TasksDone():
            return {**common, "tasks": sorted(entry.tasks)}


def _entry_common(fields: Fields) -> Json:
    return {
        "id": fields.text("id"),
        "intervention_id": fields.text("intervention_id"),
        "caregiver_id": fields.text("caregiver_id"),
        "entered_at": fields.moment("entered_at"),
    }


def _mileage_from(fields: Fields, _: datetime) -> Mileage:
    return fields.build(
        Mileage,
        **_entry_common(fields),
        km=fields.decimal("km"),
        comment=fields.optional_text("comment", ""),
    )


def _expense_from(fields: Fields, _: datetime) -> Expense:
    return fields.build(
        Expense,
        **_entry_common(fields),
        amount=fields.decimal("amount"),
        category=fields.text("category"),
        label=fields.optional_text("label", ""),
    )


def _comment_from(fields: Fields, _: datetime) -> Comment:
    return fields.build(Comment, **_entry_common(fields), text=fields.text("text"))


def _report_from(fields: Fields, _: datetime) -> Report:
    return fields.build(Report, **_entry_common(fields), text=fields.text("text"))


def _tasks_done_from(fields: Fields, _: datetime) -> TasksDone:
    return fields.build(TasksDone, **_entry_common(fields), tasks=fields.texts("tasks"))


def _phone_message_json(message: PhoneMessage) -> Json:
    return {
        "caregiver_id": message.caregiver_id,
        "text": message.text,
        "sent_at": moment_json(message.sent_at),
        "kind": str(message.kind),
    }


def _phone_message_from(fields: Fields, _: datetime) -> PhoneMessage:
    return fields.build(
        PhoneMessage,
        id=fields.text("id"),
        caregiver_id=fields.text("caregiver_id"),
        text=fields.text("text"),
        sent_at=fields.moment("sent_at"),
        kind=fields.optional_text("kind", "text"),
    )


def _acknowledgement_from(fields: Fields, _: datetime) -> Acknowledgement:
    return fields.build(
        Acknowledgement,
        message_id=MessageId(fields.text("message_id")),
        caregiver_id=CaregiverId(fields.text("caregiver_id")),
        at=fields.moment("at"),
    )


def _alarm_json(signal: AlarmSignal) -> Json:
    return {
        "alarm_id": signal.alarm_id,
        "caregiver_id": signal.caregiver_id,
        "action": str(signal.action),
        "at": moment_json(signal.at),
        "gps": _gps_json(signal.gps),
    }


def _alarm_from(fields: Fields, _: datetime) -> AlarmSignal:
    return fields.build(
        AlarmSignal,
        alarm_id=AlarmId(fields.text("alarm_id")),
        caregiver_id=fields.text("caregiver_id"),
        action=fields.text("action"),
        at=fields.moment("at"),
        gps=_gps_from(fields.optional_obj("gps")),
    )


def _request_json(request: StaffRequest) -> Json:
    return {
        "caregiver_id": request.caregiver_id,
        "kind": str(request.kind),
        "first_day": request.first_day.isoformat(),
        "last_day": request.last_day.isoformat(),
        "reason": request.reason,
        "submitted_at": moment_json(request.submitted_at),
        "intervention_id": request.intervention_id,
    }


def _request_from(fields: Fields, _: datetime) -> StaffRequest:
    first_day = fields.day("first_day")
    return fields.build(
        StaffRequest,
        id=fields.text("id"),
        caregiver_id=fields.text("caregiver_id"),
        kind=fields.text("kind"),
        first_day=first_day,
        last_day=fields.day("last_day") if fields.has("last_day") else first_day,
        reason=fields.text("reason"),
        submitted_at=fields.moment("submitted_at"),
        intervention_id=fields.optional_text("intervention_id"),
    )


_PARSERS: dict[str, Callable[[Fields, datetime], InboundItem]] = {
    "punch": _punch_from,
    "mileage": _mileage_from,
    "expense": _expense_from,
    "comment": _comment_from,
    "report": _report_from,
    "tasks-done": _tasks_done_from,
    "message": _phone_message_from,
    "acknowledgement": _acknowledgement_from,
    "alarm": _alarm_from,
    "request": _request_from,
}
ITEM_TYPES = tuple(_PARSERS)
"""Every item ``type`` a phone sends, in the order of ``docs/penbase.md``."""

_TYPES: dict[type, str] = {
    Punch: "punch",
    Mileage: "mileage",
    Expense: "expense",
    Comment: "comment",
    Report: "report",
    TasksDone: "tasks-done",
    PhoneMessage: "message",
    Acknowledgement: "acknowledgement",
    AlarmSignal: "alarm",
    StaffRequest: "request",
}


def item_type(item: InboundItem) -> str:
    return _TYPES[type(item)]


def item_id(item: InboundItem) -> str:
    """The id a phone gives an item: the item's own id, or for an acknowledgement
    ``ack-<message id>`` and for an alarm signal ``<alarm id>-<action>``."""
    match item:
        case Acknowledgement():
            return f"ack-{item.message_id}"
        case AlarmSignal():
            return f"{item.alarm_id}-{item.action}"
        case _:
            return item.id


def _body_json(item: InboundItem) -> Json:
    match item:
        case Punch():
            return _punch_json(item)
        case PhoneMessage():
            return _phone_message_json(item)
        case Acknowledgement():
            return {
                "message_id": item.message_id,
                "caregiver_id": item.caregiver_id,
                "at": moment_json(item.at),
            }
        case AlarmSignal():
            return _alarm_json(item)
        case StaffRequest():
            return _request_json(item)
        case _:
            return _entry_json(item)


def item_json(item: InboundItem, *, id: str | None = None) -> Json:
    """The item as a phone posts it: ``type``, ``id`` and its fields. The platform adds
    ``received_at`` (and a punch's ``received_at`` is that stamp)."""
    return {"type": item_type(item), "id": id or item_id(item), **_body_json(item)}


def parse_item(fields: Fields) -> tuple[str, InboundItem]:
    """One item as the platform serves it (with ``received_at``): its id and the object."""
    kind = fields.text("type")
    parser = _PARSERS.get(kind)
    if parser is None:
        raise InvalidInput(
            Text("unknown item type; known: {known}", known=", ".join(ITEM_TYPES)),
            field=fields.where("type"),
            text=kind,
        )
    identifier = fields.text("id")
    return identifier, parser(fields, fields.moment("received_at"))


@frozen
class Page:
    """One page of ``GET /v1/inbound``: where the next starts, whether more is waiting."""

    cursor: str
    more: bool
    items: tuple[InboundItem, ...]


def page_from(data: object) -> Page:
    """A page read whole: the first bad item refuses it, naming ``items[i].field``."""
    fields = Fields(data, "")
    cursor = fields.text("cursor")
    if not 0 < len(cursor) <= MAX_CURSOR_CHARS:
        raise InvalidInput(
            Text("a cursor is 1 to {most} characters", most=MAX_CURSOR_CHARS),
            field="cursor",
            text=offending(cursor),
        )
    items = tuple(parse_item(item)[1] for item in fields.objects("items"))
    return Page(cursor, fields.flag("more"), items)


def inbound(cursor: str, items: Iterable[InboundItem]) -> Inbound:
    """The items sorted into an :class:`~caredomain.interventions.platform.Inbound`."""
    everything = tuple(items)
    return Inbound(
        cursor=cursor,
        punches=tuple(i for i in everything if isinstance(i, Punch)),
        entries=tuple(
            i for i in everything if isinstance(i, Mileage | Expense | Comment | Report | TasksDone)
        ),
        messages=tuple(i for i in everything if isinstance(i, PhoneMessage)),
        acknowledgements=tuple(i for i in everything if isinstance(i, Acknowledgement)),
        alarms=tuple(i for i in everything if isinstance(i, AlarmSignal)),
        requests=tuple(i for i in everything if isinstance(i, StaffRequest)),
    )
