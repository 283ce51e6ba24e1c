"""Home care: caregivers, clients and their badges, services with their tasks, planned
interventions, and the punches a phone sends when a caregiver clocks in or out (seed 004).

Instants are timezone-aware and kept in UTC; a caregiver's phone reports its own clock
(``device_time``), which may be wrong or late when the phone was offline, and the platform
stamps when it received the punch (``received_at``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import NewType, TypeVar

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.geo import GeoPoint
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "Badge",
    "BadgeKind",
    "Caregiver",
    "CaregiverId",
    "Client",
    "ClientId",
    "GpsFix",
    "InterventionId",
    "PlannedIntervention",
    "Punch",
    "PunchId",
    "PunchKind",
    "PunchMethod",
    "Service",
    "ServiceId",
    "Task",
    "utc",
]

CaregiverId = NewType("CaregiverId", str)
ClientId = NewType("ClientId", str)
ServiceId = NewType("ServiceId", str)
InterventionId = NewType("InterventionId", str)
PunchId = NewType("PunchId", str)

Str = TypeVar("Str", bound=str)


def utc(value: datetime, what: str = "datetime") -> datetime:
    """``value`` in UTC; a naive datetime is refused, naming ``what``."""
    return require_aware(value, what).astimezone(UTC)


# attrs converters, one per field so that errors name it.


def _taken_at(value: datetime) -> datetime:
    return utc(value, "taken_at")


def _badge_kind(value: object) -> BadgeKind:
    return member_of(BadgeKind, value, "kind")


def _start(value: datetime) -> datetime:
    return utc(value, "start")


def _end(value: datetime) -> datetime:
    return utc(value, "end")


def _punch_kind(value: object) -> PunchKind:
    return member_of(PunchKind, value, "kind")


def _punch_method(value: object) -> PunchMethod:
    return member_of(PunchMethod, value, "method")


def _device_time(value: datetime) -> datetime:
    return utc(value, "device_time")


def _received_at(value: datetime) -> datetime:
    return utc(value, "received_at")


def _accuracy(instance: object, attribute: Attribute[float], value: float) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise InvalidInput(Text("must be 0 or more metres"), field=attribute.name, text=str(value))


@frozen
class GpsFix:
    """Where the phone was, how sure it was (radius in metres) and when it took the fix."""

    point: GeoPoint
    accuracy_m: float = field(converter=float, validator=_accuracy)
    taken_at: datetime = field(converter=_taken_at)


class BadgeKind(StrEnum):
    NFC = "nfc"  # a tag left at the client's home, read by its id
    QR = "qr"  # a QR code, read by the camera (the BYOD app)


@frozen(field_transformer=checked_fields)
class Badge:
    """What identifies a client's home when the caregiver clocks in or out."""

    kind: BadgeKind = field(converter=_badge_kind)
    value: str = field(validator=identifier)

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


@frozen(field_transformer=checked_fields)
class Caregiver:
    """An "intervenant". ``transmit`` is the "Transmettre à Penbase" box on the caregiver's
    record; ``manager`` is the office user in charge of the caregiver (the "gestionnaire"),
    who receives the caregiver's messages."""

    id: CaregiverId = field(validator=identifier)
    name: str = field(validator=non_blank)
    manager: str = field(validator=identifier)
    manager_email: str | None = None
    transmit: bool = False

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


def _badges(values: Iterable[Badge]) -> frozenset[Badge]:
    return frozenset(values)


@frozen(field_transformer=checked_fields)
class Client:
    """A client ("usager", "bénéficiaire") with the address of the home, its position when
    known, and the badges left there."""

    id: ClientId = field(validator=identifier)
    name: str = field(validator=non_blank)
    address: str = ""
    location: GeoPoint | None = None
    badges: frozenset[Badge] = field(default=frozenset(), converter=_badges)

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


@frozen(field_transformer=checked_fields)
class Task:
    """One task of a service ("tâche"): ``code`` is stable, ``label`` is what the phone shows."""

    code: str = field(validator=identifier)
    label: str = field(validator=non_blank)


def _tasks(values: Iterable[Task]) -> tuple[Task, ...]:
    tasks = tuple(values)
    codes = [task.code for task in tasks]
    if len(set(codes)) != len(codes):
        raise InvalidInput(Text("task codes must be unique"), field="tasks", text=", ".join(codes))
    return tasks


@frozen(field_transformer=checked_fields)
class Service:
    """A service ("prestation") and the tasks a caregiver may tick at the end of a visit."""

    id: ServiceId = field(validator=identifier)
    label: str = field(validator=non_blank)
    tasks: tuple[Task, ...] = field(default=(), converter=_tasks)

    def task_codes(self) -> frozenset[str]:
        return frozenset(task.code for task in self.tasks)


@frozen(field_transformer=checked_fields)
class PlannedIntervention:
    """A visit planned by the office: who goes, to whom, for what, from when to when."""

    id: InterventionId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    client_id: ClientId = field(validator=identifier)
    service_id: ServiceId = field(validator=identifier)
    start: datetime = field(converter=_start)
    end: datetime = field(converter=_end)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(
                Text("the end must come after the start"), field="end", text=self.end.isoformat()
            )

    def covers(self, moment: datetime) -> bool:
        """Whether the visit is planned at ``moment`` (start included, end excluded)."""
        return self.start <= utc(moment, "moment") < self.end


class PunchKind(StrEnum):
    CLOCK_IN = "in"
    CLOCK_OUT = "out"


class PunchMethod(StrEnum):
    BADGE_NFC = "badge-nfc"
    BADGE_QR = "badge-qr"
    MANUAL = "manual"

    @property
    def badge_kind(self) -> BadgeKind | None:
        return {PunchMethod.BADGE_NFC: BadgeKind.NFC, PunchMethod.BADGE_QR: BadgeKind.QR}.get(self)


@frozen(kw_only=True)
class Punch:
    """One clock-in or clock-out as the phone sent it. ``id`` is the phone's own id for the
    punch, so that a punch sent twice is recognised. ``badge`` is the badge read (badge
    methods); ``reason`` is why the caregiver clocked by hand (manual method). ``offline``
    says the phone had no network and sent the punch later."""

    id: PunchId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    intervention_id: InterventionId = field(validator=identifier)
    kind: PunchKind = field(converter=_punch_kind)
    method: PunchMethod = field(converter=_punch_method)
    device_time: datetime = field(converter=_device_time)
    received_at: datetime = field(converter=_received_at)
    badge: str | None = None
    gps: GpsFix | None = None
    offline: bool = False
    reason: str | None = None
