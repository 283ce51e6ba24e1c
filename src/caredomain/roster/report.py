"""The report of a GTT batch: what it read, applied, confirmed, found stale or rejected, the
local edits it resolved and the agents and posts it moved — for people (:meth:`FeedReport.lines`)
and for the ``GttBatchApplied`` event's counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from attrs import field, frozen

from caredomain.ports import FeedRejection
from caredomain.roster.absences import Reinstatement, Unassignment
from caredomain.roster.days import LocalEdit
from caredomain.roster.model import Post

__all__ = ["EditResolution", "FeedReport"]


@frozen
class EditResolution:
    """A pending local edit a GTT row resolved: merged (same code) or overwritten."""

    edit: LocalEdit
    gtt_code: str
    line: int

    def __str__(self) -> str:
        return (
            f"{self.edit.agent} {self.edit.day.isoformat()}: local {self.edit.code} "
            f"(by {self.edit.edited_by}), GTT {self.gtt_code}"
        )


def _rejections(values: Iterable[FeedRejection]) -> tuple[FeedRejection, ...]:
    return tuple(sorted(values, key=lambda rejection: rejection.line))


@frozen
class FeedReport:
    """What a batch did. ``read`` counts every row, and, unless the batch was ``refused``
    (strict policy and a bad row: nothing applied), ``read == applied + unchanged + stale +
    len(rejected)``. ``applied`` rows changed what the GTT holds; ``unchanged`` rows
    confirmed it; ``stale`` rows were older than what is held."""

    source: str
    extracted_at: datetime
    read: int = 0
    applied: int = 0
    unchanged: int = 0
    stale: int = 0
    rejected: tuple[FeedRejection, ...] = field(default=(), converter=_rejections)
    merged: tuple[EditResolution, ...] = ()
    overwritten: tuple[EditResolution, ...] = ()
    unassigned: tuple[Unassignment, ...] = ()
    vacated: tuple[Post, ...] = ()
    reassigned: tuple[Reinstatement, ...] = ()
    refused: bool = False

    @property
    def empty(self) -> bool:
        """Nothing changed: no row applied, no local edit resolved, nobody moved."""
        return not (
            self.applied
            or self.merged
            or self.overwritten
            or self.unassigned
            or self.vacated
            or self.reassigned
        )

    def lines(self, zone: tzinfo | None = None) -> list[str]:
        """The report for people, one line each; times on the wall clock of ``zone``."""
        extracted = self.extracted_at.astimezone(zone) if zone else self.extracted_at
        head = f"{self.source} (extracted {extracted.isoformat(timespec='minutes')})"
        if self.refused:
            head += f": REFUSED, nothing applied ({len(self.rejected)} bad rows, strict policy)"
        out = [
            head,
            f"  rows read {self.read}, applied {self.applied}, unchanged {self.unchanged}, "
            f"stale {self.stale}, rejected {len(self.rejected)}",
        ]
        out += [f"  rejected line {r.line}: {r.reason}" for r in self.rejected]
        out += [f"  local edit merged: {m}" for m in self.merged]
        out += [f"  local edit OVERWRITTEN: {o}" for o in self.overwritten]
        out += [f"  unassigned: {u}" for u in self.unassigned]
        out += [
            f"  vacated: {post.id} on {post.day.isoformat()} {post.fill}" for post in self.vacated
        ]
        out += [f"  reassigned: {r}" for r in self.reassigned]
        return out
