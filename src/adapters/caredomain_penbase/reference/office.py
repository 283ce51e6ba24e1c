"""The office endpoints of the reference Penbase platform (``docs/penbase.md``): pushing
caregivers, clients, plannings, messages and emergency numbers, blocking a device, and
pulling the items the phones sent, a page at a time. :class:`OfficeEndpoints` is the part of
:class:`~caredomain_penbase.reference.PenbaseServer` that serves them, on what
:class:`~caredomain_penbase.reference.state.PlatformState` holds.
"""

from __future__ import annotations

from collections.abc import Mapping

from caredomain.errors import InvalidInput, NotFound, offending
from caredomain.interventions.devices import LossKind, Outbound, PayloadKind
from caredomain.interventions.phonebook import check_emergency_numbers
from caredomain.validation import member_of
from caredomain_penbase import wire, wire_messages, wire_planning
from caredomain_penbase.reference.serving import Answer, Request
from caredomain_penbase.reference.state import PlatformState, json_body

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "OFFICE_USER", "OfficeEndpoints"]

OFFICE_USER = "penbase-office"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class OfficeEndpoints(PlatformState):
    """The office's endpoints: what it pushes, the devices it blocks, the items it pulls."""

    def _body(self, request: Request) -> wire.Fields:
        return wire.Fields(json_body(request.body), "")

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


def _same_id(path_id: str, body_id: str, field: str) -> None:
    if path_id != body_id:
        raise InvalidInput(
            "the id of the body differs from the id of the URL", field=field, text=body_id
        )


def _cursor(query: Mapping[str, list[str]]) -> int:
    raw = query.get("after", [""])[-1]
    if raw == "":
        return 0
    if not _whole(raw, digits=18):
        raise InvalidInput("not a cursor this platform gave", field="after", text=offending(raw))
    return int(raw)


def _limit(query: Mapping[str, list[str]]) -> int:
    raw = query.get("limit", [str(DEFAULT_LIMIT)])[-1]
    if not _whole(raw, digits=4) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"a limit is from 1 to {MAX_LIMIT}", field="limit", text=offending(raw))
    return int(raw)


def _whole(raw: str, *, digits: int) -> bool:
    """Plain ASCII digits, and few: ``isdigit`` alone lets "²" through, which ``int``
    refuses, and ``int`` refuses more than 4,300 digits."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits
