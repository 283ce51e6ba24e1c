"""An organisation's settings of the lone-worker alarm (DATI): the number the phone calls,
the address the e-mail goes to, and the countdown during which the caregiver can cancel
(10 s by default, 1 s to 5 min: the seed promises time to cancel).
"""

from __future__ import annotations

import re
from datetime import timedelta

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.interventions.phonebook import PhoneNumber
from caredomain.text import Text

__all__ = ["DEFAULT_COUNTDOWN", "MAX_COUNTDOWN", "MIN_COUNTDOWN", "AlarmSettings"]

DEFAULT_COUNTDOWN = timedelta(seconds=10)
MIN_COUNTDOWN = timedelta(seconds=1)
MAX_COUNTDOWN = timedelta(minutes=5)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _countdown(value: timedelta | float) -> timedelta:
    """A countdown given as a timedelta or as seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(
            Text("a countdown is a duration in seconds"), field="countdown", text=str(value)
        )
    return timedelta(seconds=value)


def _countdown_range(instance: object, attribute: Attribute[timedelta], value: timedelta) -> None:
    if not MIN_COUNTDOWN <= value <= MAX_COUNTDOWN:
        raise InvalidInput(
            Text(
                "the countdown lasts {low} s to {high} s",
                low=MIN_COUNTDOWN.seconds,
                high=MAX_COUNTDOWN.seconds,
            ),
            field=attribute.name,
            text=str(value.total_seconds()),
        )


def _email(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value):
        raise InvalidInput(Text("not an e-mail address"), field=attribute.name, text=str(value))


@frozen(kw_only=True, field_transformer=checked_fields)
class AlarmSettings:
    """An organisation's alarm settings: the number the phone calls when the alarm fires
    (E.164 or a short number such as ``15``), the address the e-mail goes to, and the
    countdown during which the caregiver can cancel."""

    call_number: PhoneNumber
    office_email: str = field(validator=_email)
    countdown: timedelta = field(
        default=DEFAULT_COUNTDOWN, converter=_countdown, validator=_countdown_range
    )
