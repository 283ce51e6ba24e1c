"""The punch log ("pointage", "déclaration des interventions", seed 004), the office's
corrections on top of it, and the visits derived from both.

A phone sends a :class:`~caredomain.interventions.model.Punch` when the caregiver clocks in
or out, with a badge (NFC tag or QR code left at the client's home) or by hand. The log is
append-only: every punch is kept, the refused ones with their refusal code, so that
nothing the phone sent is ever lost. The office never rewrites or deletes a punch; it adds
reason-coded :class:`Correction` records on top of the log (set the actual start or end,
add a forgotten clock-out, void a punch). A :class:`Visit` is *derived* from the log and
the corrections by :func:`derive_visits`, a pure function; :class:`PunchLog` keeps the
derived visits in step as punches and corrections arrive.

Which time counts: the phone's ``device_time``. Phones without network keep their punches
and send them later (``offline``), so ``received_at`` may be hours after the fact; the
caregiver's presence is what the phone's clock said when the badge was read. The punch
keeps ``received_at`` for the record, and reconciliation works on ``device_time``.

Rules are checked against the visits derived so far, in the order the punches arrive
(a phone sends its queue in order).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NewType, TypeVar

from attrs import Attribute, evolve, field, frozen

from caredomain.errors import Conflict, InvalidInput, RuleViolation
from caredomain.events import Event
from caredomain.interventions.events import (
    PunchRecorded,
    PunchRefused,
    VisitCorrected,
    VisitEnded,
    VisitStarted,
)
from caredomain.interventions.model import (
    CaregiverId,
    Client,
    ClientId,
    InterventionId,
    PlannedIntervention,
    Punch,
    PunchId,
    PunchKind,
    PunchMethod,
    Service,
    ServiceId,
    identifier,
    utc,
)
from caredomain.text import Text
from caredomain.validation import member_of

__all__ = [
    "Correction",
    "CorrectionId",
    "CorrectionReason",
    "LogEntry",
    "PunchLog",
    "PunchOutcome",
    "Refusal",
    "Visit",
    "VisitPlanning",
    "correction_refusal",
    "derive_visits",
    "open_visit",
    "punch_refusal",
    "visits",
    "whole_minutes",
]

CorrectionId = NewType("CorrectionId", str)

T = TypeVar("T")

MINUTE = timedelta(minutes=1)


def whole_minutes(delta: timedelta) -> int:
    """Whole minutes of ``delta``, rounded down (toward minus infinity)."""
    return delta // MINUTE


# -- the planning the punches are checked against ----------------------------------------


_DUPLICATE_IDS = {
    "interventions": Text("interventions ids must be unique"),
    "clients": Text("clients ids must be unique"),
    "services": Text("services ids must be unique"),
}


def _keyed(values: Iterable[T], key: str, what: str) -> dict[str, T]:
    keyed: dict[str, T] = {}
    for value in values:
        ident = getattr(value, key)
        if ident in keyed:
            raise InvalidInput(_DUPLICATE_IDS[what], field=what, text=ident)
        keyed[ident] = value
    return keyed


@frozen
class VisitPlanning:
    """The planned interventions with the clients and services they refer to: what punches
    and visit data are checked against. Build it with :meth:`of`."""

    interventions: Mapping[InterventionId, PlannedIntervention]
    clients: Mapping[ClientId, Client]
    services: Mapping[ServiceId, Service]

    @classmethod
    def of(
        cls,
        interventions: Iterable[PlannedIntervention],
        clients: Iterable[Client] = (),
        services: Iterable[Service] = (),
    ) -> VisitPlanning:
        """Refuses two interventions, clients or services with the same id."""
        return cls(
            {InterventionId(k): v for k, v in _keyed(interventions, "id", "interventions").items()},
            {ClientId(k): v for k, v in _keyed(clients, "id", "clients").items()},
            {ServiceId(k): v for k, v in _keyed(services, "id", "services").items()},
        )

    def intervention(self, intervention_id: InterventionId) -> PlannedIntervention | None:
        return self.interventions.get(intervention_id)

    def client(self, client_id: ClientId) -> Client | None:
        return self.clients.get(client_id)

    def service(self, service_id: ServiceId) -> Service | None:
        return self.services.get(service_id)


# -- the log -------------------------------------------------------------------------------


@frozen
class Refusal:
    """Why a punch (or a correction) was refused: a stable ``code`` and a message."""

    code: str
    message: str

    def error(self) -> RuleViolation:
        return RuleViolation(self.code, self.message)


@frozen
class LogEntry:
    """A punch as the log keeps it: its position (``sequence``, from 0) and the decision."""

    sequence: int
    punch: Punch
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


@frozen
class PunchOutcome:
    """What recording a punch did. A punch resent with the same id gets back the entry
    logged the first time, with ``duplicate`` set and no events (nothing happened)."""

    entry: LogEntry
    events: tuple[Event, ...] = ()
    duplicate: bool = False

    @property
    def accepted(self) -> bool:
        return self.entry.accepted

    @property
    def refusal(self) -> Refusal | None:
        return self.entry.refusal


# -- corrections ---------------------------------------------------------------------------


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


# -- visits --------------------------------------------------------------------------------


@frozen(kw_only=True)
class Visit:
    """A visit as derived from the log and the corrections. ``end`` is None while the visit
    is open. ``clock_in`` / ``clock_out`` are the punches counted (not voided);
    ``start_method`` / ``end_method`` are None when the time comes from a correction."""

    intervention_id: InterventionId
    caregiver_id: CaregiverId
    start: datetime
    end: datetime | None
    clock_in: PunchId | None = None
    clock_out: PunchId | None = None
    start_method: PunchMethod | None = None
    end_method: PunchMethod | None = None
    corrections: tuple[CorrectionId, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.end is None

    @property
    def punches(self) -> tuple[PunchId, ...]:
        return tuple(p for p in (self.clock_in, self.clock_out) if p is not None)

    @property
    def methods(self) -> frozenset[PunchMethod]:
        return frozenset(m for m in (self.start_method, self.end_method) if m is not None)

    @property
    def corrected(self) -> bool:
        return bool(self.corrections)

    @property
    def duration(self) -> timedelta | None:
        return None if self.end is None else self.end - self.start

    @property
    def minutes(self) -> int | None:
        duration = self.duration
        return None if duration is None else whole_minutes(duration)


def _last(values: Iterable[T | None]) -> T | None:
    found = None
    for value in values:
        if value is not None:
            found = value
    return found


def _counted(
    entries: Iterable[LogEntry], corrections: Sequence[Correction], kind: PunchKind
) -> Punch | None:
    """The last accepted punch of ``kind`` not voided; the rules leave at most one."""
    voided = frozenset().union(*(c.voids for c in corrections))
    return _last(
        entry.punch
        for entry in entries
        if entry.accepted and entry.punch.kind is kind and entry.punch.id not in voided
    )


def derive_visit(
    intervention_id: InterventionId,
    entries: Sequence[LogEntry],
    corrections: Sequence[Correction],
) -> Visit | None:
    """The visit of one intervention from its log entries and corrections (both of that
    intervention). The latest correction that sets a time wins over the punch; no start,
    no visit."""
    clock_in = _counted(entries, corrections, PunchKind.CLOCK_IN)
    clock_out = _counted(entries, corrections, PunchKind.CLOCK_OUT)
    start_fix = _last(c.start for c in corrections)
    end_fix = _last(c.end for c in corrections)
    start = start_fix or (clock_in.device_time if clock_in else None)
    if start is None:
        return None
    caregiver = clock_in.caregiver_id if clock_in else corrections[-1].caregiver_id
    return Visit(
        intervention_id=intervention_id,
        caregiver_id=caregiver,
        start=start,
        end=end_fix or (clock_out.device_time if clock_out else None),
        clock_in=clock_in.id if clock_in else None,
        clock_out=clock_out.id if clock_out else None,
        start_method=clock_in.method if clock_in and start_fix is None else None,
        end_method=clock_out.method if clock_out and end_fix is None else None,
        corrections=tuple(c.id for c in corrections),
    )


def _group(values: Iterable[T], key: str) -> dict[InterventionId, list[T]]:
    groups: dict[InterventionId, list[T]] = {}
    for value in values:
        groups.setdefault(getattr(value, key), []).append(value)
    return groups


def derive_visits(
    entries: Iterable[LogEntry], corrections: Iterable[Correction]
) -> dict[InterventionId, Visit]:
    """Every visit, from scratch: the log (in sequence order) plus the corrections."""
    by_intervention: dict[InterventionId, list[LogEntry]] = {}
    for entry in sorted(entries, key=lambda e: e.sequence):
        by_intervention.setdefault(entry.punch.intervention_id, []).append(entry)
    corrections_of = _group(corrections, "intervention_id")
    derived = {}
    for intervention_id in by_intervention.keys() | corrections_of.keys():
        visit = derive_visit(
            intervention_id,
            by_intervention.get(intervention_id, []),
            corrections_of.get(intervention_id, []),
        )
        if visit is not None:
            derived[intervention_id] = visit
    return derived


def _sorted_visits(values: Iterable[Visit]) -> tuple[Visit, ...]:
    return tuple(sorted(values, key=lambda v: (v.start, v.intervention_id)))


def visits(
    entries: Iterable[LogEntry],
    corrections: Iterable[Correction],
    *,
    caregiver_id: CaregiverId | None = None,
) -> tuple[Visit, ...]:
    """The visits (of one caregiver, or all), by start."""
    return _sorted_visits(
        visit
        for visit in derive_visits(entries, corrections).values()
        if caregiver_id is None or visit.caregiver_id == caregiver_id
    )


def open_visit(
    entries: Iterable[LogEntry], corrections: Iterable[Correction], caregiver_id: CaregiverId
) -> Visit | None:
    """The caregiver's open visit: the rules allow one at a time."""
    return next(
        (v for v in visits(entries, corrections, caregiver_id=caregiver_id) if v.is_open), None
    )


# -- the rules -----------------------------------------------------------------------------


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
        _last(c.end for c in after_corrections) is not None
        or _counted(entries, after_corrections, PunchKind.CLOCK_OUT) is not None
    )
    other_open = (
        caregiver_open
        if caregiver_open is not None
        and caregiver_open.intervention_id != correction.intervention_id
        else None
    )
    return _result_refusal(correction, after, end_without_start, other_open)


# -- events --------------------------------------------------------------------------------


def _refused_event(entry: LogEntry, refusal: Refusal) -> PunchRefused:
    punch = entry.punch
    return PunchRefused(
        event_id=f"{punch.id}/refused",
        occurred_at=punch.received_at,
        punch_id=punch.id,
        caregiver_id=punch.caregiver_id,
        intervention_id=punch.intervention_id,
        punch_kind=punch.kind,
        method=punch.method,
        device_time=punch.device_time,
        code=refusal.code,
        message=refusal.message,
    )


def _visit_started(
    event_id: str, at: datetime, visit: Visit, punch: Punch | None = None
) -> VisitStarted:
    return VisitStarted(
        event_id=event_id,
        occurred_at=at,
        intervention_id=visit.intervention_id,
        caregiver_id=visit.caregiver_id,
        start=visit.start,
        method=punch.method if punch else None,
        punch_id=punch.id if punch else None,
    )


def _visit_ended(event_id: str, at: datetime, visit: Visit, punch: Punch | None = None) -> Event:
    assert visit.end is not None, "only a closed visit ends"
    assert visit.minutes is not None
    return VisitEnded(
        event_id=event_id,
        occurred_at=at,
        intervention_id=visit.intervention_id,
        caregiver_id=visit.caregiver_id,
        start=visit.start,
        end=visit.end,
        minutes=visit.minutes,
        method=punch.method if punch else None,
        punch_id=punch.id if punch else None,
    )


def _accepted_events(punch: Punch, visit: Visit) -> tuple[Event, ...]:
    recorded = PunchRecorded(
        event_id=f"{punch.id}/recorded",
        occurred_at=punch.received_at,
        punch_id=punch.id,
        caregiver_id=punch.caregiver_id,
        intervention_id=punch.intervention_id,
        punch_kind=punch.kind,
        method=punch.method,
        device_time=punch.device_time,
        received_at=punch.received_at,
        offline=punch.offline,
    )
    if punch.kind is PunchKind.CLOCK_IN:
        return recorded, _visit_started(f"{punch.id}/started", punch.received_at, visit, punch)
    return recorded, _visit_ended(f"{punch.id}/ended", punch.received_at, visit, punch)


def _correction_events(
    correction: Correction, before: Visit | None, after: Visit | None
) -> tuple[Event, ...]:
    events: list[Event] = [
        VisitCorrected(
            event_id=f"{correction.id}/corrected",
            occurred_at=correction.made_at,
            correction_id=correction.id,
            intervention_id=correction.intervention_id,
            caregiver_id=correction.caregiver_id,
            reason=str(correction.reason),
            text=correction.text,
            by=correction.by,
            start=after.start if after else None,
            end=after.end if after else None,
            voided=tuple(sorted(correction.voids)),
        )
    ]
    if before is None and after is not None:
        events.append(_visit_started(f"{correction.id}/started", correction.made_at, after))
    if (before is None or before.is_open) and after is not None and not after.is_open:
        events.append(_visit_ended(f"{correction.id}/ended", correction.made_at, after))
    return tuple(events)


# -- the aggregate -------------------------------------------------------------------------


def _same_punch(first: Punch, again: Punch) -> bool:
    """A resent punch is the same punch: only when it was received, and whether the phone
    had to queue it, may differ."""
    return evolve(first, received_at=again.received_at, offline=again.offline) == again


class PunchLog:
    """The append-only log of punches of an organisation (or of one caregiver), with the
    corrections on top of it and the visits derived from both, kept in step.

    Build it empty, or from what a store kept: its entries (decisions included) and its
    corrections. It changes only through :meth:`record` and :meth:`correct`.
    """

    def __init__(
        self, entries: Iterable[LogEntry] = (), corrections: Iterable[Correction] = ()
    ) -> None:
        self._entries: list[LogEntry] = []
        self._by_id: dict[PunchId, LogEntry] = {}
        self._entries_of: dict[InterventionId, list[LogEntry]] = {}
        self._corrections: list[Correction] = []
        self._correction_by_id: dict[CorrectionId, Correction] = {}
        self._corrections_of: dict[InterventionId, list[Correction]] = {}
        self._visits: dict[InterventionId, Visit] = {}
        self._open: dict[CaregiverId, InterventionId] = {}
        for entry in sorted(entries, key=lambda e: e.sequence):
            if entry.sequence != len(self._entries) or entry.punch.id in self._by_id:
                raise InvalidInput(
                    Text("log entries are numbered from 0 without gaps, one per punch id"),
                    field="sequence",
                    text=str(entry.sequence),
                )
            self._append(entry)
        for correction in corrections:
            self._add_correction(correction)
        for intervention_id in self._entries_of.keys() | self._corrections_of.keys():
            self._refresh(intervention_id)

    # -- reading ----------------------------------------------------------------------

    @property
    def entries(self) -> tuple[LogEntry, ...]:
        return tuple(self._entries)

    @property
    def corrections(self) -> tuple[Correction, ...]:
        return tuple(self._corrections)

    def entry(self, punch_id: PunchId) -> LogEntry | None:
        return self._by_id.get(punch_id)

    def entries_of(self, intervention_id: InterventionId) -> tuple[LogEntry, ...]:
        return tuple(self._entries_of.get(intervention_id, ()))

    def voided_by(self, punch_id: PunchId) -> CorrectionId | None:
        """The correction that voided the punch (which stays in the log), if any."""
        return next((c.id for c in self._corrections if punch_id in c.voids), None)

    def visit(self, intervention_id: InterventionId) -> Visit | None:
        return self._visits.get(intervention_id)

    def visits(self, caregiver_id: CaregiverId | None = None) -> tuple[Visit, ...]:
        """The visits (of one caregiver, or all), by start."""
        return _sorted_visits(
            v for v in self._visits.values() if caregiver_id in (None, v.caregiver_id)
        )

    def open_visit(self, caregiver_id: CaregiverId) -> Visit | None:
        intervention_id = self._open.get(caregiver_id)
        return None if intervention_id is None else self._visits[intervention_id]

    # -- changing ---------------------------------------------------------------------

    def record(self, punch: Punch, planning: VisitPlanning) -> PunchOutcome:
        """Log ``punch``, accepted or refused (see :func:`punch_refusal`). The same punch
        sent again changes nothing; the same id with other content is a Conflict."""
        known = self._by_id.get(punch.id)
        if known is not None:
            if not _same_punch(known.punch, punch):
                raise Conflict(
                    Text("punch {punch} was already recorded with other content", punch=punch.id)
                )
            return PunchOutcome(known, duplicate=True)
        refusal = punch_refusal(
            punch,
            planning,
            visit=self._visits.get(punch.intervention_id),
            caregiver_open=self.open_visit(punch.caregiver_id),
        )
        entry = LogEntry(len(self._entries), punch, refusal)
        self._append(entry)
        if refusal is not None:
            return PunchOutcome(entry, (_refused_event(entry, refusal),))
        visit = self._refresh(punch.intervention_id)
        assert visit is not None, "an accepted punch always leaves a visit"
        return PunchOutcome(entry, _accepted_events(punch, visit))

    def correct(self, correction: Correction, planning: VisitPlanning) -> tuple[Event, ...]:
        """Add the office's ``correction`` on top of the log, or raise RuleViolation (see
        :func:`correction_refusal`). The same correction again returns no events; the same
        id with other content is a Conflict."""
        known = self._correction_by_id.get(correction.id)
        if known is not None:
            if known != correction:
                raise Conflict(
                    Text(
                        "correction {correction} was already made with other content",
                        correction=correction.id,
                    )
                )
            return ()
        intervention_id = correction.intervention_id
        refusal = correction_refusal(
            correction,
            planning,
            entries=self._entries_of.get(intervention_id, []),
            corrections=self._corrections_of.get(intervention_id, []),
            caregiver_open=self.open_visit(correction.caregiver_id),
        )
        if refusal is not None:
            raise refusal.error()
        before = self._visits.get(intervention_id)
        self._add_correction(correction)
        return _correction_events(correction, before, self._refresh(intervention_id))

    # -- keeping the indexes in step --------------------------------------------------

    def _append(self, entry: LogEntry) -> None:
        self._entries.append(entry)
        self._by_id[entry.punch.id] = entry
        self._entries_of.setdefault(entry.punch.intervention_id, []).append(entry)

    def _add_correction(self, correction: Correction) -> None:
        if correction.id in self._correction_by_id:
            raise InvalidInput(
                Text("correction ids must be unique"), field="id", text=correction.id
            )
        self._corrections.append(correction)
        self._correction_by_id[correction.id] = correction
        self._corrections_of.setdefault(correction.intervention_id, []).append(correction)

    def _refresh(self, intervention_id: InterventionId) -> Visit | None:
        """Derive the intervention's visit again and move the open-visit index with it."""
        old = self._visits.pop(intervention_id, None)
        if old is not None and self._open.get(old.caregiver_id) == intervention_id:
            del self._open[old.caregiver_id]
        visit = derive_visit(
            intervention_id,
            self._entries_of.get(intervention_id, []),
            self._corrections_of.get(intervention_id, []),
        )
        if visit is not None:
            self._visits[intervention_id] = visit
            if visit.is_open:
                self._open[visit.caregiver_id] = intervention_id
        return visit
