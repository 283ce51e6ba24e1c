"""The events of the phone's communication features (seed 004, "Communiquer" and "Mes
informations"): messages both ways, "call me back", absence and regularisation requests.

The alarm's events are in :mod:`~caredomain.interventions.alarm`, the devices' in
:mod:`~caredomain.interventions.devices`.
"""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from caredomain.events import Event, IdFactory

__all__ = [
    "CaregiverMessageReceived",
    "IdFactory",
    "OfficeMessageAcknowledged",
    "OfficeMessageSent",
    "StaffRequestDecided",
    "StaffRequestSubmitted",
]


@frozen(kw_only=True)
class OfficeMessageSent(Event):
    """The office wrote to a caregiver: her phone shows a popup and stays blocked until she
    has read and acknowledged the message."""

    message_id: str
    caregiver_id: str
    sender: str
    text: str
    sent_at: datetime


@frozen(kw_only=True)
class OfficeMessageAcknowledged(Event):
    """A caregiver read and acknowledged an office message: it no longer blocks her phone."""

    message_id: str
    caregiver_id: str
    acknowledged_at: datetime


@frozen(kw_only=True)
class CaregiverMessageReceived(Event):
    """A caregiver wrote to the office ("Messagerie Penbase"), or asked to be called back
    (``message_kind`` ``call-back``). ``manager`` is her line manager; ``mail_to`` the address to
    alert by e-mail, None when the thread's "Alerter par email" is off or the manager has no
    e-mail address. ``organisation_id`` is the caregiver's organisation, set by the service
    that records the message (the notifications read it)."""

    message_id: str
    caregiver_id: str
    caregiver_name: str
    manager: str
    message_kind: str
    text: str
    sent_at: datetime
    mail_to: str | None
    organisation_id: str | None = None


@frozen(kw_only=True)
class StaffRequestSubmitted(Event):
    """A caregiver asked for an absence or a regularisation from her phone."""

    request_id: str
    caregiver_id: str
    request_kind: str
    first_day: date
    last_day: date
    reason: str


@frozen(kw_only=True)
class StaffRequestDecided(Event):
    """The office approved or refused a caregiver's request (``reason`` when refused)."""

    request_id: str
    caregiver_id: str
    status: str
    by: str
    reason: str | None = None
