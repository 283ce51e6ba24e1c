"""Appointments ("rendez-vous"): who booked which slot, and what became of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from attrs import Attribute, field, frozen

from caredomain.access import ActorId
from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.text import Text

__all__ = ["Appointment", "AppointmentStatus", "Beneficiary", "Channel"]


class Channel(StrEnum):
    """Where a booking is made: the back office (an agent for a citizen) or the portal."""

    BACK_OFFICE = "back_office"
    PORTAL = "portal"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    DEPROGRAMMED = "deprogrammed"
    """A planning change removed its slot ("rendez-vous déprogrammé"); the citizen is told."""


def _not_blank(instance: object, attribute: Attribute[Any], value: str) -> None:
    if not value.strip():
        raise InvalidInput(Text("must not be blank"), field=attribute.name, text=value)


@frozen(field_transformer=checked_fields)
class Beneficiary:
    """The citizen an appointment is for ("bénéficiaire", merge field {0}).

    ``id`` identifies the citizen; on the portal it is the acting citizen's actor id.
    ``partner_type`` is matched against the type's partner types; ``email`` and ``phone``
    are where notifications go.
    """

    id: str = field(validator=_not_blank)
    name: str = field(validator=_not_blank)
    partner_type: str | None = None
    email: str | None = None
    phone: str | None = None


def _aware(instance: object, attribute: Attribute[Any], value: datetime | None) -> None:
    if value is not None:
        require_aware(value, attribute.name)


@frozen
class Appointment:
    """One booking of one seat of one slot of a counter.

    ``start`` is on the organisation's wall clock. ``seat`` (from 0) is the seat it holds
    at its slot, so that a store can keep (counter, start, seat) unique among booked
    appointments. ``previous_start`` is the date before the last reschedule (merge field
    {7}).
    """

    id: AppointmentId = field(validator=_not_blank)
    counter_id: CounterId
    beneficiary: Beneficiary
    start: datetime = field(validator=_aware)
    duration_minutes: int
    channel: Channel
    booked_by: ActorId
    booked_at: datetime = field(validator=_aware)
    option: str | None = None
    seat: int = 0
    status: AppointmentStatus = AppointmentStatus.BOOKED
    previous_start: datetime | None = field(default=None, validator=_aware)

    @property
    def end(self) -> datetime:
        # Through UTC: wall-clock arithmetic would be wrong across a change of offset.
        end = self.start.astimezone(UTC) + timedelta(minutes=self.duration_minutes)
        return end.astimezone(self.start.tzinfo)

    @property
    def start_second(self) -> int:
        """The start as whole UTC seconds since the epoch, as the plan holds it."""
        return int(self.start.timestamp())

    @property
    def is_booked(self) -> bool:
        return self.status is AppointmentStatus.BOOKED
