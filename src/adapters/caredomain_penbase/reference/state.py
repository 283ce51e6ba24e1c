"""What the reference Penbase platform holds, in memory: the caregivers, clients, plannings,
messages and emergency numbers the office pushed, the enrolled devices with what each may
receive, and the items the phones sent — with the steps that keep the devices' queues in
step with them. :class:`PlatformState` is the part of
:class:`~caredomain_penbase.reference.PenbaseServer` that holds them; its office endpoints
(:mod:`~caredomain_penbase.reference.office`) and device endpoints
(:mod:`~caredomain_penbase.reference.device`) build on it.
"""

from __future__ import annotations

import itertools

from attrs import evolve

from caredomain.clock import Clock, SystemClock
from caredomain.errors import NotFound
from caredomain.interventions.devices import Device, Outbound
from caredomain.interventions.messaging import Message
from caredomain.interventions.model import Caregiver, Client
from caredomain.interventions.phonebook import EmergencyNumber
from caredomain.interventions.platform import Acknowledgement, PlanningPush
from caredomain_penbase import limits, wire

__all__ = ["PlatformState", "json_body"]


class PlatformState:
    """What the reference platform holds, and the steps that keep the devices' queues."""

    def __init__(self, *, clock: Clock | None = None) -> None:
        self._clock: Clock = clock or SystemClock()
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


def json_body(body: bytes) -> object:
    """A request's JSON body, read within the limits of a request; ``None`` if empty."""
    return limits.read_json(body, limit=limits.MAX_REQUEST_BYTES) if body else None
