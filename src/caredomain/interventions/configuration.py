"""The ``[interventions]`` section of an organisation's configuration file (seed 004).

::

    [interventions]
    alarm_countdown_seconds = 10         # time to cancel the DATI alarm (1 to 300)
    alarm_call_number = "112"            # the number the phone calls when it fires
    office_email = "astreinte@example.org"  # where the alarm's e-mail goes
    late_start_minutes = 10              # reconciliation tolerances, in whole minutes
    early_end_minutes = 10
    overrun_minutes = 15
    missing_clock_out_minutes = 30
    distance_m = 200                     # beyond the GPS fix's own accuracy

Every key has a default; without ``office_email`` the alarm cannot be set up.
"""

from __future__ import annotations

from datetime import timedelta

from attrs import frozen

from caredomain.errors import InvalidInput
from caredomain.interventions.alarm_settings import DEFAULT_COUNTDOWN, AlarmSettings
from caredomain.interventions.phonebook import parse_phone
from caredomain.interventions.ports import AgencySettings
from caredomain.interventions.reconciliation import Tolerances

__all__ = ["InterventionsConfiguration"]

_DEFAULT_TOLERANCES = Tolerances()


@frozen(kw_only=True)
class InterventionsConfiguration:
    """An agency's alarm and reconciliation settings, as its configuration file writes
    them; :meth:`settings` checks them."""

    alarm_countdown_seconds: int = int(DEFAULT_COUNTDOWN.total_seconds())
    alarm_call_number: str = "112"
    office_email: str | None = None
    late_start_minutes: int = _DEFAULT_TOLERANCES.late_start
    early_end_minutes: int = _DEFAULT_TOLERANCES.early_end
    overrun_minutes: int = _DEFAULT_TOLERANCES.overrun
    missing_clock_out_minutes: int = _DEFAULT_TOLERANCES.missing_clock_out
    distance_m: float = _DEFAULT_TOLERANCES.distance_m

    def tolerances(self) -> Tolerances:
        try:
            return Tolerances(
                late_start=self.late_start_minutes,
                early_end=self.early_end_minutes,
                overrun=self.overrun_minutes,
                missing_clock_out=self.missing_clock_out_minutes,
                distance_m=self.distance_m,
            )
        except InvalidInput as error:
            raise _located(error, _TOLERANCE_KEYS.get(error.field or "", "")) from None

    def alarm(self, region: str = "FR") -> AlarmSettings | None:
        """The alarm's settings; None while no office e-mail address is set."""
        if self.office_email is None:
            return None
        number = parse_phone(self.alarm_call_number, region, what="alarm_call_number")
        try:
            return AlarmSettings(
                call_number=number,
                office_email=self.office_email,
                countdown=timedelta(seconds=self.alarm_countdown_seconds),
            )
        except InvalidInput as error:
            key = "alarm_countdown_seconds" if error.field == "countdown" else "office_email"
            raise _located(error, key) from None

    def settings(self, region: str = "FR") -> AgencySettings:
        """The settings the services keep for the agency; errors name the key at fault
        (``interventions.office_email``)."""
        return AgencySettings(self.alarm(region), self.tolerances())


_TOLERANCE_KEYS = {
    "late_start": "late_start_minutes",
    "early_end": "early_end_minutes",
    "overrun": "overrun_minutes",
    "missing_clock_out": "missing_clock_out_minutes",
    "distance_m": "distance_m",
}


def _located(error: InvalidInput, key: str) -> InvalidInput:
    field = f"interventions.{key}" if key else "interventions"
    return InvalidInput(error.message, source=error.source, field=field, text=error.text)
