"""Settings checked when they are saved, not discovered later as an empty calendar.

Refused (:class:`~caredomain.errors.RuleViolation`), because no slot could ever be booked:

* ``type.notice_exceeds_window``: the minimum notice is longer than the opening window
  (shortest reading: a month counts 28 days), so every planned slot is already closed;
* ``counter.duration_exceeds_hours``: a reference week applied to a counter has ranges,
  but none as long as the type's duration, so the week yields no slot at all. A week with
  no range at all is allowed: it is how a counter is closed for a period.

Warned (:class:`SettingWarning`), because the administrator may be midway through setting
up and the seed has them save a counter before applying a week to it:

* ``counter.no_reference_week``: no week is applied to the counter on any day of its window;
* ``counter.uncovered_days``: some days of the window have no week applied;
* ``week.short_range``: a range of an applied week is shorter than one slot, so it yields
  none (the other ranges still do).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from attrs import frozen

from caredomain.errors import RuleViolation
from caredomain.slots.model import AppointmentType, Counter
from caredomain.slots.settings import SettingsChanges, SlotSettings
from caredomain.text import Text, counted

__all__ = ["SettingWarning", "check_settings"]


@frozen
class SettingWarning:
    """A setting that is saved but will not plan what one might expect."""

    code: str
    subject: str
    message: str

    def __str__(self) -> str:
        return Text(
            "[{code}] {subject}: {message}",
            code=self.code,
            subject=self.subject,
            message=self.message,
        )


def check_settings(
    settings: SlotSettings, today: date, *, changes: SettingsChanges | None = None
) -> tuple[SettingWarning, ...]:
    """Refuse what could never plan a bookable slot; warn about what plans less than meant.

    With ``changes`` (from :meth:`SlotSettings.changes_since`), only the changed types and
    the counters they, or a changed week, affect are checked; otherwise everything is.
    """
    types = settings.types if changes is None else _changed_types(settings, changes)
    for kind in types:
        _check_notice(kind)
    warnings: list[SettingWarning] = []
    for counter in _counters_to_check(settings, changes, types):
        warnings += _check_counter(settings, counter, today)
    return tuple(warnings)


def _changed_types(settings: SlotSettings, changes: SettingsChanges) -> list[AppointmentType]:
    return [t for t in settings.types if t.id in changes.types]


def _counters_to_check(
    settings: SlotSettings, changes: SettingsChanges | None, types: Iterable[AppointmentType]
) -> list[Counter]:
    if changes is None:
        return list(settings.counters)
    wanted = set(changes.counters)
    wanted.update(c.id for kind in types for c in settings.counters_of(kind.id))
    wanted.update(a.counter_id for a in settings.applications if a.week in changes.weeks)
    return [c for c in settings.counters if c.id in wanted]


def _check_notice(kind: AppointmentType) -> None:
    if kind.notice is not None and kind.notice.delta > kind.window.shortest:
        raise RuleViolation(
            "type.notice_exceeds_window",
            Text(
                "type {type}: a minimum notice of {notice} is longer than "
                "the opening window {window}, so no slot could ever be booked",
                type=kind.id,
                notice=str(kind.notice),
                window=str(kind.window),
            ),
        )


def _check_counter(settings: SlotSettings, counter: Counter, today: date) -> list[SettingWarning]:
    kind = settings.type(counter.type_id)
    warnings = []
    for application in settings.applications_of(counter.id):
        week = settings.week(application.week)
        longest = week.longest_range_minutes
        if longest and kind.duration_minutes > longest:
            raise RuleViolation(
                "counter.duration_exceeds_hours",
                Text(
                    "counter {counter}: {duration}-minute slots fit in no range "
                    "of reference week {week} (longest {longest} minutes)",
                    counter=counter.id,
                    duration=kind.duration_minutes,
                    week=repr(week.name),
                    longest=longest,
                ),
            )
        short = sorted(
            {str(r) for day in week.days for r in day if r.minutes < kind.duration_minutes}
        )
        if short:
            warnings.append(
                SettingWarning(
                    "week.short_range",
                    counter.id,
                    Text(
                        "ranges {ranges} of week {week} are shorter than "
                        "one {duration}-minute slot and yield none",
                        ranges=", ".join(short),
                        week=repr(week.name),
                        duration=kind.duration_minutes,
                    ),
                )
            )
    coverage = _coverage_warning(settings, counter, today, kind.window.last_day(today))
    return warnings if coverage is None else [*warnings, coverage]


def _coverage_warning(
    settings: SlotSettings, counter: Counter, first: date, last: date
) -> SettingWarning | None:
    total = (last - first).days + 1
    covered = _days_covered(
        ((a.first, a.last) for a in settings.applications_of(counter.id)), first, last
    )
    if covered == 0:
        return SettingWarning(
            "counter.no_reference_week",
            counter.id,
            Text(
                "no reference week is applied from {first} to {last}: "
                "the counter will have no slot",
                first=first.isoformat(),
                last=last.isoformat(),
            ),
        )
    if covered < total:
        return SettingWarning(
            "counter.uncovered_days",
            counter.id,
            counted(
                "{n} of the {total} days from {first} to {last} have no reference week applied",
                "{n} of the {total} days from {first} to {last} have no reference week applied",
                n=total - covered,
                total=total,
                first=first.isoformat(),
                last=last.isoformat(),
            ),
        )
    return None


def _days_covered(spans: Iterable[tuple[date, date]], first: date, last: date) -> int:
    """How many days from ``first`` to ``last`` at least one span covers."""
    covered = 0
    reached = first - timedelta(days=1)
    for start, end in sorted((max(s, first), min(e, last)) for s, e in spans if s <= last):
        if end < start or end <= reached:
            continue
        covered += (end - max(start, reached + timedelta(days=1))).days + 1
        reached = end
    return covered
