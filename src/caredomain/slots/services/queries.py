"""Reading the appointment book (seed 003): free slots, why none, one appointment.

Who reads is who could book: on the portal a citizen for herself; in the back office the
staff, and, when the type names the services that manage it, only those services' staff
(:func:`~caredomain.slots.rules.service_refusal`, which booking, cancelling and the
listings all ask). Each query asks :func:`~caredomain.access.authorize_action` before it
reads anything, so an outsider learns nothing of what exists.
"""

from __future__ import annotations

from datetime import date, timedelta

from caredomain.access import Action, Actor, Resource, authorize, authorize_action, is_allowed
from caredomain.arguments import checked
from caredomain.errors import Forbidden, InvalidInput
from caredomain.organisation import Organisation, OrganisationId
from caredomain.services.context import ServiceContext
from caredomain.slots.appointments import Appointment, Channel
from caredomain.slots.index import Slot
from caredomain.slots.model import AppointmentId, AppointmentType, PlaceId, TypeId
from caredomain.slots.ports import slots_unit_of_work
from caredomain.slots.rules import NOT_ON_PORTAL, portal_refusal, service_refusal
from caredomain.slots.services.agendas import SeatScope, load_agenda, local_midnight, no_seats
from caredomain.slots.settings import SlotSettings
from caredomain.slots.why import Availability
from caredomain.text import Text

__all__ = [
    "MAX_DAYS",
    "authorize_channel",
    "find_appointment",
    "free_slots",
    "why_no_slot",
]

MAX_DAYS = 5 * 366
"""The longest span a free-slot query covers (the longest window is five years)."""


@checked
def free_slots(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    type_id: TypeId,
    *,
    first: date | None = None,
    days: int = 14,
    place_id: PlaceId | None = None,
    option: str | None = None,
    channel: Channel = Channel.BACK_OFFICE,
) -> list[Slot]:
    """The slots of a type one can book now, over ``days`` days from ``first`` (the
    organisation's today by default), optionally at one place or for one option; on the
    portal, only what the portal offers. By start, then counter."""
    authorize_channel(actor, channel)
    if isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            Text("from 1 to {most} days", most=MAX_DAYS), field="days", text=str(days)
        )
    now = context.clock.now()

    def seats(organisation: Organisation, settings: SlotSettings) -> SeatScope:
        start = first or organisation.today(now)
        return _seats_between(organisation, settings, type_id, place_id, first=start, days=days)

    with slots_unit_of_work(context.store, write=False) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=now,
            new_id=context.new_id,
            seats=seats,
            documents=context.documents,
        )
    agenda = loaded.agenda
    _authorize_viewing(actor, agenda.settings.type(type_id), channel, agenda.organisation)
    if place_id is not None:
        agenda.settings.place(place_id)
    start = first or agenda.organisation.today(now)
    last = start + timedelta(days=days - 1)
    return agenda.free_slots(
        type_id, start, last, now=now, place_id=place_id, option=option, channel=channel
    )


@checked
def why_no_slot(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    type_id: TypeId,
    day: date,
    *,
    place_id: PlaceId | None = None,
    channel: Channel = Channel.BACK_OFFICE,
) -> list[Availability]:
    """For each place serving the type (or only ``place_id``): every slot its counters'
    reference weeks give on ``day``, and why each cannot be booked now (none: free). On
    the portal, only the places shown there (``slot.not_on_portal`` if none is)."""
    authorize_channel(actor, channel)
    now = context.clock.now()

    def seats(organisation: Organisation, settings: SlotSettings) -> SeatScope:
        return _seats_between(organisation, settings, type_id, place_id, first=day, days=1)

    with slots_unit_of_work(context.store, write=False) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=now,
            new_id=context.new_id,
            seats=seats,
            documents=context.documents,
        )
    agenda = loaded.agenda
    settings = agenda.settings
    kind = settings.type(type_id)
    _authorize_viewing(actor, kind, channel, agenda.organisation)
    if place_id is not None:
        places = [settings.place(place_id)]
    else:
        places = [
            settings.place(p) for p in sorted({c.place_id for c in settings.counters_of(type_id)})
        ]
    shown = [place for place in places if portal_refusal(kind, place, channel) is None]
    if places and not shown:
        raise NOT_ON_PORTAL.violation()
    return [agenda.why(type_id, place.id, day, now=now) for place in shown]


@checked
def find_appointment(
    context: ServiceContext,
    actor: Actor,
    organisation_id: OrganisationId,
    appointment_id: AppointmentId,
) -> Appointment:
    """One appointment, for the back office (of a type its services manage) or for the
    citizen it is for; :class:`~caredomain.errors.Forbidden` to anyone else, whether or not
    it exists."""
    authorize_action(actor, Action.APPOINTMENT_MANAGE, Action.APPOINTMENT_SELF_SERVICE)
    with slots_unit_of_work(context.store, write=False) as uow:
        loaded = load_agenda(
            uow,
            actor,
            organisation_id,
            now=context.clock.now(),
            new_id=context.new_id,
            seats=no_seats,
            appointments=lambda _: [uow.slots.appointment(organisation_id, appointment_id)],
            documents=context.documents,
        )
    appointment = loaded.agenda.appointment(appointment_id)
    settings = loaded.agenda.settings
    kind = settings.type(settings.counter(appointment.counter_id).type_id)
    configuration = loaded.organisation.configuration
    own = Resource(
        "appointment",
        appointment.id,
        owner=appointment.beneficiary.id,
        configuration=configuration,
    )
    if not (
        _may_manage(actor, kind, loaded.organisation)
        or is_allowed(actor, Action.APPOINTMENT_SELF_SERVICE, own)
    ):
        raise Forbidden(
            Text(
                "{who} may not see appointment {appointment}",
                who=actor.id,
                appointment=appointment.id,
            )
        )
    return appointment


def _seats_between(
    organisation: Organisation,
    settings: SlotSettings,
    type_id: TypeId,
    place_id: PlaceId | None,
    *,
    first: date,
    days: int,
) -> SeatScope:
    counters = frozenset(c.id for c in settings.counters_of(type_id, place_id))
    before = first + timedelta(days=min(days, MAX_DAYS))
    return SeatScope(
        counters, local_midnight(organisation, first), local_midnight(organisation, before)
    )


def authorize_channel(actor: Actor, channel: Channel) -> None:
    """Before any lookup, whoever reads or books: on the portal a citizen, in the back
    office the staff."""
    if channel is Channel.PORTAL:
        authorize_action(actor, Action.APPOINTMENT_SELF_SERVICE)
    else:
        authorize_action(actor, Action.APPOINTMENT_MANAGE)


def _may_manage(actor: Actor, kind: AppointmentType, organisation: Organisation) -> bool:
    """Whether ``actor`` may act in the back office on appointments of type ``kind``: the
    staff, of the type's services when it names some (as booking and cancelling check)."""
    resource = Resource(
        "appointment type",
        kind.id,
        services=kind.services,
        configuration=organisation.configuration,
    )
    return (
        is_allowed(actor, Action.APPOINTMENT_MANAGE, resource)
        and service_refusal(actor, kind, Channel.BACK_OFFICE) is None
    )


def _authorize_viewing(
    actor: Actor, kind: AppointmentType, channel: Channel, organisation: Organisation
) -> None:
    """Who books may list: on the portal a citizen; in the back office the staff, and,
    when the type names services, only theirs (the booking would refuse the others)."""
    configuration = organisation.configuration
    if channel is Channel.PORTAL:
        own = Resource("appointment", owner=actor.id, configuration=configuration)
        authorize(actor, Action.APPOINTMENT_SELF_SERVICE, own)
        return
    resource = Resource(
        "appointment type", kind.id, services=kind.services, configuration=configuration
    )
    authorize(actor, Action.APPOINTMENT_MANAGE, resource)
    refusal = service_refusal(actor, kind, channel)
    if refusal is not None:
        raise refusal.violation()
