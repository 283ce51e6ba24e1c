"""The kinds of notification, in one registry (seed 003, "Notifications globales").

An :class:`EventKind` says which domain event it notifies (or that it is scheduled, as the
reminder is), which merge fields its templates may use, and how to read from the event
what a message needs (:class:`Occurrence`). The seven appointment kinds are registered
here; another module registers its own the same way::

    from caredomain.notifications.kinds import KINDS, EventKind

    KINDS.register(EventKind("roster.post_vacated", "Poste vacant", fields, PostVacated, ...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from attrs import field, frozen

from caredomain.errors import Conflict, InvalidInput
from caredomain.events import Event
from caredomain.interventions.alarm import AlarmFired
from caredomain.interventions.phone_events import CaregiverMessageReceived
from caredomain.notifications.outbound import CalendarMethod
from caredomain.slots.events import (
    AppointmentBooked,
    AppointmentCancelledByAgent,
    AppointmentCancelledByCitizen,
    AppointmentDeprogrammed,
    AppointmentEvent,
    AppointmentMarkedNoShow,
    AppointmentRescheduled,
)
from caredomain.text import Text

__all__ = [
    "ALARM_FIELDS",
    "APPOINTMENT_FIELDS",
    "CAREGIVER_MESSAGE_FIELDS",
    "KINDS",
    "Contact",
    "EventKind",
    "FieldType",
    "KindRegistry",
    "MergeField",
    "Occurrence",
]


class FieldType(StrEnum):
    """How a merge field's value is written: as it is, as a French date, as a duration."""

    TEXT = "text"
    DATETIME = "datetime"
    DURATION = "duration"  # a whole number of minutes


@frozen
class MergeField:
    """A merge field ("champ de fusion"): ``{number}`` in a template."""

    number: int
    label: str
    type: FieldType = FieldType.TEXT


@frozen
class Contact:
    """Whom a notification is for, with the addresses the event knows (either may lack)."""

    name: str
    email: str | None = None
    phone: str | None = None


MergeValue = str | int | datetime | None


@frozen
class Occurrence:
    """What a notification needs from one event, whatever module it comes from.

    ``scope`` selects type-specific settings (the appointment type's id); ``topic`` is what
    the event is about (``appointment:<id>``), by which pending reminders are withdrawn.
    ``values`` are the raw values of the merge fields, in the order of their numbers.
    ``starts_at``/``ends_at`` are the start and end of what is notified, for reminders and
    calendar entries.
    """

    organisation_id: str
    scope: str | None
    topic: str
    contact: Contact
    values: tuple[MergeValue, ...]
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    summary: str = ""
    location: str = ""


@frozen
class EventKind:
    """One kind of notification.

    ``event_class`` is the event that triggers it; ``None`` marks a scheduled kind (the
    reminder), queued by another kind's ``reminder``. ``describe`` reads an event of the
    class. ``withdraws_reminders``: this event makes the pending reminders of its topic
    pointless (cancelled, moved). ``calendar``: mails of this kind carry a calendar entry.
    ``default_channels`` are those used until an administrator saves settings.
    """

    key: str
    label: str
    fields: tuple[MergeField, ...]
    event_class: type[Event] | None = None
    describe: Callable[[Event], Occurrence] | None = field(default=None, eq=False)
    reminder: str | None = None
    withdraws_reminders: bool = False
    calendar: CalendarMethod | None = None
    default_channels: frozenset[str] = frozenset({"mail"})

    @property
    def scheduled(self) -> bool:
        return self.event_class is None

    @property
    def numbers(self) -> frozenset[int]:
        """The merge field numbers its templates may use."""
        return frozenset(merge_field.number for merge_field in self.fields)


class KindRegistry:
    """The kinds of notification, by key and by event class."""

    def __init__(self) -> None:
        self._kinds: dict[str, EventKind] = {}
        self._by_class: dict[type[Event], EventKind] = {}

    def register(self, kind: EventKind) -> EventKind:
        """Add ``kind``; registering the same kind again does nothing, another under a
        taken key or event class is a :class:`~caredomain.errors.Conflict`."""
        known = self._kinds.get(kind.key)
        if known is not None:
            if known == kind:
                return known
            raise Conflict(
                Text("a notification kind {kind} is already registered", kind=repr(kind.key))
            )
        if kind.event_class is not None:
            if kind.event_class in self._by_class:
                taken = self._by_class[kind.event_class].key
                raise Conflict(
                    Text(
                        "{event} is already notified as {kind}",
                        event=kind.event_class.__name__,
                        kind=repr(taken),
                    )
                )
            if kind.describe is None:
                raise InvalidInput(Text("a kind with an event class needs describe"), text=kind.key)
            self._by_class[kind.event_class] = kind
        self._kinds[kind.key] = kind
        return kind

    def get(self, key: str) -> EventKind:
        """The kind registered as ``key`` (or as the event class named ``key``)."""
        kind = self._kinds.get(key)
        if kind is None:
            kind = next((k for c, k in self._by_class.items() if c.__name__ == key), None)
        if kind is None:
            known = ", ".join(sorted(self._kinds))
            raise InvalidInput(
                Text("unknown notification kind; known: {known}", known=known), text=key
            )
        return kind

    def for_event(self, event: Event) -> EventKind | None:
        """The kind notifying ``event``, or ``None`` if nobody is told of it."""
        return self._by_class.get(type(event))

    def __iter__(self) -> Iterator[EventKind]:
        return iter(self._kinds.values())

    def __contains__(self, key: object) -> bool:
        return key in self._kinds

    def __repr__(self) -> str:
        return f"KindRegistry({sorted(self._kinds)})"


# ---------------------------------------------------------------------------------------
# The seven appointment kinds (seed 003)
# ---------------------------------------------------------------------------------------

_COMMON = (
    MergeField(0, "Bénéficiaire"),
    MergeField(1, "Date du rendez-vous", FieldType.DATETIME),
    MergeField(2, "Nom du guichet"),
    MergeField(3, "Nom du lieu de rendez-vous"),
    MergeField(4, "Lieu de rendez-vous (adresse)"),
    MergeField(5, "Nom du type de guichet"),
    MergeField(6, "Durée du rendez-vous", FieldType.DURATION),
)
APPOINTMENT_FIELDS = (*_COMMON, MergeField(7, "Précédente date du rendez-vous", FieldType.DATETIME))
"""The seed's merge fields {0} to {7}; {7} only where a previous date exists."""


def _appointment(event: Event) -> Occurrence:
    if not isinstance(event, AppointmentEvent):
        raise InvalidInput(Text("not an appointment event"), text=event.kind)
    beneficiary = event.beneficiary
    return Occurrence(
        organisation_id=event.organisation_id,
        scope=event.type_id,
        topic=f"appointment:{event.appointment_id}",
        contact=Contact(beneficiary.name, beneficiary.email, beneficiary.phone),
        values=event.merge_values(),
        starts_at=event.start,
        ends_at=_after(event.start, event.duration_minutes),
        summary=f"{event.type_label} — {event.counter_name}",
        location=", ".join(part for part in (event.place_name, event.place_address) if part),
    )


def _after(start: datetime, minutes: int) -> datetime:
    # Through UTC: wall-clock arithmetic would be wrong across a change of offset.
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(start.tzinfo)


REMINDER = "appointment.reminder"

KINDS = KindRegistry()
"""The registry every module registers its kinds in; the notifier reads it by default."""

for _kind in (
    EventKind(
        "appointment.created",
        "Création du RDV",
        _COMMON,
        AppointmentBooked,
        _appointment,
        reminder=REMINDER,
        calendar=CalendarMethod.PUBLISH,
    ),
    EventKind(
        REMINDER,
        "Rappel",
        _COMMON,
        default_channels=frozenset({"mail", "sms"}),
    ),
    EventKind(
        "appointment.date_changed",
        "Changement de date",
        APPOINTMENT_FIELDS,
        AppointmentRescheduled,
        _appointment,
        reminder=REMINDER,
        withdraws_reminders=True,
        calendar=CalendarMethod.PUBLISH,
    ),
    EventKind(
        "appointment.no_show",
        "Absence",
        _COMMON,
        AppointmentMarkedNoShow,
        _appointment,
        withdraws_reminders=True,
    ),
    EventKind(
        "appointment.deprogrammed",
        "Rendez-vous déprogrammé",
        _COMMON,
        AppointmentDeprogrammed,
        _appointment,
        withdraws_reminders=True,
        default_channels=frozenset({"mail", "sms"}),
        calendar=CalendarMethod.CANCEL,
    ),
    EventKind(
        "appointment.cancelled_by_citizen",
        "Annulation par l'usager",
        _COMMON,
        AppointmentCancelledByCitizen,
        _appointment,
        withdraws_reminders=True,
        calendar=CalendarMethod.CANCEL,
    ),
    EventKind(
        "appointment.cancelled_by_agent",
        "Annulation par un agent",
        _COMMON,
        AppointmentCancelledByAgent,
        _appointment,
        withdraws_reminders=True,
        calendar=CalendarMethod.CANCEL,
    ),
):
    KINDS.register(_kind)


# ---------------------------------------------------------------------------------------
# Home care (seed 004): the DATI alarm's e-mail, a caregiver's message to her manager
# ---------------------------------------------------------------------------------------

ALARM_FIELDS = (
    MergeField(0, "Intervenant"),
    MergeField(1, "Heure du déclenchement", FieldType.DATETIME),
    MergeField(2, "Objet de l'alerte"),
    MergeField(3, "Texte de l'alerte (positions théorique et réelle)"),
)
CAREGIVER_MESSAGE_FIELDS = (
    MergeField(0, "Intervenant"),
    MergeField(1, "Date du message", FieldType.DATETIME),
    MergeField(2, "Message"),
    MergeField(3, "Responsable"),
)


def _organisation_of(event: AlarmFired | CaregiverMessageReceived) -> str:
    if not event.organisation_id:
        raise InvalidInput(
            Text("the event names no organisation"),
            field="organisation_id",
            text=event.event_id,
        )
    return event.organisation_id


def _alarm_fired(event: Event) -> Occurrence:
    """The alarm's e-mail, to the address set for the agency; the domain wrote its texts."""
    if not isinstance(event, AlarmFired):
        raise InvalidInput(Text("not an alarm event"), text=event.kind)
    return Occurrence(
        organisation_id=_organisation_of(event),
        scope=None,
        topic=f"alarm:{event.alarm_id}",
        contact=Contact("DATI", event.email.to),
        values=(event.caregiver_name, event.triggered_at, event.email.subject, event.email.body),
    )


def _caregiver_message(event: Event) -> Occurrence:
    """A caregiver's message, to her manager's address when the thread alerts by e-mail
    (``mail_to``); without one the message is kept as skipped, with the reason."""
    if not isinstance(event, CaregiverMessageReceived):
        raise InvalidInput(Text("not a caregiver message event"), text=event.kind)
    return Occurrence(
        organisation_id=_organisation_of(event),
        scope=None,
        topic=f"message:{event.message_id}",
        contact=Contact(event.manager, event.mail_to),
        values=(event.caregiver_name, event.sent_at, event.text, event.manager),
    )


for _kind in (
    EventKind("intervention.alarm_fired", "Alerte DATI", ALARM_FIELDS, AlarmFired, _alarm_fired),
    EventKind(
        "intervention.caregiver_message",
        "Message d'un intervenant",
        CAREGIVER_MESSAGE_FIELDS,
        CaregiverMessageReceived,
        _caregiver_message,
    ),
):
    KINDS.register(_kind)
