"""Merge-field values written in French, on the organisation's wall clock, never in UTC.

Dates read "mardi 3 février 2026 à 14 h 30" (and "à 9 h" on the hour), in the
organisation's zone and locale: French of France, or of Canada for Québec. Durations read
"20 minutes", "1 heure et 30 minutes". Babel does the words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from babel.dates import format_datetime
from babel.lists import format_list
from babel.units import format_unit

from caredomain.notifications.kinds import FieldType, MergeField, MergeValue
from caredomain.organisation import Organisation

__all__ = ["format_duration", "format_moment", "merge_texts", "plain_spaces"]

_ON_THE_HOUR = "EEEE d MMMM y 'à' H 'h'"
_WITH_MINUTES = "EEEE d MMMM y 'à' H 'h' mm"


def format_moment(moment: datetime, organisation: Organisation) -> str:
    """``moment`` as the organisation's people read it: "mardi 3 février 2026 à 14 h 30"."""
    local = organisation.local(moment)
    pattern = _ON_THE_HOUR if local.minute == 0 else _WITH_MINUTES
    return str(
        format_datetime(local, pattern, tzinfo=organisation.zone, locale=organisation.locale)
    )


def format_duration(minutes: int, locale: str = "fr_FR") -> str:
    """A whole number of minutes in words: "45 minutes", "1 heure et 30 minutes"."""
    hours, rest = divmod(max(minutes, 0), 60)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="long", locale=locale))
    if rest or not hours:
        parts.append(format_unit(rest, "duration-minute", length="long", locale=locale))
    return str(format_list(parts, style="standard", locale=locale))


def merge_texts(
    fields: Sequence[MergeField], values: Sequence[MergeValue], organisation: Organisation
) -> dict[int, str]:
    """Each field's value as text, by number; a value that is absent is empty."""
    texts: dict[int, str] = {}
    for merge_field in fields:
        number = merge_field.number
        value = values[number] if number < len(values) else None
        texts[number] = _text(merge_field.type, value, organisation)
    return texts


def _text(kind: FieldType, value: MergeValue, organisation: Organisation) -> str:
    if value is None:
        return ""
    if kind is FieldType.DATETIME and isinstance(value, datetime):
        return format_moment(value, organisation)
    if kind is FieldType.DURATION and isinstance(value, int):
        return format_duration(value, organisation.locale)
    return str(value)


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2019": "'"})


def plain_spaces(text: str) -> str:
    """No-break spaces and typographic apostrophes made plain, for SMS: each of them
    alone would force the whole message out of GSM-7 into UCS-2."""
    return text.translate(_SPACES)
