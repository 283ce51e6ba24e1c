"""The office's corrections (seed 004): reason-coded records added on top of the punch log,
never in it — set the actual start or end, add a forgotten clock-out, void punches (which
stay in the log). Their rules are
:func:`~caredomain.interventions.punch_rules.correction_refusal`;
:meth:`~caredomain.interventions.punches.PunchLog.correct` takes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import NewType

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.interventions.model import CaregiverId, InterventionId, PunchId, utc
from caredomain.text import Text
from caredomain.validation import identifier, member_of

__all__ = [
    "Correction",
    "CorrectionId",
    "CorrectionReason",
]


CorrectionId = NewType("CorrectionId", str)


class CorrectionReason(StrEnum):
    FORGOTTEN_CLOCK_OUT = "forgotten-clock-out"
    WRONG_TIME = "wrong-time"
    BADGE_FAILURE = "badge-failure"
    OTHER = "other"  # the text says what


def _reason(value: object) -> CorrectionReason:
    return member_of(CorrectionReason, value, "reason")


def _made_at(value: datetime) -> datetime:
    return utc(value, "made_at")


def _correction_start(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "start")


def _correction_end(value: datetime | None) -> datetime | None:
    return None if value is None else utc(value, "end")


def _punch_ids(values: Iterable[PunchId]) -> frozenset[PunchId]:
    return frozenset(values)


def _text(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(Text("must be text"), field=attribute.name, text=repr(value))


@frozen(kw_only=True)
class Correction:
    """A change made by the office on top of the log, never in it. ``start`` / ``end`` set
    the visit's actual times (``end`` alone adds a forgotten clock-out; both declare a visit
    the phone never recorded); ``voids`` are punches no longer counted, which stay in the
    log. ``by`` is the office user, ``made_at`` when; the reason ``other`` needs a text."""

    id: CorrectionId = field(validator=identifier)
    intervention_id: InterventionId = field(validator=identifier)
    caregiver_id: CaregiverId = field(validator=identifier)
    reason: CorrectionReason = field(converter=_reason)
    by: str = field(validator=identifier)
    made_at: datetime = field(converter=_made_at)
    text: str = field(default="", validator=_text)
    start: datetime | None = field(default=None, converter=_correction_start)
    end: datetime | None = field(default=None, converter=_correction_end)
    voids: frozenset[PunchId] = field(default=frozenset(), converter=_punch_ids)

    def __attrs_post_init__(self) -> None:
        if self.reason is CorrectionReason.OTHER and not self.text.strip():
            raise InvalidInput(
                Text("the reason 'other' needs a text"), field="text", text=self.text
            )
        if self.start is None and self.end is None and not self.voids:
            raise InvalidInput(
                Text("a correction sets a start, an end or voids punches"),
                field="start",
                text=None,
            )
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise InvalidInput(
                Text("the end must come after the start"), field="end", text=self.end.isoformat()
            )
