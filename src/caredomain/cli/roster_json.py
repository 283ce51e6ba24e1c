"""The ``--json`` documents of ``caredomain roster`` and ``caredomain gtt``: small explicit
dicts whose keys the command-line page of the documentation lists. Datetimes are given on
the roster's wall clock, with their offset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from caredomain.roster import CandidateList, Post, Roster
from caredomain.roster.days import DayCode, LocalEdit
from caredomain.roster.ports import AppliedBatch
from caredomain.roster.report import EditResolution, FeedReport
from caredomain.roster.services.feed import FeedRun

__all__ = [
    "applied_batch",
    "candidate_list",
    "day_code",
    "feed_run",
    "local_edit",
    "post",
]


def post(item: Post, unit: str, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "post": item.id,
        "planning": item.planning,
        "unit": unit,
        "day": item.day,
        "start": item.start.astimezone(zone),
        "end": item.end.astimezone(zone),
        "skills": item.skills,
        "required": item.fill.required,
        "assigned": item.assigned,
        "fill": str(item.fill),
    }


def candidate_list(found: CandidateList, roster: Roster | None) -> dict[str, Any]:
    """The candidates best first; ``excluded`` is null unless asked for (``--explain``)."""

    def name(agent: str) -> str | None:
        return roster.agent(agent).name if roster and roster.knows(agent) else None

    return {
        "candidates": [
            {
                "agent": candidate.agent,
                "name": name(candidate.agent),
                "week_hours": _hours(candidate.week_hours),
                "rest_before_hours": _hours(candidate.rest_before),
                "rest_after_hours": _hours(candidate.rest_after),
            }
            for candidate in found.candidates
        ],
        "excluded": None
        if found.excluded is None
        else [
            {"agent": item.agent, "name": name(item.agent), "reasons": item.reasons}
            for item in found.excluded
        ],
    }


def _hours(span: timedelta | None) -> float | None:
    return None if span is None else span / timedelta(hours=1)


def local_edit(edit: LocalEdit, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "agent": edit.agent,
        "day": edit.day,
        "code": edit.code,
        "edited_at": edit.edited_at.astimezone(zone),
        "edited_by": edit.edited_by,
    }


def day_code(code: DayCode, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "day": code.day,
        "code": code.code,
        "provenance": code.provenance,
        "extracted_at": code.extracted_at.astimezone(zone) if code.extracted_at else None,
        "edit": None if code.edit is None else local_edit(code.edit, zone),
        "gtt_code": code.gtt_code,
    }


def applied_batch(batch: AppliedBatch, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "source": batch.source,
        "extracted_at": batch.extracted_at.astimezone(zone),
        "applied_at": batch.applied_at.astimezone(zone),
        "rows": batch.size,
        "summary": batch.summary,
    }


def feed_run(run: FeedRun, zone: ZoneInfo) -> dict[str, Any]:
    """A file's outcome: its report, or ``already_applied`` (then ``report`` is null)."""
    done = run.already_applied
    return {
        "report": None if run.report is None else _report(run.report, zone),
        "already_applied": None if done is None else applied_batch(done, zone),
    }


def _report(report: FeedReport, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "source": report.source,
        "extracted_at": report.extracted_at.astimezone(zone),
        "refused": report.refused,
        "read": report.read,
        "applied": report.applied,
        "unchanged": report.unchanged,
        "stale": report.stale,
        "rejected": [{"line": item.line, "reason": item.reason} for item in report.rejected],
        "merged": [_resolution(item, zone) for item in report.merged],
        "overwritten": [_resolution(item, zone) for item in report.overwritten],
        "unassigned": [str(item) for item in report.unassigned],
        "vacated": [item.id for item in report.vacated],
        "reassigned": [str(item) for item in report.reassigned],
    }


def _resolution(item: EditResolution, zone: ZoneInfo) -> dict[str, Any]:
    return {"edit": local_edit(item.edit, zone), "gtt_code": item.gtt_code, "line": item.line}
