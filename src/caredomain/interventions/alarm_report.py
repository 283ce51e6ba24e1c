"""What a fired alarm tells (seed 004): "un appel est démarré (haut-parleurs activés) vers
le numéro prédéfini ; un message est envoyé vers Ogust Manager et vers l'interface web ; un
email est également envoyé vers une adresse prédéfinie avec le nom de l'intervenant,
l'heure du déclenchement, la position théorique (en fonction du planning et de l'heure) et
la position réelle (GPS)" — the theoretical position, the call, the office's message and
the e-mail, in French: the seed's organisations read them.

The texts read an alarm through :class:`FiredAlarm`, what they need of an
:class:`~caredomain.interventions.alarm.Alarm`, which builds them when it fires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from attrs import frozen
from babel.dates import format_datetime
from babel.lists import format_list
from babel.units import format_unit

from caredomain.geo import GeoPoint
from caredomain.interventions.alarm_settings import AlarmSettings
from caredomain.interventions.model import (
    CaregiverId,
    Client,
    ClientId,
    GpsFix,
    InterventionId,
    PlannedIntervention,
)
from caredomain.interventions.phonebook import PhoneNumber
from caredomain.organisation import Organisation

__all__ = [
    "AlarmCall",
    "AlarmEmail",
    "FiredAlarm",
    "TheoreticalPosition",
    "alarm_email",
    "office_message",
    "theoretical_position",
]


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


class FiredAlarm(Protocol):
    """What the texts read of an :class:`~caredomain.interventions.alarm.Alarm`."""

    @property
    def caregiver_id(self) -> CaregiverId: ...

    @property
    def caregiver_name(self) -> str: ...

    @property
    def triggered_at(self) -> datetime: ...

    @property
    def settings(self) -> AlarmSettings: ...

    @property
    def gps(self) -> GpsFix | None: ...

    @property
    def theoretical(self) -> TheoreticalPosition | None: ...

    @property
    def gps_age(self) -> timedelta | None: ...


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


def _theoretical_text(alarm: FiredAlarm, organisation: Organisation) -> str:
    place = alarm.theoretical
    if place is None:
        return "aucune intervention prévue à cette heure"
    address = f", {place.address}" if place.address.strip() else ""
    start, end = (_when(m, organisation, _HOUR) for m in (place.start, place.end))
    return (
        f"chez {place.client_name}{address} "
        f"(intervention {place.intervention_id}, de {start} à {end})"
    )


def _gps_text(alarm: FiredAlarm, organisation: Organisation) -> str:
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


def office_message(alarm: FiredAlarm, organisation: Organisation) -> str:
    """The message the office receives ("Ogust Manager" and the web interface)."""
    return (
        f"Alerte DATI : {alarm.caregiver_name} a déclenché l'alarme "
        f"le {_when(alarm.triggered_at, organisation)}. "
        f"Position théorique : {_theoretical_text(alarm, organisation)}. "
        f"Appel lancé vers le {alarm.settings.call_number}."
    )


def alarm_email(alarm: FiredAlarm, organisation: Organisation) -> AlarmEmail:
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
