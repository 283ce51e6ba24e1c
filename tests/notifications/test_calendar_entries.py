"""Every mail that changes an appointment carries its .ics: the citizen's calendar follows.

The mails are composed by the mail adapter and their ``rendez-vous.ics`` parsed with
icalendar, as a mail client would read them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import icalendar

from caredomain.calendar import Closure
from caredomain.notifications import OutboxMessage
from caredomain.slots import Appointment, Beneficiary, Channel
from caredomain.slots.services import (
    add_closure,
    book_slot,
    cancel_appointment,
    reschedule_appointment,
)
from caredomain_messaging.mail import compose


def _book(town: Any, start: datetime, who: str) -> Appointment:
    """Booked by the agent for ``who`` (``marie`` is the town's citizen, with an account)."""
    beneficiary = (
        town.marie if who == "marie" else Beneficiary(who, who.title(), email=f"{who}@example.org")
    )
    appointment: Appointment = book_slot(
        town.context,
        town.agent,
        town.organisation.id,
        counter_id=town.counter,
        start=start,
        beneficiary=beneficiary,
        channel=Channel.BACK_OFFICE,
    )
    return appointment


def _later(town: Any) -> None:
    town.clock.set(town.clock.now() + timedelta(minutes=7))


def _calendars(town: Any, who: str) -> list[tuple[str, icalendar.Calendar]]:
    """The kind and the parsed .ics of each mail to ``who``, in the order they were queued."""
    with town.store.unit_of_work(write=False) as uow:
        messages: list[OutboxMessage] = uow.notifications.messages(limit=1000)
    found = []
    for message in sorted(messages, key=lambda m: m.created_at):
        if message.channel != "mail" or message.recipient != f"{who}@example.org":
            continue
        mail = compose(
            message.outbound(),
            sender="Mairie <rdv@mairie.example>",
            envelope_from="rdv@mairie.example",
            domain="mairie.example",
        )
        parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
        if parts:
            (part,) = parts
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            assert part.get_param("method") == icalendar.Calendar.from_ical(payload)["METHOD"]
            found.append((message.kind, icalendar.Calendar.from_ical(payload)))
    return found


def _event(calendar: icalendar.Calendar) -> icalendar.Event:
    (event,) = calendar.walk("VEVENT")
    return event


def test_booked_moved_then_deprogrammed_the_calendar_follows(town: Any) -> None:
    appointment = _book(town, town.tuesday_1430, "marie")
    _later(town)
    moved_to = datetime(2026, 2, 5, 9, 10, tzinfo=town.tuesday_1430.tzinfo)
    reschedule_appointment(
        town.context,
        town.agent,
        town.organisation.id,
        appointment.id,
        counter_id=town.counter,
        start=moved_to,
        channel=Channel.BACK_OFFICE,
    )
    _later(town)
    add_closure(
        town.context, town.admin, town.organisation.id, Closure.on(moved_to.date(), "Travaux")
    )
    entries = _calendars(town, "marie")
    assert [(kind, str(c["METHOD"])) for kind, c in entries] == [
        ("appointment.created", "PUBLISH"),
        ("appointment.date_changed", "PUBLISH"),
        ("appointment.deprogrammed", "CANCEL"),
    ]
    events = [_event(calendar) for _, calendar in entries]
    assert len({str(event["UID"]) for event in events}) == 1
    sequences = [int(event["SEQUENCE"]) for event in events]
    assert sequences == sorted(set(sequences))  # strictly increasing
    assert events[0].decoded("DTSTART") == town.tuesday_1430
    assert events[1].decoded("DTSTART") == moved_to  # the new time
    assert str(events[2]["STATUS"]) == "CANCELLED"


def test_no_rsvp_is_asked_and_a_cancellation_names_the_citizen(town: Any) -> None:
    by_citizen = _book(town, town.tuesday_1430, "marie")
    by_agent = _book(town, town.tuesday_1430 + timedelta(minutes=20), "paul")
    _later(town)
    cancel_appointment(
        town.context,
        town.citizen,
        town.organisation.id,
        by_citizen.id,
        channel=Channel.PORTAL,
    )
    cancel_appointment(
        town.context, town.agent, town.organisation.id, by_agent.id, channel=Channel.BACK_OFFICE
    )
    for who, cancelled_kind in (
        ("marie", "appointment.cancelled_by_citizen"),
        ("paul", "appointment.cancelled_by_agent"),
    ):
        (created, cancelled) = _calendars(town, who)
        assert created[0] == "appointment.created"
        assert "ATTENDEE" not in _event(created[1])  # no RSVP buttons for the citizen
        assert cancelled[0] == cancelled_kind
        assert str(cancelled[1]["METHOD"]) == "CANCEL"
        attendee = _event(cancelled[1])["ATTENDEE"]
        assert str(attendee) == f"mailto:{who}@example.org"
        assert attendee.params["RSVP"] == "FALSE"
        assert int(_event(cancelled[1])["SEQUENCE"]) > int(_event(created[1])["SEQUENCE"])
