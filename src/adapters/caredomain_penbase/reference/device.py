"""The device endpoints of the reference Penbase platform (``docs/penbase.md``): a phone
fetching its planning, its messages and the emergency numbers, and posting the items it
records — each checked against what the device may do. :class:`DeviceEndpoints` is the part
of :class:`~caredomain_penbase.reference.PenbaseServer` that serves them, on what
:class:`~caredomain_penbase.reference.state.PlatformState` holds.
"""

from __future__ import annotations

from typing import cast

from caredomain.errors import Conflict, Forbidden, NotFound, RuleViolation
from caredomain.interventions.devices import Device, PayloadKind, PhoneAction
from caredomain.interventions.messaging import MessageKind
from caredomain.interventions.platform import Acknowledgement, PhoneMessage
from caredomain_penbase import wire, wire_messages, wire_planning
from caredomain_penbase.reference.serving import Answer, Request
from caredomain_penbase.reference.state import PlatformState, json_body

__all__ = ["DeviceEndpoints"]

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


class DeviceEndpoints(PlatformState):
    """A phone's endpoints: its planning, messages and emergency numbers, the items it posts."""

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
        data = json_body(request.body)
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
