"""The mobile platform port: what goes to the caregivers' phones and what comes back.

The office software pushes caregivers, clients, plannings, messages, emergency numbers and
device blocks to a mobile platform (Penbase in the seed) and pulls what the phones sent:
punches, visit data, messages, acknowledgements, alarms and requests. An adapter
implements :class:`MobilePlatform`; :mod:`caredomain_penbase` is the built-in one.

Both directions are idempotent. A push states the whole current value of what it names, so
pushing again changes nothing. A pull returns what arrived after a cursor, and every item
carries the phone's own id, so an item pulled twice is recognised by the services.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from attrs import field, frozen

from caredomain.interventions.alarm import AlarmId
from caredomain.interventions.devices import DeviceId, LossKind
from caredomain.interventions.messaging import Message, MessageId, MessageKind
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    GpsFix,
    PlannedIntervention,
    Punch,
    Service,
    utc,
)
from caredomain.interventions.phonebook import EmergencyNumber
from caredomain.interventions.staff_requests import StaffRequest
from caredomain.interventions.visit_data import VisitEntry
from caredomain.validation import identifier, member_of

__all__ = [
    "Acknowledgement",
    "AlarmAction",
    "AlarmSignal",
    "Inbound",
    "MobilePlatform",
    "MobilePlatformSpec",
    "PhoneMessage",
    "PlanningPush",
]


def _at(value: datetime) -> datetime:
    return utc(value, "at")


@frozen
class PlanningPush:
    """One caregiver's planning as the phone shows it, with the services its visits are
    for (their tasks) and the clients it visits. ``alert`` asks the phone to ring: the
    planning of a transmitted caregiver changed ("alerte sonore")."""

    caregiver_id: CaregiverId = field(validator=identifier)
    interventions: tuple[PlannedIntervention, ...]
    services: tuple[Service, ...] = ()
    alert: bool = False


@frozen
class PhoneMessage:
    """A message a caregiver wrote on her phone (``kind`` ``call-back`` for "Rappelez-moi")."""

    id: MessageId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    text: str
    sent_at: datetime = field(converter=_at)
    kind: MessageKind = MessageKind.TEXT


@frozen
class Acknowledgement:
    """The caregiver read and acknowledged an office message: her app is free again."""

    message_id: MessageId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    at: datetime = field(converter=_at)


class AlarmAction(StrEnum):
    TRIGGER = "trigger"
    CANCEL = "cancel"


def _alarm_action(value: object) -> AlarmAction:
    return member_of(AlarmAction, value, "action")


@frozen
class AlarmSignal:
    """The DATI button pressed (``trigger``, with the last GPS fix) or the countdown
    cancelled (``cancel``), at the phone's instant."""

    alarm_id: AlarmId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    action: AlarmAction = field(converter=_alarm_action)
    at: datetime = field(converter=_at)
    gps: GpsFix | None = None


@frozen
class Inbound:
    """What the phones sent after a cursor; ``cursor`` is where the next pull starts."""

    cursor: str
    punches: tuple[Punch, ...] = ()
    entries: tuple[VisitEntry, ...] = ()
    messages: tuple[PhoneMessage, ...] = ()
    acknowledgements: tuple[Acknowledgement, ...] = ()
    alarms: tuple[AlarmSignal, ...] = ()
    requests: tuple[StaffRequest, ...] = ()

    def __len__(self) -> int:
        return (
            len(self.punches)
            + len(self.entries)
            + len(self.messages)
            + len(self.acknowledgements)
            + len(self.alarms)
            + len(self.requests)
        )


class MobilePlatform(Protocol):
    """A mobile platform the office pushes to and pulls from. Errors: an unreachable or
    failing platform raises :class:`~caredomain.errors.CareDomainError` naming it once its
    retries are spent; a refused payload raises :class:`~caredomain.errors.InvalidInput`."""

    @property
    def name(self) -> str:
        """The platform's name with its address, secrets masked: safe to print and log."""
        ...

    def push_caregivers(self, caregivers: Sequence[Caregiver]) -> frozenset[CaregiverId]:
        """Send these caregivers' records; the ids the platform now holds (transmitted)."""
        ...

    def push_clients(self, clients: Sequence[Client]) -> frozenset[str]:
        """Send these clients' records (address, position, badges); the ids it holds."""
        ...

    def withdraw(self, caregivers: Sequence[CaregiverId], clients: Sequence[str]) -> None:
        """Remove from the phones caregivers and clients no longer to be transmitted."""
        ...

    def push_planning(self, planning: PlanningPush) -> None:
        """Replace one caregiver's planning on her phones."""
        ...

    def push_messages(self, messages: Sequence[Message]) -> None:
        """Deliver office messages; each blocks the app until acknowledged."""
        ...

    def push_emergency_numbers(self, numbers: Sequence[EmergencyNumber]) -> None:
        """Replace the emergency numbers every phone shows (five at most)."""
        ...

    def block_device(self, device_id: DeviceId, reason: LossKind) -> None:
        """A phone declared lost or stolen: the platform refuses its token from now on,
        drops what it still held for it, and sends it nothing more."""
        ...

    def pull(self, cursor: str | None = None) -> Inbound:
        """What the phones sent after ``cursor`` (``None``: from the beginning)."""
        ...

    def close(self) -> None: ...


@frozen
class MobilePlatformSpec:
    """A kind of mobile platform a plugin offers: ``create(settings)`` builds a client from
    settings such as a base URL and a token (``token_env`` names an environment variable)."""

    name: str
    create: Callable[[Mapping[str, str]], MobilePlatform]
    description: str = ""
