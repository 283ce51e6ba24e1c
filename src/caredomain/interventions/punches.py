"""The punch log ("pointage", "déclaration des interventions", seed 004), the office's
corrections on top of it, and the visits derived from both.

A phone sends a :class:`~caredomain.interventions.model.Punch` when the caregiver clocks in
or out, with a badge (NFC tag or QR code left at the client's home) or by hand. The log is
append-only: every punch is kept, the refused ones with their refusal code, so that
nothing the phone sent is ever lost. The office never rewrites or deletes a punch; it adds
reason-coded :class:`~caredomain.interventions.corrections.Correction` records on top of
the log (set the actual start or end, add a forgotten clock-out, void a punch). A
:class:`~caredomain.interventions.derived_visits.Visit` is *derived* from the log and the
corrections by :func:`~caredomain.interventions.derived_visits.derive_visits`, a pure
function; :class:`PunchLog` keeps the derived visits in step as punches and corrections
arrive, and records the events of each.

Which time counts: the phone's ``device_time``. Phones without network keep their punches
and send them later (``offline``), so ``received_at`` may be hours after the fact; the
caregiver's presence is what the phone's clock said when the badge was read. The punch
keeps ``received_at`` for the record, and reconciliation works on ``device_time``.

The rules are :mod:`~caredomain.interventions.punch_rules`, checked against the visits
derived so far, in the order the punches arrive (a phone sends its queue in order).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from attrs import evolve, frozen

from caredomain.errors import Conflict, InvalidInput
from caredomain.events import Event
from caredomain.interventions.corrections import Correction, CorrectionId
from caredomain.interventions.derived_visits import Visit, derive_visit, sorted_visits
from caredomain.interventions.events import (
    PunchRecorded,
    PunchRefused,
    VisitCorrected,
    VisitEnded,
    VisitStarted,
)
from caredomain.interventions.log_entries import LogEntry, Refusal
from caredomain.interventions.model import CaregiverId, InterventionId, Punch, PunchId, PunchKind
from caredomain.interventions.punch_rules import correction_refusal, punch_refusal
from caredomain.interventions.visit_planning import VisitPlanning
from caredomain.text import Text

__all__ = ["PunchLog", "PunchOutcome"]


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
        return sorted_visits(
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
