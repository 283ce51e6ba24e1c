"""Reminders ("Rappel, envoyé 6h avant l'heure du rendez-vous").

A reminder is queued with the booking, due at the start minus the lead (6 hours by
default); a new date withdraws it and queues one for the new start; a cancellation, a
deprogramming or a no-show withdraws it. All of this happens in the unit of work of the
change, so a cancelled appointment's reminder is never sent.

A booking (or a new date) made when the reminder's time has already passed: if the
confirmation ("Création du RDV", "Changement de date") goes out on the same channel, it
stands for the reminder, which is queued as skipped with that reason; otherwise the
reminder is sent at once, so that the citizen is told at least once on each channel
chosen for reminders.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["DEFAULT_LEAD", "ReminderPolicy", "Schedule", "parse_lead"]

DEFAULT_LEAD = timedelta(hours=6)
_LEAD = re.compile(r"(\d{1,4})(m|h|d)")
_UNIT = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}


def parse_lead(text: str, *, field_name: str = "reminder_lead") -> timedelta:
    """A lead written ``90m``, ``6h`` or ``1d`` (minutes, hours, days)."""
    match = _LEAD.fullmatch(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise InvalidInput(
            Text("expected a whole number and m (minutes), h (hours) or d (days), such as 6h"),
            field=field_name,
            text=str(text),
        )
    lead = int(match.group(1)) * _UNIT[match.group(2)]
    if lead <= timedelta(0):
        raise InvalidInput(
            Text("a reminder lead must be longer than zero"), field=field_name, text=text
        )
    return lead


def _positive(instance: object, attribute: Attribute[Any], value: timedelta) -> None:
    if value <= timedelta(0):
        raise InvalidInput(Text("must be longer than zero"), field=attribute.name, text=str(value))


@frozen
class Schedule:
    """When a reminder is due, or why it is skipped."""

    due_at: datetime
    skip_reason: str = ""


@frozen(field_transformer=checked_fields)
class ReminderPolicy:
    """How long before the start a reminder goes out."""

    lead: timedelta = field(default=DEFAULT_LEAD, validator=_positive)

    def schedule(self, *, starts_at: datetime, queued_at: datetime, confirmed: bool) -> Schedule:
        """The reminder of something starting at ``starts_at``, queued at ``queued_at``;
        ``confirmed``: a confirmation goes out on the reminder's channel at ``queued_at``."""
        due = starts_at.astimezone(UTC) - self.lead
        if due > queued_at:
            return Schedule(due)
        if starts_at <= queued_at:
            return Schedule(queued_at, Text("the appointment has already started"))
        if confirmed:
            return Schedule(
                queued_at,
                Text(
                    "booked less than {lead} ahead: the confirmation sent on this "
                    "channel stands for the reminder",
                    lead=_hours(self.lead),
                ),
            )
        return Schedule(queued_at)


def _hours(lead: timedelta) -> str:
    minutes = int(lead.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not rest:
        return f"{hours} h"
    return f"{hours} h {rest:02d}" if hours else f"{rest} min"
