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
  :class:`~caredomain.interventions.alarm_settings.AlarmSettings` at that moment (10 s by
  default, 1 s to 5 min: the seed promises time to cancel).
* A trigger sent again with the same alarm id changes nothing: the countdown never restarts
  and a cancelled alarm is not re-armed (:meth:`AlarmBoard.trigger`).
* A cancel at or after the deadline is refused (``alarm.countdown_over``): the phone has
  started the call, and the next tick fires the alarm. A cancel once fired is refused
  (``alarm.already_fired``): help has been called, the caregiver must know it is coming.
  Cancelling a cancelled alarm changes nothing.
* A tick before the deadline does nothing; ticks late, repeated or out of order fire the
  alarm once at most.

What a fired alarm tells (the call, the office's message, the e-mail) is
:mod:`~caredomain.interventions.alarm_report`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.events import Event
from caredomain.interventions.alarm_report import (
    AlarmCall,
    AlarmEmail,
    TheoreticalPosition,
    alarm_email,
    office_message,
    theoretical_position,
)
from caredomain.interventions.alarm_settings import AlarmSettings
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    GpsFix,
    PlannedIntervention,
    utc,
)
from caredomain.interventions.phone_events import IdFactory
from caredomain.organisation import Organisation
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "Alarm",
    "AlarmBoard",
    "AlarmCancelled",
    "AlarmFired",
    "AlarmId",
    "AlarmState",
    "AlarmTriggered",
]

AlarmId = NewType("AlarmId", str)


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
