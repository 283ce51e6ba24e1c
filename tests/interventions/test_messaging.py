"""Messages that block the app until acknowledged, caregivers' messages to their manager
(by e-mail too, or not), "Rappelez-moi", and absence and regularisation requests."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.events import Event
from caredomain.interventions.devices import Device, DeviceId, LossKind, Platform
from caredomain.interventions.messaging import (
    CALL_BACK_TEXT,
    Message,
    MessageDirection,
    MessageId,
    MessageKind,
    Thread,
    blocking_messages,
    device_blocking_messages,
)
from caredomain.interventions.model import Caregiver, CaregiverId, InterventionId
from caredomain.interventions.phone_events import (
    CaregiverMessageReceived,
    OfficeMessageAcknowledged,
    OfficeMessageSent,
    StaffRequestDecided,
)
from caredomain.interventions.staff_requests import (
    RequestId,
    RequestKind,
    RequestStatus,
    StaffRequest,
)
from caredomain.serialization import structure, unstructure

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MARIE = Caregiver(CaregiverId("C1"), "Marie Dupont", "M1", "chef@agence.example")
NO_MAIL = Caregiver(CaregiverId("C2"), "Zoé Martin", "M1")
TOKEN = "t" * 32


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"E{next(counter)}"


def office_sends(thread: Thread, mid: str, minutes: int) -> Thread:
    sent, _ = thread.send_to_caregiver(
        MessageId(mid),
        sender="M1",
        text=f"message {mid}",
        at=T0 + timedelta(minutes=minutes),
        new_id=ids(),
    )
    return sent


# Blocking office messages


def test_an_office_message_blocks_the_app_until_acknowledged() -> None:
    thread, event = Thread(caregiver_id=MARIE.id).send_to_caregiver(
        MessageId("m1"), sender="M1", text="Appelez Mme Martin", at=T0, new_id=ids()
    )
    assert isinstance(event, OfficeMessageSent)
    assert (event.caregiver_id, event.sender, event.text) == ("C1", "M1", "Appelez Mme Martin")
    assert [m.id for m in thread.blocking()] == ["m1"]

    opened = thread.mark_read(MessageId("m1"), by=MARIE.id, at=T0 + timedelta(minutes=1))
    assert opened.message(MessageId("m1")).read_at == T0 + timedelta(minutes=1)
    assert [m.id for m in opened.blocking()] == ["m1"]  # read is not acknowledged

    done, ack = opened.acknowledge(
        MessageId("m1"), by=MARIE.id, at=T0 + timedelta(minutes=2), new_id=ids()
    )
    assert isinstance(ack, OfficeMessageAcknowledged)
    assert done.blocking() == ()
    message = done.message(MessageId("m1"))
    assert (message.read_at, message.acknowledged_at) == (
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=2),
    )


def test_blocking_messages_come_oldest_first() -> None:
    thread = Thread(caregiver_id=MARIE.id)
    for mid, minutes in [("b", 30), ("a", 10), ("c", 20)]:
        thread = office_sends(thread, mid, minutes)
    assert [m.id for m in thread.blocking()] == ["a", "c", "b"]
    assert [m.id for m in blocking_messages(thread.messages, MARIE.id)] == ["a", "c", "b"]
    assert blocking_messages(thread.messages, CaregiverId("C2")) == ()


def test_acknowledging_again_changes_nothing() -> None:
    thread = office_sends(Thread(caregiver_id=MARIE.id), "m1", 0)
    once, first = thread.acknowledge(MessageId("m1"), by=MARIE.id, at=T0, new_id=ids())
    twice, second = once.acknowledge(
        MessageId("m1"), by=MARIE.id, at=T0 + timedelta(hours=1), new_id=ids()
    )
    assert first is not None
    assert second is None
    assert twice == once


def test_nobody_acknowledges_a_message_sent_to_someone_else() -> None:
    thread = office_sends(Thread(caregiver_id=MARIE.id), "m1", 0)
    with pytest.raises(Forbidden):
        thread.acknowledge(MessageId("m1"), by=CaregiverId("C2"), at=T0, new_id=ids())
    with pytest.raises(Forbidden):
        thread.mark_read(MessageId("m1"), by="C2", at=T0)
    assert [m.id for m in thread.blocking()] == ["m1"]


def test_a_caregiver_message_is_not_acknowledged() -> None:
    thread, _ = Thread(caregiver_id=MARIE.id).send_to_office(
        MARIE, MessageId("m1"), text="Bonjour", at=T0, new_id=ids()
    )
    with pytest.raises(RuleViolation) as caught:
        thread.acknowledge(MessageId("m1"), by=MARIE.id, at=T0, new_id=ids())
    assert caught.value.code == "message.not_from_office"


def test_an_unknown_message_is_not_found() -> None:
    with pytest.raises(NotFound):
        Thread(caregiver_id=MARIE.id).acknowledge(MessageId("m9"), by=MARIE.id, at=T0, new_id=ids())


@given(st.lists(st.tuples(st.integers(0, 500), st.booleans()), max_size=10))
def test_blocking_is_exactly_the_unacknowledged_office_messages(
    plan: list[tuple[int, bool]],
) -> None:
    thread = Thread(caregiver_id=MARIE.id)
    for n, (minutes, _) in enumerate(plan):
        thread = office_sends(thread, f"m{n}", minutes)
    for n, (_, acknowledged) in enumerate(plan):
        if acknowledged:
            thread, _ = thread.acknowledge(MessageId(f"m{n}"), by=MARIE.id, at=T0, new_id=ids())
    blocking = thread.blocking()
    assert {m.id for m in blocking} == {f"m{n}" for n, (_, ack) in enumerate(plan) if not ack}
    assert [m.sent_at for m in blocking] == sorted(m.sent_at for m in blocking)


def test_a_message_resent_by_the_office_counts_once() -> None:
    thread = office_sends(Thread(caregiver_id=MARIE.id), "m1", 0)
    again, event = thread.send_to_caregiver(
        MessageId("m1"), sender="M1", text="message m1", at=T0, new_id=ids()
    )
    assert (again, event) == (thread, None)
    with pytest.raises(Conflict):
        thread.send_to_caregiver(MessageId("m1"), sender="M1", text="autre", at=T0, new_id=ids())


# A device's blocking messages


def test_an_iphone_is_not_blocked_by_messages_it_cannot_show() -> None:
    thread = office_sends(Thread(caregiver_id=MARIE.id), "m1", 0)
    android = Device.enrol(DeviceId("P1"), MARIE.id, Platform.ANDROID, token=TOKEN)
    iphone = Device.enrol(DeviceId("P2"), MARIE.id, Platform.IOS, token=TOKEN)
    assert [m.id for m in device_blocking_messages(android, thread.messages)] == ["m1"]
    assert device_blocking_messages(iphone, thread.messages) == ()
    lost = android.block(LossKind.LOST, by="M1", at=T0, new_id=ids()).device
    assert device_blocking_messages(lost, thread.messages) == ()


# Caregivers' messages to their manager


def test_a_caregiver_message_goes_to_her_manager_and_by_e_mail() -> None:
    thread, event = Thread(caregiver_id=MARIE.id).send_to_office(
        MARIE, MessageId("m1"), text="Mme Martin est absente", at=T0, new_id=ids()
    )
    assert isinstance(event, CaregiverMessageReceived)
    assert (event.manager, event.mail_to, event.message_kind) == (
        "M1",
        "chef@agence.example",
        "text",
    )
    assert (event.caregiver_name, event.text) == ("Marie Dupont", "Mme Martin est absente")
    message = thread.message(MessageId("m1"))
    assert (message.sender, message.recipient, message.direction) == (
        "C1",
        "M1",
        MessageDirection.TO_OFFICE,
    )
    assert thread.blocking() == ()


def test_no_e_mail_when_the_thread_alert_is_off() -> None:
    thread = Thread(caregiver_id=MARIE.id).with_email_alert(False)
    _, event = thread.send_to_office(MARIE, MessageId("m1"), text="Bonjour", at=T0, new_id=ids())
    assert event is not None
    assert event.mail_to is None
    back_on = thread.with_email_alert(True)
    _, event = back_on.send_to_office(MARIE, MessageId("m2"), text="Re", at=T0, new_id=ids())
    assert event is not None
    assert event.mail_to == "chef@agence.example"


def test_no_e_mail_when_the_manager_has_no_address() -> None:
    _, event = Thread(caregiver_id=NO_MAIL.id).send_to_office(
        NO_MAIL, MessageId("m1"), text="Bonjour", at=T0, new_id=ids()
    )
    assert event is not None
    assert event.mail_to is None


def test_a_caregiver_writes_only_in_her_own_thread() -> None:
    with pytest.raises(Forbidden):
        Thread(caregiver_id=MARIE.id).send_to_office(
            NO_MAIL, MessageId("m1"), text="Bonjour", at=T0, new_id=ids()
        )


def test_the_office_reads_a_caregiver_message() -> None:
    thread, _ = Thread(caregiver_id=MARIE.id).send_to_office(
        MARIE, MessageId("m1"), text="Bonjour", at=T0, new_id=ids()
    )
    read = thread.mark_read(MessageId("m1"), by="M1", at=T0 + timedelta(minutes=5))
    assert read.message(MessageId("m1")).read_at == T0 + timedelta(minutes=5)
    assert read.mark_read(MessageId("m1"), by="M2", at=T0 + timedelta(hours=1)) == read
    with pytest.raises(Forbidden):
        thread.mark_read(MessageId("m1"), by="C1", at=T0)


def test_call_me_back_is_a_message_to_the_line_manager() -> None:
    thread, event = Thread(caregiver_id=MARIE.id).call_me_back(
        MARIE, MessageId("cb1"), at=T0, new_id=ids()
    )
    assert event is not None
    assert (event.manager, event.message_kind, event.text) == ("M1", "call-back", CALL_BACK_TEXT)
    assert event.mail_to == "chef@agence.example"
    message = thread.message(MessageId("cb1"))
    assert (message.kind, message.recipient) == (MessageKind.CALL_BACK, "M1")


def test_a_call_me_back_resent_by_the_phone_counts_once() -> None:
    thread, _ = Thread(caregiver_id=MARIE.id).call_me_back(
        MARIE, MessageId("cb1"), at=T0, new_id=ids()
    )
    again, event = thread.call_me_back(MARIE, MessageId("cb1"), at=T0, new_id=ids())
    assert (again, event) == (thread, None)


def test_messages_are_checked() -> None:
    with pytest.raises(InvalidInput) as caught:
        Thread(caregiver_id=MARIE.id).send_to_caregiver(
            MessageId("m1"), sender="M1", text="  ", at=T0, new_id=ids()
        )
    assert caught.value.field == "text"
    with pytest.raises(InvalidInput):
        Message(
            id=MessageId("m1"),
            caregiver_id=MARIE.id,
            direction=MessageDirection.TO_CAREGIVER,
            sender="M1",
            recipient="C2",
            text="Bonjour",
            sent_at=T0,
        )
    with pytest.raises(InvalidInput):
        Message(
            id=MessageId("m1"),
            caregiver_id=MARIE.id,
            direction=MessageDirection.TO_CAREGIVER,
            sender="M1",
            recipient="C1",
            text="Bonjour",
            sent_at=datetime(2026, 3, 2, 9),  # naive
        )


def test_messaging_events_round_trip() -> None:
    _, event = Thread(caregiver_id=MARIE.id).call_me_back(
        MARIE, MessageId("cb1"), at=T0, new_id=ids()
    )
    assert event is not None
    data = unstructure(event)
    assert data["kind"] == "CaregiverMessageReceived"
    assert structure(data, Event) == event


# Absence and regularisation requests


def absence() -> StaffRequest:
    request, event = StaffRequest.submit(
        RequestId("R1"),
        MARIE.id,
        RequestKind.ABSENCE,
        date(2026, 3, 9),
        last_day=date(2026, 3, 11),
        reason="Rendez-vous médical",
        at=T0,
        new_id=ids(),
    )
    assert (event.request_id, event.request_kind, event.last_day) == (
        "R1",
        "absence",
        date(2026, 3, 11),
    )
    return request


def test_a_request_is_pending_then_approved() -> None:
    request = absence()
    assert request.status is RequestStatus.PENDING
    approved, event = request.approve(by="M1", at=T0 + timedelta(hours=2), new_id=ids())
    assert isinstance(event, StaffRequestDecided)
    assert (event.status, event.by, event.reason) == ("approved", "M1", None)
    assert (approved.status, approved.decided_by) == (RequestStatus.APPROVED, "M1")


def test_a_refusal_carries_its_reason() -> None:
    refused, event = absence().refuse(by="M1", at=T0, reason="Effectif insuffisant", new_id=ids())
    assert event is not None
    assert (refused.status, refused.refusal_reason) == (
        RequestStatus.REFUSED,
        "Effectif insuffisant",
    )
    assert event.reason == "Effectif insuffisant"
    with pytest.raises(InvalidInput):
        absence().refuse(by="M1", at=T0, reason=" ", new_id=ids())


def test_the_same_decision_again_changes_nothing() -> None:
    approved, _ = absence().approve(by="M1", at=T0, new_id=ids())
    again, event = approved.approve(by="M2", at=T0 + timedelta(days=1), new_id=ids())
    assert (again, event) == (approved, None)
    refused, _ = absence().refuse(by="M1", at=T0, reason="Non", new_id=ids())
    again, event = refused.refuse(by="M1", at=T0, reason="Autre", new_id=ids())
    assert (again, event) == (refused, None)


def test_a_decided_request_cannot_be_decided_otherwise() -> None:
    refused, _ = absence().refuse(by="M1", at=T0, reason="Non", new_id=ids())
    with pytest.raises(RuleViolation) as caught:
        refused.approve(by="M1", at=T0, new_id=ids())
    assert caught.value.code == "request.already_decided"
    approved, _ = absence().approve(by="M1", at=T0, new_id=ids())
    with pytest.raises(RuleViolation) as caught:
        approved.refuse(by="M1", at=T0, reason="Non", new_id=ids())
    assert caught.value.code == "request.already_decided"
    with pytest.raises(InvalidInput):
        absence().decide(RequestStatus.PENDING, by="M1", at=T0, new_id=ids())


def test_a_regularisation_is_for_a_day_and_may_name_the_visit() -> None:
    request, _ = StaffRequest.submit(
        RequestId("R2"),
        MARIE.id,
        RequestKind.REGULARISATION,
        date(2026, 3, 2),
        reason="Oubli du pointage de fin",
        at=T0,
        new_id=ids(),
        intervention_id=InterventionId("V1"),
    )
    assert (request.first_day, request.last_day, request.intervention_id) == (
        date(2026, 3, 2),
        date(2026, 3, 2),
        "V1",
    )


def test_a_request_period_ends_on_or_after_its_start() -> None:
    with pytest.raises(InvalidInput) as caught:
        StaffRequest.submit(
            RequestId("R3"),
            MARIE.id,
            RequestKind.ABSENCE,
            date(2026, 3, 9),
            last_day=date(2026, 3, 8),
            reason="Congé",
            at=T0,
            new_id=ids(),
        )
    assert caught.value.field == "last_day"
