"""The caregivers' requests (seed 004, "Mes informations"): a "demande d'absence ou de
régularisation" sent from the phone, pending until the office approves or refuses it
(:class:`StaffRequest`). A request sent again with the same id (a phone retrying after a
network error) is recognised and changes nothing; the same id with other content is a
Conflict.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import NewType

from attrs import evolve, field, frozen

from caredomain.errors import InvalidInput, RuleViolation
from caredomain.interventions.model import CaregiverId, InterventionId, utc
from caredomain.interventions.phone_events import (
    IdFactory,
    StaffRequestDecided,
    StaffRequestSubmitted,
)
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = ["RequestId", "RequestKind", "RequestStatus", "StaffRequest"]

RequestId = NewType("RequestId", str)


class RequestKind(StrEnum):
    ABSENCE = "absence"
    REGULARISATION = "regularisation"  # a visit to correct: a forgotten or wrong punch


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


def _request_kind(value: object) -> RequestKind:
    return member_of(RequestKind, value, "kind")


def _request_status(value: object) -> RequestStatus:
    return member_of(RequestStatus, value, "status")


def _submitted_at(value: datetime) -> datetime:
    return utc(value, "submitted_at")


def _decided_at(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "decided_at")


@frozen(kw_only=True)
class StaffRequest:
    """A caregiver's "demande d'absence ou de régularisation", from ``first_day`` to
    ``last_day`` included (one day: both the same), with her reason; for a regularisation,
    the visit concerned when she names one. The office approves or refuses it."""

    id: RequestId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    kind: RequestKind = field(converter=_request_kind)
    first_day: date
    last_day: date
    reason: str = field(validator=non_blank)
    submitted_at: datetime = field(converter=_submitted_at)
    intervention_id: InterventionId | None = None
    status: RequestStatus = field(default=RequestStatus.PENDING, converter=_request_status)
    decided_by: str | None = None
    decided_at: datetime | None = field(default=None, converter=_decided_at)
    refusal_reason: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise InvalidInput(
                Text("the last day comes on or after the first"),
                field="last_day",
                text=self.last_day.isoformat(),
            )
        decided = self.decided_by is not None and self.decided_at is not None
        if decided != (self.status is not RequestStatus.PENDING):
            raise InvalidInput(
                Text("a decided request has who decided and when, a pending one neither"),
                field="status",
                text=self.status,
            )
        refused = self.status is RequestStatus.REFUSED
        if refused != bool(self.refusal_reason and self.refusal_reason.strip()):
            raise InvalidInput(
                Text("a refused request has a reason, and only a refused one"),
                field="refusal_reason",
                text=str(self.refusal_reason),
            )

    @classmethod
    def submit(
        cls,
        request_id: RequestId,
        caregiver_id: CaregiverId,
        kind: RequestKind,
        first_day: date,
        *,
        reason: str,
        at: datetime,
        new_id: IdFactory,
        last_day: date | None = None,
        intervention_id: InterventionId | None = None,
    ) -> tuple[StaffRequest, StaffRequestSubmitted]:
        """A new pending request, sent from the phone's "Mes informations"."""
        request = cls(
            id=request_id,
            caregiver_id=caregiver_id,
            kind=kind,
            first_day=first_day,
            last_day=last_day or first_day,
            reason=reason,
            submitted_at=at,
            intervention_id=intervention_id,
        )
        event = StaffRequestSubmitted(
            event_id=new_id(),
            occurred_at=request.submitted_at,
            request_id=request.id,
            caregiver_id=request.caregiver_id,
            request_kind=request.kind,
            first_day=request.first_day,
            last_day=request.last_day,
            reason=request.reason,
        )
        return request, event

    @property
    def pending(self) -> bool:
        return self.status is RequestStatus.PENDING

    def approve(
        self, *, by: str, at: datetime, new_id: IdFactory
    ) -> tuple[StaffRequest, StaffRequestDecided | None]:
        """Approved by the office user ``by``; see :meth:`decide`."""
        return self.decide(RequestStatus.APPROVED, by=by, at=at, new_id=new_id)

    def refuse(
        self, *, by: str, at: datetime, reason: str, new_id: IdFactory
    ) -> tuple[StaffRequest, StaffRequestDecided | None]:
        """Refused by the office user ``by``, for ``reason``; see :meth:`decide`."""
        return self.decide(RequestStatus.REFUSED, by=by, at=at, new_id=new_id, reason=reason)

    def decide(
        self,
        status: RequestStatus,
        *,
        by: str,
        at: datetime,
        new_id: IdFactory,
        reason: str | None = None,
    ) -> tuple[StaffRequest, StaffRequestDecided | None]:
        """The request's one transition: pending → approved or refused (a refusal with its
        reason). The same decision again changes nothing (the first one stands); another
        decision on a decided request is refused (``request.already_decided``)."""
        wanted = _request_status(status)
        if wanted is RequestStatus.PENDING:
            raise InvalidInput(Text("a decision approves or refuses"), field="status", text=wanted)
        if wanted is self.status:
            return self, None
        if not self.pending:
            already = (
                Text("the request {request} is already approved", request=repr(self.id))
                if self.status is RequestStatus.APPROVED
                else Text("the request {request} is already refused", request=repr(self.id))
            )
            raise RuleViolation("request.already_decided", already)
        decided = evolve(
            self,
            status=wanted,
            decided_by=by,
            decided_at=at,
            refusal_reason=reason if wanted is RequestStatus.REFUSED else None,
        )
        event = StaffRequestDecided(
            event_id=new_id(),
            occurred_at=utc(at, "at"),
            request_id=self.id,
            caregiver_id=self.caregiver_id,
            status=wanted,
            by=by,
            reason=decided.refusal_reason,
        )
        return decided, event
