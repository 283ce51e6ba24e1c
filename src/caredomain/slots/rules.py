"""The one booking rule set (seed 003): why a slot cannot be booked, by whom, right now.

The free-slot listing, the "why no slot?" answer and the booking itself all ask these
functions, so the list never offers what the booking refuses. Each refusal is a
:class:`Reason` with a stable code; the booking raises it as a
:class:`~caredomain.errors.RuleViolation`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime

from attrs import frozen

from caredomain.access import Actor, Role
from caredomain.calendar import ClosedReason, ClosedWeekday, PublicHoliday
from caredomain.durations import MinimumNotice
from caredomain.errors import RuleViolation, SlotTaken
from caredomain.slots.appointments import Appointment, AppointmentStatus, Beneficiary, Channel
from caredomain.slots.model import AppointmentType, Place
from caredomain.text import Text

__all__ = [
    "FULL",
    "MIN_NOTICE",
    "PAST",
    "Reason",
    "bookable_from",
    "change_refusal",
    "closed_day_reasons",
    "earliest_start",
    "has_free_seat",
    "no_show_refusal",
    "now_second",
    "option_refusal",
    "partner_refusal",
    "portal_refusal",
    "request_refusals",
    "service_refusal",
    "slot_refusals",
    "window_refusal",
]


FULL_CODE = "slot.full"


@frozen
class Reason:
    """Why a slot is missing or refused: a stable ``code`` and a message for people."""

    code: str
    message: str

    def violation(self) -> RuleViolation:
        """The refusal as an exception: :class:`~caredomain.errors.SlotTaken` (also a
        :class:`~caredomain.errors.Conflict`) for a full slot, a plain RuleViolation else."""
        if self.code == FULL_CODE:
            return SlotTaken(self.code, self.message)
        return RuleViolation(self.code, self.message)

    def __str__(self) -> str:
        return Text("[{code}] {message}", code=self.code, message=self.message)


PAST = Reason("slot.past", Text("the slot has already started"))
MIN_NOTICE = Reason(
    "slot.min_notice", Text("the minimum notice before the slot has passed: the slot is closed")
)
FULL = Reason(FULL_CODE, Text("every seat of the slot is booked"))
NOT_ON_PORTAL = Reason(
    "slot.not_on_portal", Text("this type or place is not offered on the portal")
)
SERVICE_NOT_ALLOWED = Reason(
    "slot.service_not_allowed", Text("the type is managed only by other services")
)
OPTION_REQUIRED = Reason("slot.option_required", Text("choose one of the type's options"))
SKIPPED_HOUR = Reason(
    "slot.skipped_hour", Text("the slot falls in an hour the clock skips (daylight saving)")
)


def closed_day_reasons(reasons: Sequence[ClosedReason]) -> tuple[Reason, ...]:
    """The calendar's reasons a day is closed: unticked weekday, public holiday, closure."""
    return tuple(_closed_day_reason(reason) for reason in reasons)


def _closed_day_reason(reason: ClosedReason) -> Reason:
    if isinstance(reason, ClosedWeekday):
        return Reason("day.closed_weekday", str(reason))
    if isinstance(reason, PublicHoliday):
        return Reason("day.public_holiday", str(reason))
    return Reason("day.closure", str(reason))


def window_refusal(day: date, first: date, last: date) -> Reason | None:
    """Slots exist only from the planning day to the end of the type's opening window."""
    if first <= day <= last:
        return None
    return Reason(
        "slot.outside_window",
        Text(
            "{day} is outside the opening window ({first} to {last})",
            day=day.isoformat(),
            first=first.isoformat(),
            last=last.isoformat(),
        ),
    )


def earliest_start(now: datetime, notice: MinimumNotice | None) -> int:
    """The earliest slot start still bookable at ``now``, in UTC seconds ("délai min").

    Seed 003: with a minimum notice of one hour (``60m``), a slot can be booked until one
    hour before it starts; after that it is closed.
    """
    return math.ceil(now.timestamp() + (notice.delta.total_seconds() if notice else 0))


def now_second(now: datetime) -> int:
    """``now`` in UTC seconds, rounded up: a slot starting before it has started."""
    return math.ceil(now.timestamp())


def bookable_from(now: int, earliest: int) -> int:
    """The first UTC second a slot may start at to be booked now: one starting earlier has
    started (``slot.past``) or is inside the minimum notice (``slot.min_notice``)."""
    return max(now, earliest)


def has_free_seat(taken: int, seats: int) -> bool:
    """Seed 003: one booking per slot per counter, unless the counter has more seats."""
    return taken < seats


def slot_refusals(
    start: int, *, now: int, earliest: int, taken: int, seats: int
) -> tuple[Reason, ...]:
    """Why a planned slot starting at UTC second ``start`` cannot be booked now.

    ``now`` comes from :func:`now_second`, ``earliest`` from :func:`earliest_start`;
    ``taken`` is how many booked appointments hold a seat of the slot. None exactly when
    ``start >= bookable_from(now, earliest)`` and ``has_free_seat(taken, seats)``: the
    free-slot index asks those two directly.
    """
    timing = (
        () if start >= bookable_from(now, earliest) else (PAST,) if start < now else (MIN_NOTICE,)
    )
    return timing if has_free_seat(taken, seats) else (*timing, FULL)


def request_refusals(
    kind: AppointmentType,
    place: Place,
    options: Sequence[str],
    *,
    actor: Actor,
    channel: Channel,
    beneficiary: Beneficiary,
    option: str | None,
) -> tuple[Reason, ...]:
    """Why this actor cannot book this type at this place for this beneficiary (seed 003).

    * Portal ("Visible sur le portail"): the type and the place must both be visible.
    * Back office ("Liste des services associés"): when the type names services, the
      agent must belong to one of them; administrators manage every type.
    * "Type de partenaire": when the type names partner types, the beneficiary's must be
      one of them.
    * "Liste d'options": when the counter has options, exactly one of them is chosen.
    """
    found = (
        portal_refusal(kind, place, channel),
        service_refusal(actor, kind, channel),
        partner_refusal(kind, beneficiary),
        option_refusal(options, option),
    )
    return tuple(reason for reason in found if reason is not None)


def portal_refusal(kind: AppointmentType, place: Place, channel: Channel) -> Reason | None:
    """On the portal, only types and places marked visible there are offered."""
    if channel is Channel.PORTAL and not (kind.on_portal and place.on_portal):
        return NOT_ON_PORTAL
    return None


def service_refusal(actor: Actor, kind: AppointmentType, channel: Channel) -> Reason | None:
    """In the back office, a type that names services is managed by those services only."""
    if channel is Channel.BACK_OFFICE and not _manages(actor, kind):
        return SERVICE_NOT_ALLOWED
    return None


def partner_refusal(kind: AppointmentType, beneficiary: Beneficiary) -> Reason | None:
    if kind.partner_types and beneficiary.partner_type not in kind.partner_types:
        return Reason(
            "slot.partner_type",
            Text(
                "the type is open to partner types {types}",
                types=", ".join(sorted(kind.partner_types)),
            ),
        )
    return None


def option_refusal(options: Sequence[str], option: str | None) -> Reason | None:
    """Exactly one of the counter's options when it has options; none when it has none."""
    if option is None:
        return OPTION_REQUIRED if options else None
    if option not in options:
        return Reason(
            "slot.unknown_option",
            Text("{option} is not an option of this counter", option=repr(option)),
        )
    return None


def _manages(actor: Actor, kind: AppointmentType) -> bool:
    return (
        not kind.services or actor.has(Role.ADMINISTRATOR) or bool(actor.services & kind.services)
    )


def change_refusal(appointment: Appointment, now: datetime) -> Reason | None:
    """Only a booked appointment not yet started, or a deprogrammed one, is moved or
    cancelled; a started one is marked as a no-show instead."""
    if appointment.status is AppointmentStatus.DEPROGRAMMED:
        return None
    if not appointment.is_booked:
        return _not_active(appointment)
    if now.timestamp() >= appointment.start_second:
        return Reason("appointment.started", Text("the appointment has already started"))
    return None


def no_show_refusal(appointment: Appointment, now: datetime) -> Reason | None:
    """A no-show ("Absence") is recorded only for a booked appointment that has started."""
    if not appointment.is_booked:
        return _not_active(appointment)
    if now.timestamp() < appointment.start_second:
        return Reason("appointment.not_started", Text("the appointment has not started yet"))
    return None


_IS = {
    AppointmentStatus.BOOKED: Text("the appointment is booked"),
    AppointmentStatus.CANCELLED: Text("the appointment is cancelled"),
    AppointmentStatus.NO_SHOW: Text("the appointment is no show"),
    AppointmentStatus.DEPROGRAMMED: Text("the appointment is deprogrammed"),
}
"""The appointment's status for people, one whole text each (a French participle agrees)."""


def _not_active(appointment: Appointment) -> Reason:
    return Reason("appointment.not_active", _IS[appointment.status])
