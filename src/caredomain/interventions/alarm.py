"""The lone-worker alarm, "Urgence DATI" (Dispositif d'Aide au Travailleur Isolé), seed 004.

"Lors du déclenchement du dispositif d'urgence l'utilisateur dispose de 10 secondes pour
tout annuler. Cette durée est paramétrable. A la fin du décompte : un appel est démarré
(haut-parleurs activés) vers le numéro prédéfini ; un message est envoyé vers Ogust Manager
et vers l'interface web ; un email est également envoyé vers une adresse prédéfinie avec le
nom de l'intervenant, l'heure du déclenchement, la position théorique (en fonction du
planning et de l'heure) et la position réelle (GPS)."

The state machine, driven by the clock (:meth:`Alarm.tick`)::

    countdown --cancel before triggered_at + countdown--> cancelled
    countdown --tick at or after triggered_at + countdown--> fired   (AlarmFired, once)

* The trigger instant is the phone's (``at``); the countdown is the organisation's
  :class:`AlarmSettings` at that moment (10 s by default, 1 s to 5 min: the seed promises
  time to cancel).
* A trigger sent again with the same alarm id changes nothing: the countdown never restarts
  and a cancelled alarm is not re-armed (:meth:`AlarmBoard.trigger`).
* A cancel at or after the deadline is refused (``alarm.countdown_over``): the phone has
  started the call, and the next tick fires the alarm. A cancel once fired is refused
  (``alarm.already_fired``): help has been called, the caregiver must know it is coming.
  Cancelling a cancelled alarm changes nothing.
* A tick before the deadline does nothing; ticks late, repeated or out of order fire the
  alarm once at most.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from attrs import Attribute, evolve, field, frozen
from babel.dates import format_datetime
from babel.lists import format_list
from babel.units import format_unit

from caredomain.arguments import checked_fields
from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.events import Event
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    GeoPoint,
    GpsFix,
    InterventionId,
    PlannedIntervention,
    identifier,
    non_blank,
    utc,
)
from caredomain.interventions.phone_events import IdFactory
from caredomain.interventions.phonebook import PhoneNumber
from caredomain.organisation import Organisation
from caredomain.text import Text
from caredomain.validation import member_of

__all__ = [
    "DEFAULT_COUNTDOWN",
    "MAX_COUNTDOWN",
    "MIN_COUNTDOWN",
    "Alarm",
    "AlarmBoard",
    "AlarmCall",
    "AlarmCancelled",
    "AlarmEmail",
    "AlarmFired",
    "AlarmId",
    "AlarmSettings",
    "AlarmState",
    "AlarmTriggered",
    "TheoreticalPosition",
    "alarm_email",
    "office_message",
    "theoretical_position",
]

AlarmId = NewType("AlarmId", str)

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


class AlarmState(StrEnum):
    COUNTDOWN = "countdown"
    CANCELLED = "cancelled"
    FIRED = "fired"


def _alarm_state(value: object) -> AlarmState:
    return member_of(AlarmState, value, "state")


def _triggered_at(value: datetime) -> datetime:
    return utc(value, "triggered_at")


def _optional_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "at")


@frozen(kw_only=True)
class TheoreticalPosition:
    """Where the planning says the caregiver is: the client of the visit planned then."""

    intervention_id: InterventionId
    client_id: ClientId
    client_name: str
    address: str
    location: GeoPoint | None
    start: datetime
    end: datetime


def theoretical_position(
    caregiver_id: CaregiverId,
    moment: datetime,
    interventions: Iterable[PlannedIntervention],
    clients: Iterable[Client] = (),
) -> TheoreticalPosition | None:
    """The seed's "position théorique (en fonction du planning et de l'heure)": the client
    of ``caregiver_id``'s visit planned at ``moment``; of the one that began last when
    visits overlap; None when none is planned. A client missing from ``clients`` is shown
    by its id."""
    covering = [i for i in interventions if i.caregiver_id == caregiver_id and i.covers(moment)]
    if not covering:
        return None
    visit = max(covering, key=lambda i: (i.start, i.id))
    client = {c.id: c for c in clients}.get(visit.client_id)
    return TheoreticalPosition(
        intervention_id=visit.id,
        client_id=visit.client_id,
        client_name=client.name if client else visit.client_id,
        address=client.address if client else "",
        location=client.location if client else None,
        start=visit.start,
        end=visit.end,
    )


@frozen
class AlarmCall:
    """The call the phone starts when the alarm fires."""

    number: PhoneNumber
    speaker_on: bool = True


@frozen
class AlarmEmail:
    """The e-mail the alarm sends, in plain text."""

    to: str
    subject: str
    body: str


@frozen(kw_only=True)
class AlarmTriggered(Event):
    """A caregiver triggered the alarm: it fires at ``deadline`` unless she cancels."""

    alarm_id: str
    caregiver_id: str
    triggered_at: datetime
    deadline: datetime


@frozen(kw_only=True)
class AlarmCancelled(Event):
    """The caregiver cancelled the alarm during its countdown."""

    alarm_id: str
    caregiver_id: str
    cancelled_at: datetime


@frozen(kw_only=True)
class AlarmFired(Event):
    """The countdown ended: the phone calls ``call`` (speaker on), the office gets
    ``office_message`` and ``email`` goes to the set address. Recorded once per alarm.
    ``organisation_id`` is the organisation whose alarm it is (the notifications read it)."""

    alarm_id: str
    caregiver_id: str
    caregiver_name: str
    triggered_at: datetime
    call: AlarmCall
    office_message: str
    email: AlarmEmail
    intervention_id: str | None
    client_id: str | None
    gps: GpsFix | None
    gps_age_seconds: float | None
    organisation_id: str | None = None


@frozen(kw_only=True)
class Alarm:
    """One alarm, from its trigger on the phone to its cancellation or its firing. The
    settings, the GPS fix and the theoretical position are those of the trigger."""

    id: AlarmId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    caregiver_name: str = field(validator=non_blank)
    triggered_at: datetime = field(converter=_triggered_at)
    settings: AlarmSettings
    gps: GpsFix | None = None
    theoretical: TheoreticalPosition | None = None
    state: AlarmState = field(default=AlarmState.COUNTDOWN, converter=_alarm_state)
    cancelled_at: datetime | None = field(default=None, converter=_optional_at)
    fired_at: datetime | None = field(default=None, converter=_optional_at)

    def __attrs_post_init__(self) -> None:
        consistent = {
            AlarmState.COUNTDOWN: self.cancelled_at is None and self.fired_at is None,
            AlarmState.CANCELLED: self.cancelled_at is not None and self.fired_at is None,
            AlarmState.FIRED: self.fired_at is not None and self.cancelled_at is None,
        }
        if not consistent[self.state]:
            raise InvalidInput(
                Text("an alarm is cancelled or fired, with when, or neither"),
                field="state",
                text=self.id,
            )

    @classmethod
    def trigger(
        cls,
        alarm_id: AlarmId,
        caregiver: Caregiver,
        at: datetime,
        settings: AlarmSettings,
        *,
        new_id: IdFactory,
        gps: GpsFix | None = None,
        interventions: Iterable[PlannedIntervention] = (),
        clients: Iterable[Client] = (),
    ) -> tuple[Alarm, AlarmTriggered]:
        """The caregiver pressed the DATI icon at ``at`` (the phone's instant): the
        countdown starts; ``gps`` is the phone's last fix, ``interventions`` her planning."""
        alarm = cls(
            id=alarm_id,
            caregiver_id=caregiver.id,
            caregiver_name=caregiver.name,
            triggered_at=at,
            settings=settings,
            gps=gps,
            theoretical=theoretical_position(caregiver.id, at, interventions, clients),
        )
        event = AlarmTriggered(
            event_id=new_id(),
            occurred_at=alarm.triggered_at,
            alarm_id=alarm.id,
            caregiver_id=alarm.caregiver_id,
            triggered_at=alarm.triggered_at,
            deadline=alarm.deadline,
        )
        return alarm, event

    @property
    def deadline(self) -> datetime:
        """When the countdown ends and the alarm fires."""
        return self.triggered_at + self.settings.countdown

    @property
    def gps_age(self) -> timedelta | None:
        """How old the GPS fix was when the alarm was triggered (negative: taken after)."""
        return None if self.gps is None else self.triggered_at - self.gps.taken_at

    def cancel(
        self, *, by: CaregiverId, at: datetime, new_id: IdFactory
    ) -> tuple[Alarm, AlarmCancelled | None]:
        """The caregiver cancels during the countdown; see the module's rules."""
        moment = utc(at, "at")
        if by != self.caregiver_id:
            raise Forbidden(
                Text("only {caregiver} can cancel her alarm", caregiver=repr(self.caregiver_id))
            )
        if self.state is AlarmState.CANCELLED:
            return self, None
        if self.state is AlarmState.FIRED:
            raise RuleViolation(
                "alarm.already_fired",
                Text("the alarm has gone off: the call and the e-mail are sent"),
            )
        if moment >= self.deadline:
            raise RuleViolation(
                "alarm.countdown_over", Text("the countdown is over: the alarm is going off")
            )
        event = AlarmCancelled(
            event_id=new_id(),
            occurred_at=moment,
            alarm_id=self.id,
            caregiver_id=self.caregiver_id,
            cancelled_at=moment,
        )
        return evolve(self, state=AlarmState.CANCELLED, cancelled_at=moment), event

    def tick(
        self, now: datetime, organisation: Organisation, *, new_id: IdFactory
    ) -> tuple[Alarm, AlarmFired | None]:
        """The clock says ``now``: an alarm still counting down fires once ``now`` reaches
        its deadline, and only then; at any other time nothing happens."""
        moment = utc(now, "now")
        if self.state is not AlarmState.COUNTDOWN or moment < self.deadline:
            return self, None
        fired = evolve(self, state=AlarmState.FIRED, fired_at=moment)
        age = fired.gps_age
        event = AlarmFired(
            event_id=new_id(),
            occurred_at=moment,
            alarm_id=fired.id,
            caregiver_id=fired.caregiver_id,
            caregiver_name=fired.caregiver_name,
            triggered_at=fired.triggered_at,
            call=AlarmCall(fired.settings.call_number),
            office_message=office_message(fired, organisation),
            email=alarm_email(fired, organisation),
            intervention_id=fired.theoretical.intervention_id if fired.theoretical else None,
            client_id=fired.theoretical.client_id if fired.theoretical else None,
            gps=fired.gps,
            gps_age_seconds=None if age is None else age.total_seconds(),
            organisation_id=organisation.id,
        )
        return fired, event


class AlarmBoard:
    """An organisation's alarms by id: triggers (duplicates recognised), cancellations and
    clock ticks. The events each call returns are what happened, once."""

    def __init__(self, organisation: Organisation, alarms: Iterable[Alarm] = ()) -> None:
        self.organisation = organisation
        self._alarms: dict[AlarmId, Alarm] = {}
        for alarm in alarms:
            if alarm.id in self._alarms:
                raise InvalidInput(Text("alarm ids must be unique"), field="alarms", text=alarm.id)
            self._alarms[alarm.id] = alarm

    @property
    def alarms(self) -> tuple[Alarm, ...]:
        return tuple(self._alarms.values())

    def alarm(self, alarm_id: AlarmId) -> Alarm:
        try:
            return self._alarms[alarm_id]
        except KeyError:
            raise NotFound(Text("no alarm {alarm}", alarm=repr(alarm_id))) from None

    def trigger(
        self,
        alarm_id: AlarmId,
        caregiver: Caregiver,
        at: datetime,
        settings: AlarmSettings,
        *,
        new_id: IdFactory,
        gps: GpsFix | None = None,
        interventions: Iterable[PlannedIntervention] = (),
        clients: Iterable[Client] = (),
    ) -> list[Event]:
        """A trigger from a phone. The same alarm id again changes nothing (the phone
        resent it); the same id from another caregiver is a Conflict."""
        known = self._alarms.get(alarm_id)
        if known is not None:
            if known.caregiver_id != caregiver.id:
                raise Conflict(
                    Text("alarm id {alarm} belongs to another caregiver", alarm=repr(alarm_id))
                )
            return []
        alarm, event = Alarm.trigger(
            alarm_id,
            caregiver,
            at,
            settings,
            new_id=new_id,
            gps=gps,
            interventions=interventions,
            clients=clients,
        )
        self._alarms[alarm.id] = alarm
        return [event]

    def cancel(
        self, alarm_id: AlarmId, *, by: CaregiverId, at: datetime, new_id: IdFactory
    ) -> list[Event]:
        alarm, event = self.alarm(alarm_id).cancel(by=by, at=at, new_id=new_id)
        self._alarms[alarm.id] = alarm
        return [] if event is None else [event]

    def tick(self, now: datetime, *, new_id: IdFactory) -> list[AlarmFired]:
        """The clock says ``now``: each alarm whose countdown is over fires, once."""
        fired: list[AlarmFired] = []
        for alarm_id, alarm in list(self._alarms.items()):
            after, event = alarm.tick(now, self.organisation, new_id=new_id)
            if event is not None:
                self._alarms[alarm_id] = after
                fired.append(event)
        return fired

    def counting_down(self) -> tuple[Alarm, ...]:
        """The alarms still in their countdown, the soonest deadline first."""
        waiting = (a for a in self._alarms.values() if a.state is AlarmState.COUNTDOWN)
        return tuple(sorted(waiting, key=lambda a: (a.deadline, a.id)))


# The texts, in French: the seed's organisations read them.

_MOMENT = "EEEE d MMMM y 'à' HH:mm:ss"
_HOUR = "HH:mm"


def _when(moment: datetime, organisation: Organisation, pattern: str = _MOMENT) -> str:
    local = organisation.local(moment)
    return str(
        format_datetime(local, pattern, tzinfo=organisation.zone, locale=organisation.locale)
    )


def _duration(seconds: int, locale: str) -> str:
    """A duration in words: "45 secondes", "2 minutes et 5 secondes", "1 heure"."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [
        format_unit(amount, unit, length="long", locale=locale)
        for amount, unit in (
            (hours, "duration-hour"),
            (minutes, "duration-minute"),
            (secs, "duration-second"),
        )
        if amount
    ]
    return str(format_list(parts, style="standard", locale=locale))


def _theoretical_text(alarm: Alarm, organisation: Organisation) -> str:
    place = alarm.theoretical
    if place is None:
        return "aucune intervention prévue à cette heure"
    address = f", {place.address}" if place.address.strip() else ""
    start, end = (_when(m, organisation, _HOUR) for m in (place.start, place.end))
    return (
        f"chez {place.client_name}{address} "
        f"(intervention {place.intervention_id}, de {start} à {end})"
    )


def _gps_text(alarm: Alarm, organisation: Organisation) -> str:
    fix, age = alarm.gps, alarm.gps_age
    if fix is None or age is None:
        return "aucune position GPS"
    seconds = round(age.total_seconds())
    words = _duration(abs(seconds), organisation.locale)
    when = (
        "au moment du déclenchement"
        if seconds == 0
        else f"{words} {'avant' if seconds > 0 else 'après'} le déclenchement"
    )
    precision = format_unit(
        round(fix.accuracy_m), "length-meter", length="short", locale=organisation.locale
    )
    lat, lon = f"{fix.point.latitude:.6f}", f"{fix.point.longitude:.6f}"
    return (
        f"{fix.point}, précision {precision}, relevée {when}\n"
        f"  https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    )


def office_message(alarm: Alarm, organisation: Organisation) -> str:
    """The message the office receives ("Ogust Manager" and the web interface)."""
    return (
        f"Alerte DATI : {alarm.caregiver_name} a déclenché l'alarme "
        f"le {_when(alarm.triggered_at, organisation)}. "
        f"Position théorique : {_theoretical_text(alarm, organisation)}. "
        f"Appel lancé vers le {alarm.settings.call_number}."
    )


def alarm_email(alarm: Alarm, organisation: Organisation) -> AlarmEmail:
    """The e-mail to the set address: the caregiver's name, the time of the trigger on the
    organisation's clock, the theoretical position and the real (GPS) one."""
    subject = f"Alerte DATI : {alarm.caregiver_name}"
    body = "\n".join(
        [
            "Alerte du Dispositif d'Aide au Travailleur Isolé (DATI).",
            "",
            f"Intervenant : {alarm.caregiver_name} ({alarm.caregiver_id})",
            f"Déclenchement : {_when(alarm.triggered_at, organisation)} ({organisation.zone.key})",
            f"Position théorique : {_theoretical_text(alarm, organisation)}",
            f"Position réelle (GPS) : {_gps_text(alarm, organisation)}",
            "",
            f"Un appel a été lancé vers le {alarm.settings.call_number}, haut-parleur activé.",
        ]
    )
    return AlarmEmail(alarm.settings.office_email, subject, body)
