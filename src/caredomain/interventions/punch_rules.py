"""The rules of "pointage" (seed 004): why a punch is refused — the intervention, then the
method, then the sequence; the first rule broken wins — and why the office may not make a
correction. They are checked against the visits derived so far, in the order the punches
arrive (a phone sends its queue in order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from caredomain.interventions.corrections import Correction
from caredomain.interventions.derived_visits import Visit, counted_punch, derive_visit, last_set
from caredomain.interventions.log_entries import LogEntry, Refusal
from caredomain.interventions.model import (
    Client,
    ClientId,
    PlannedIntervention,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
)
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.text import Text

__all__ = [
    "correction_refusal",
    "punch_refusal",
]


def _assignment_refusal(punch: Punch, intervention: PlannedIntervention | None) -> Refusal | None:
    if intervention is None:
        return Refusal(
            "punch.unknown_intervention",
            Text("no intervention {intervention} is planned", intervention=punch.intervention_id),
        )
    if intervention.caregiver_id != punch.caregiver_id:
        return Refusal(
            "punch.not_assigned",
            Text(
                "intervention {intervention} is planned for {planned}, not {caregiver}",
                intervention=intervention.id,
                planned=intervention.caregiver_id,
                caregiver=punch.caregiver_id,
            ),
        )
    return None


def _method_refusal(punch: Punch, client_id: ClientId, client: Client | None) -> Refusal | None:
    """A manual punch keeps its reason; a badge punch must read one of the client's badges
    of the kind the method reads (an NFC tag for badge-nfc, a QR code for badge-qr)."""
    if punch.method is PunchMethod.MANUAL:
        if punch.reason is None or not punch.reason.strip():
            return Refusal("punch.reason_required", Text("a manual punch needs a reason"))
        return None
    kind = punch.method.badge_kind
    badges = client.badges if client is not None else frozenset()
    if any(badge.kind is kind and badge.value == punch.badge for badge in badges):
        return None
    read = (
        Text("no badge was read")
        if punch.badge is None
        else Text("badge {badge}", badge=repr(punch.badge))
    )
    return Refusal(
        "punch.wrong_badge",
        Text(
            "{read} is not a {kind} badge of client {client}",
            read=read,
            kind=str(kind),
            client=client_id,
        ),
    )


def _sequence_refusal(
    punch: Punch, visit: Visit | None, caregiver_open: Visit | None
) -> Refusal | None:
    """One open visit per caregiver; a clock-in opens the visit of an intervention once;
    a clock-out closes the intervention's open visit, after its start."""
    if punch.kind is PunchKind.CLOCK_IN:
        if visit is not None:
            return Refusal(
                "punch.already_clocked_in",
                Text(
                    "intervention {intervention} was already clocked in",
                    intervention=punch.intervention_id,
                ),
            )
        if caregiver_open is not None:
            return Refusal(
                "punch.visit_open",
                Text(
                    "{caregiver} has a visit open (intervention {intervention}): "
                    "clock out of it first",
                    caregiver=punch.caregiver_id,
                    intervention=caregiver_open.intervention_id,
                ),
            )
        return None
    if visit is None or not visit.is_open:
        return Refusal(
            "punch.not_clocked_in",
            Text(
                "no open clock-in for intervention {intervention}",
                intervention=punch.intervention_id,
            ),
        )
    if punch.device_time <= visit.start:
        return Refusal(
            "punch.out_before_in",
            Text(
                "the clock-out at {at} is not after the start {start}",
                at=punch.device_time.isoformat(),
                start=visit.start.isoformat(),
            ),
        )
    return None


def punch_refusal(
    punch: Punch,
    planning: VisitPlanning,
    *,
    visit: Visit | None,
    caregiver_open: Visit | None,
) -> Refusal | None:
    """Why "pointage" refuses ``punch``, or None to accept it. ``visit`` is the visit of
    the punch's intervention so far, ``caregiver_open`` the caregiver's open visit. The
    first rule broken wins: the intervention, then the method, then the sequence."""
    intervention = planning.intervention(punch.intervention_id)
    refusal = _assignment_refusal(punch, intervention)
    if refusal is not None or intervention is None:
        return refusal
    client = planning.client(intervention.client_id)
    return _method_refusal(punch, intervention.client_id, client) or _sequence_refusal(
        punch, visit, caregiver_open
    )


def _void_refusal(
    correction: Correction,
    entries: Mapping[PunchId, LogEntry],
    already: Iterable[Correction],
) -> Refusal | None:
    voided = frozenset().union(*(c.voids for c in already))
    for punch_id in sorted(correction.voids):
        entry = entries.get(punch_id)
        if (
            entry is None
            or not entry.accepted
            or entry.punch.intervention_id != correction.intervention_id
        ):
            return Refusal(
                "correction.unknown_punch",
                Text(
                    "no accepted punch {punch} for intervention {intervention}",
                    punch=punch_id,
                    intervention=correction.intervention_id,
                ),
            )
        if punch_id in voided:
            return Refusal(
                "correction.already_voided",
                Text("punch {punch} is already voided", punch=punch_id),
            )
    return None


def _result_refusal(
    correction: Correction, after: Visit | None, end_without_start: bool, other_open: Visit | None
) -> Refusal | None:
    if end_without_start:
        return Refusal(
            "correction.not_started",
            Text(
                "intervention {intervention} would have an end without a start",
                intervention=correction.intervention_id,
            ),
        )
    if after is None:
        return None
    if after.end is not None and after.end <= after.start:
        return Refusal(
            "correction.end_before_start",
            Text(
                "the visit would end at {end}, not after its start {start}",
                end=after.end.isoformat(),
                start=after.start.isoformat(),
            ),
        )
    if after.is_open and other_open is not None:
        return Refusal(
            "correction.visit_open",
            Text(
                "{caregiver} already has a visit open (intervention {intervention})",
                caregiver=correction.caregiver_id,
                intervention=other_open.intervention_id,
            ),
        )
    return None


def correction_refusal(
    correction: Correction,
    planning: VisitPlanning,
    *,
    entries: Sequence[LogEntry],
    corrections: Sequence[Correction],
    caregiver_open: Visit | None,
) -> Refusal | None:
    """Why the office may not make ``correction``, or None. ``entries`` and ``corrections``
    are those of its intervention so far; ``caregiver_open`` the caregiver's open visit.
    The visit after the correction must exist with a start, end after it, and never leave
    the caregiver with two open visits."""
    intervention = planning.intervention(correction.intervention_id)
    if intervention is None:
        return Refusal(
            "correction.unknown_intervention",
            Text(
                "no intervention {intervention} is planned",
                intervention=correction.intervention_id,
            ),
        )
    if intervention.caregiver_id != correction.caregiver_id:
        return Refusal(
            "correction.not_assigned",
            Text(
                "intervention {intervention} is planned for {planned}",
                intervention=intervention.id,
                planned=intervention.caregiver_id,
            ),
        )
    refusal = _void_refusal(correction, {e.punch.id: e for e in entries}, corrections)
    if refusal is not None:
        return refusal
    after_corrections = [*corrections, correction]
    after = derive_visit(correction.intervention_id, entries, after_corrections)
    end_without_start = after is None and (
        last_set(c.end for c in after_corrections) is not None
        or counted_punch(entries, after_corrections, PunchKind.CLOCK_OUT) is not None
    )
    other_open = (
        caregiver_open
        if caregiver_open is not None
        and caregiver_open.intervention_id != correction.intervention_id
        else None
    )
    return _result_refusal(correction, after, end_without_start, other_open)
