"""The events of home-care visits (seed 004), in the past tense: the planning pushed to the
phones, the punches, the visits they open and close, the office's corrections and what the
caregiver enters during and after a visit.

Event ids are derived from the phone's or the office's own id for what happened
(``<punch id>/recorded``, ``<correction id>/corrected``…): a punch sent twice yields the
same events with the same ids, so that a journal keyed by ``event_id`` keeps them once.
Amounts and kilometres are carried as text (``"12.50"``) so that events stay plain data.
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from caredomain.events import Event
from caredomain.interventions.model import (
    CaregiverId,
    InterventionId,
    PunchId,
    PunchKind,
    PunchMethod,
)

__all__ = [
    "CommentAdded",
    "ExpenseRecorded",
    "MileageRecorded",
    "PlanningChanged",
    "PunchRecorded",
    "PunchRefused",
    "ReportSubmitted",
    "TasksDoneRecorded",
    "VisitCorrected",
    "VisitEnded",
    "VisitStarted",
]


@frozen(kw_only=True)
class PlanningChanged(Event):
    """The planning of a caregiver already on the phones changed: the phone rings an alert
    ("l'intervenant reçoit une alerte sonore"). ``moved`` are interventions kept but with
    another time, client or service."""

    caregiver_id: CaregiverId
    added: tuple[InterventionId, ...]
    moved: tuple[InterventionId, ...]
    removed: tuple[InterventionId, ...]


@frozen(kw_only=True)
class PunchRecorded(Event):
    """A punch was accepted into the log."""

    punch_id: PunchId
    caregiver_id: CaregiverId
    intervention_id: InterventionId
    punch_kind: PunchKind
    method: PunchMethod
    device_time: datetime
    received_at: datetime
    offline: bool


@frozen(kw_only=True)
class PunchRefused(Event):
    """A punch was refused; it is in the log all the same, with ``code``."""

    punch_id: PunchId
    caregiver_id: CaregiverId
    intervention_id: InterventionId
    punch_kind: PunchKind
    method: PunchMethod
    device_time: datetime
    code: str
    message: str


@frozen(kw_only=True)
class VisitStarted(Event):
    """A clock-in opened the visit of an intervention at ``start`` (the phone's time)."""

    intervention_id: InterventionId
    caregiver_id: CaregiverId
    start: datetime
    method: PunchMethod | None
    punch_id: PunchId | None


@frozen(kw_only=True)
class VisitEnded(Event):
    """The visit was closed, by a clock-out or by the office (``method`` None, ``punch_id``
    None: a correction added the missing clock-out)."""

    intervention_id: InterventionId
    caregiver_id: CaregiverId
    start: datetime
    end: datetime
    minutes: int
    method: PunchMethod | None
    punch_id: PunchId | None


@frozen(kw_only=True)
class VisitCorrected(Event):
    """The office corrected a visit. ``start`` and ``end`` are the visit's times after the
    correction (both None when the visit no longer exists: its clock-in was voided)."""

    correction_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    reason: str
    text: str
    by: str
    start: datetime | None
    end: datetime | None
    voided: tuple[PunchId, ...]


@frozen(kw_only=True)
class MileageRecorded(Event):
    """Kilometres driven for the visit, with the caregiver's comment."""

    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    km: str
    comment: str


@frozen(kw_only=True)
class ExpenseRecorded(Event):
    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    amount: str
    category: str
    label: str


@frozen(kw_only=True)
class CommentAdded(Event):
    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    text: str


@frozen(kw_only=True)
class ReportSubmitted(Event):
    """The caregiver left the end-of-visit report ("compte-rendu")."""

    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    text: str


@frozen(kw_only=True)
class TasksDoneRecorded(Event):
    """The list of the service's tasks done, as saved at the end of the visit."""

    entry_id: str
    intervention_id: InterventionId
    caregiver_id: CaregiverId
    tasks: tuple[str, ...]
