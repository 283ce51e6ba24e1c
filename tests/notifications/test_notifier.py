"""The appointment services queue their notifications in the unit of work of the change:
confirmations, reminders moved and withdrawn, missing contacts skipped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from attrs import evolve

from caredomain.calendar import Closure
from caredomain.notifications import Notifier, OutboxMessage, OutboxStatus, ReminderPolicy
from caredomain.notifications.outbound import (
    CalendarMethod,
    OutboundMessage,
    SendResult,
    SendStatus,
)
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.services import configure_organisation
from caredomain.slots import Appointment, Beneficiary, Channel
from caredomain.slots.services import (
    add_closure,
    book_slot,
    cancel_appointment,
    mark_appointment_no_show,
    reschedule_appointment,
)


class Recorder:
    """A sender that accepts everything and remembers it."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.sent: list[OutboundMessage] = []

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        self.sent += messages
        return [SendResult(m.key, SendStatus.SENT, "recorded") for m in messages]


def _book(
    town: Any, start: datetime | None = None, beneficiary: Beneficiary | None = None
) -> Appointment:
    appointment: Appointment = book_slot(
        town.context,
        town.citizen,
        town.organisation.id,
        counter_id=town.counter,
        start=start or town.tuesday_1430,
        beneficiary=beneficiary or town.marie,
        channel=Channel.PORTAL,
    )
    return appointment


def _outbox(town: Any) -> list[OutboxMessage]:
    with town.store.unit_of_work(write=False) as uow:
        messages: list[OutboxMessage] = uow.notifications.messages(limit=1000)
        return messages


def _by_kind(messages: list[OutboxMessage]) -> dict[tuple[str, str], OutboxMessage]:
    return {(m.kind, m.channel): m for m in messages}


def _dispatch(town: Any) -> dict[str, Recorder]:
    senders = {"mail": Recorder("mail"), "sms": Recorder("sms")}
    dispatch_notifications(town.context, NOTIFIER_ACTOR, senders, random=lambda: 0.5)
    return senders


def test_a_booking_queues_its_confirmation_and_reminders_in_the_same_unit(town: Any) -> None:
    appointment = _book(town)
    messages = _by_kind(_outbox(town))
    assert sorted(messages) == [
        ("appointment.created", "mail"),
        ("appointment.reminder", "mail"),
        ("appointment.reminder", "sms"),
    ]
    created = messages["appointment.created", "mail"]
    assert created.subject == "Confirmation de votre rendez-vous du mardi 3 février 2026 à 14 h 30"
    assert (
        "Votre rendez-vous « Pièces d'identité » est confirmé pour le mardi 3 février"
        in created.body
    )
    assert "(durée : 20 minutes)" in created.body
    assert created.recipient == "marie@example.org"
    assert created.status is OutboxStatus.PENDING
    assert created.due_at == town.clock.now()
    assert created.key == f"{created.event_id}/mail/marie@example.org"
    assert created.calendar is not None
    assert created.calendar.method is CalendarMethod.PUBLISH
    assert created.calendar.uid == f"appointment:{appointment.id}@sainte-anne"
    assert created.calendar.start == town.tuesday_1430
    reminder = messages["appointment.reminder", "sms"]
    assert reminder.due_at == town.tuesday_1430 - timedelta(hours=6)
    assert reminder.recipient == "+33612345678"
    assert reminder.body == (
        "Rappel : RDV Pièces d'identité le mardi 3 février 2026 à 14 h 30. "
        "Hôtel de ville, 1 place de la Mairie."
    )
    assert reminder.key == f"{created.event_id}:appointment.reminder/sms/+33612345678"
    assert reminder.calendar is None
    with town.store.unit_of_work(write=False) as uow:
        journal = [event.event_id for _, event in uow.events.since(0)]
    assert created.event_id in journal


def test_messages_exist_only_if_the_change_commits(town: Any) -> None:
    _book(town)
    with town.store.unit_of_work(write=False) as uow:
        (booked,) = [e for _, e in uow.events.since(0) if e.kind == "AppointmentBooked"]
    again = evolve(booked, event_id="another-booking")
    with town.store.unit_of_work() as uow:
        assert len(Notifier().queue(uow, [again])) == 3  # queued in this unit…
    assert len(_outbox(town)) == 3  # …which was left without commit: nothing
    with town.store.unit_of_work() as uow:
        Notifier().queue(uow, [again])
        uow.commit()
    assert len(_outbox(town)) == 6
    with town.store.unit_of_work() as uow:
        Notifier().queue(uow, [again])  # the same event again: the same keys, nothing new
        uow.commit()
    assert len(_outbox(town)) == 6


def test_a_rescheduled_appointment_moves_its_reminder(town: Any) -> None:
    appointment = _book(town)
    new_start = datetime(2026, 2, 5, 9, 10, tzinfo=town.tuesday_1430.tzinfo)
    reschedule_appointment(
        town.context,
        town.citizen,
        town.organisation.id,
        appointment.id,
        counter_id=town.counter,
        start=new_start,
        channel=Channel.PORTAL,
    )
    messages = _outbox(town)
    reminders = [m for m in messages if m.kind == "appointment.reminder"]
    assert sorted((m.status, m.channel) for m in reminders) == [
        (OutboxStatus.PENDING, "mail"),
        (OutboxStatus.PENDING, "sms"),
        (OutboxStatus.WITHDRAWN, "mail"),
        (OutboxStatus.WITHDRAWN, "sms"),
    ]
    pending = [m for m in reminders if m.status is OutboxStatus.PENDING]
    assert {m.due_at for m in pending} == {new_start.astimezone(UTC) - timedelta(hours=6)}
    assert all("jeudi 5 février 2026 à 9 h 10" in m.body for m in pending)
    (changed,) = [m for m in messages if m.kind == "appointment.date_changed"]
    assert (
        "prévu le mardi 3 février 2026 à 14 h 30 est déplacé au jeudi 5 février 2026 à 9 h 10"
        in (changed.body)
    )
    assert changed.calendar is not None
    assert changed.calendar.method is CalendarMethod.PUBLISH


def test_a_cancelled_appointments_reminder_is_never_sent(town: Any) -> None:
    appointment = _book(town)
    first = _dispatch(town)
    assert [m.subject for m in first["mail"].sent] == [
        "Confirmation de votre rendez-vous du mardi 3 février 2026 à 14 h 30"
    ]
    cancel_appointment(
        town.context, town.citizen, town.organisation.id, appointment.id, channel=Channel.PORTAL
    )
    town.clock.set(town.tuesday_1430 - timedelta(hours=6, seconds=-1))  # reminder time
    second = _dispatch(town)
    assert [m.subject for m in second["mail"].sent] == [
        "Annulation de votre rendez-vous du mardi 3 février 2026 à 14 h 30"
    ]
    cancellation = second["mail"].sent[0]
    assert cancellation.calendar is not None
    assert cancellation.calendar.method is CalendarMethod.CANCEL
    town.clock.set(town.tuesday_1430 + timedelta(days=1))
    assert _dispatch(town)["sms"].sent == []
    statuses = {(m.kind, m.channel): m.status for m in _outbox(town)}
    assert statuses["appointment.reminder", "mail"] is OutboxStatus.WITHDRAWN
    assert statuses["appointment.reminder", "sms"] is OutboxStatus.WITHDRAWN


def test_a_deprogrammed_appointment_is_told_and_its_reminder_withdrawn(town: Any) -> None:
    _book(town)
    add_closure(
        town.context,
        town.admin,
        town.organisation.id,
        Closure.on(town.tuesday_1430.date(), "Grève"),
    )
    messages = _by_kind(_outbox(town))
    assert messages["appointment.deprogrammed", "sms"].body == (
        "Votre RDV Pièces d'identité du mardi 3 février 2026 à 14 h 30 est déprogrammé "
        "(changement de planning). Merci de choisir un autre créneau."
    )
    assert messages["appointment.deprogrammed", "mail"].status is OutboxStatus.PENDING
    assert messages["appointment.reminder", "mail"].status is OutboxStatus.WITHDRAWN
    assert messages["appointment.reminder", "sms"].last_error.startswith(
        "withdrawn: Rendez-vous déprogrammé"
    )


def test_a_no_show_is_told(town: Any) -> None:
    appointment = _book(town)
    town.clock.set(town.tuesday_1430 + timedelta(minutes=30))
    mark_appointment_no_show(town.context, town.admin, town.organisation.id, appointment.id)
    no_show = _by_kind(_outbox(town))["appointment.no_show", "mail"]
    assert no_show.subject == "Rendez-vous manqué du mardi 3 février 2026 à 14 h 30"


def test_a_booking_less_than_six_hours_ahead(town: Any) -> None:
    town.clock.set(town.tuesday_1430 - timedelta(hours=3))
    _book(town)
    messages = _by_kind(_outbox(town))
    mail, sms = messages["appointment.reminder", "mail"], messages["appointment.reminder", "sms"]
    # The confirmation went by mail: it stands for the reminder there.
    assert mail.status is OutboxStatus.SKIPPED
    assert mail.last_error.startswith("booked less than 6 h ahead")
    # No confirmation by SMS: the SMS reminder goes at once.
    assert sms.status is OutboxStatus.PENDING
    assert sms.due_at == town.clock.now()


def test_the_lead_is_configurable(
    tmp_path: Path, new_id: Callable[[], str], town_with: Any
) -> None:
    town = town_with(
        tmp_path / "x.db", new_id, Notifier(reminders=ReminderPolicy(timedelta(days=1)))
    )
    try:
        _book(town)
        reminder = _by_kind(_outbox(town))["appointment.reminder", "mail"]
        assert reminder.due_at == town.tuesday_1430 - timedelta(days=1)
    finally:
        town.store.close()


def test_a_recipient_without_a_phone_is_skipped_with_the_reason(town: Any) -> None:
    no_phone = Beneficiary("cit-1", "Marie Curie", email="marie@example.org")
    _book(town, beneficiary=no_phone)
    sms = _by_kind(_outbox(town))["appointment.reminder", "sms"]
    assert sms.status is OutboxStatus.SKIPPED
    assert sms.last_error == "no phone number"
    assert sms.key.endswith("/sms/-")
    town.clock.set(town.tuesday_1430)
    assert _dispatch(town)["sms"].sent == []


def test_events_nobody_is_told_of_cost_nothing(town: Any) -> None:
    configure_organisation(town.context, town.admin, town.organisation)
    assert _outbox(town) == []
