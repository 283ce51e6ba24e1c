"""The Penbase wire format of what the office sends the phones besides their planning (see
``docs/penbase.md``): messages to caregivers, and the emergency numbers every device
shows — to JSON and back, read with :class:`~caredomain_penbase.fields.Fields` as
:mod:`~caredomain_penbase.wire` describes.
"""

from __future__ import annotations

from caredomain.interventions.messaging import Message
from caredomain.interventions.phonebook import EmergencyNumber, PhoneNumber
from caredomain_penbase.fields import Fields
from caredomain_penbase.wire import Json, moment_json, optional_moment_json

__all__ = [
    "emergency_number_from",
    "emergency_number_json",
    "message_from",
    "message_json",
]


def message_json(message: Message) -> Json:
    return {
        "id": message.id,
        "caregiver_id": message.caregiver_id,
        "direction": str(message.direction),
        "sender": message.sender,
        "recipient": message.recipient,
        "text": message.text,
        "sent_at": moment_json(message.sent_at),
        "kind": str(message.kind),
        "read_at": optional_moment_json(message.read_at),
        "acknowledged_at": optional_moment_json(message.acknowledged_at),
    }


def message_from(fields: Fields) -> Message:
    return fields.build(
        Message,
        id=fields.text("id"),
        caregiver_id=fields.text("caregiver_id"),
        direction=fields.text("direction"),
        sender=fields.text("sender"),
        recipient=fields.text("recipient"),
        text=fields.text("text"),
        sent_at=fields.moment("sent_at"),
        kind=fields.optional_text("kind", "text"),
        read_at=fields.optional_moment("read_at"),
        acknowledged_at=fields.optional_moment("acknowledged_at"),
    )


def emergency_number_json(number: EmergencyNumber) -> Json:
    return {
        "label": number.label,
        "number": number.number.value,
        "kind": str(number.number.kind),
        "region": number.number.region,
    }


def emergency_number_from(fields: Fields) -> EmergencyNumber:
    number = fields.build(
        PhoneNumber,
        value=fields.text("number"),
        kind=fields.optional_text("kind", "e164"),
        region=fields.optional_text("region"),
    )
    return fields.build(EmergencyNumber, label=fields.text("label"), number=number)
