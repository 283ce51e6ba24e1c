"""The report of a GTT batch: what it read, applied, confirmed, found stale or rejected, the
local edits it resolved and the agents and posts it moved — for people (:meth:`FeedReport.lines`)
and for the ``GttBatchApplied`` event's counts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo

from attrs import field, frozen

from caredomain.roster.absences import Reinstatement, Unassignment
from caredomain.roster.batch import FeedRejection
from caredomain.roster.days import LocalEdit
from caredomain.roster.model import Post
from caredomain.text import Text, counted

__all__ = ["EditResolution", "FeedReport"]


@frozen
class EditResolution:
    """A pending local edit a GTT row resolved: merged (same code) or overwritten."""

    edit: LocalEdit
    gtt_code: str
    line: int

    def __str__(self) -> str:
        return Text(
            "{agent} {day}: local {code} (by {by}), GTT {gtt_code}",
            agent=self.edit.agent,
            day=self.edit.day.isoformat(),
            code=self.edit.code,
            by=self.edit.edited_by,
            gtt_code=self.gtt_code,
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
        """The report for people, one line each (each a :class:`~caredomain.text.Text`);
        times on the wall clock of ``zone``."""
        extracted = self.extracted_at.astimezone(zone) if zone else self.extracted_at
        when = extracted.isoformat(timespec="minutes")
        head = Text("{source} (extracted {when})", source=self.source, when=when)
        if self.refused:
            head = Text(
                "{head}: REFUSED, nothing applied ({bad}, strict policy)",
                head=head,
                bad=counted("{n} bad row", "{n} bad rows", n=len(self.rejected)),
            )
        out: list[str] = [
            head,
            Text(
                "  rows read {read}, applied {applied}, unchanged {unchanged}, stale {stale}, "
                "rejected {rejected}",
                read=self.read,
                applied=self.applied,
                unchanged=self.unchanged,
                stale=self.stale,
                rejected=len(self.rejected),
            ),
        ]
        out += [
            Text("  rejected line {line}: {reason}", line=r.line, reason=r.reason)
            for r in self.rejected
        ]
        out += [Text("  local edit merged: {edit}", edit=str(m)) for m in self.merged]
        out += [Text("  local edit OVERWRITTEN: {edit}", edit=str(o)) for o in self.overwritten]
        out += [Text("  unassigned: {change}", change=str(u)) for u in self.unassigned]
        out += [
            Text(
                "  vacated: {post} on {day} {fill}",
                post=post.id,
                day=post.day.isoformat(),
                fill=str(post.fill),
            )
            for post in self.vacated
        ]
        out += [Text("  reassigned: {change}", change=str(r)) for r in self.reassigned]
        return out
