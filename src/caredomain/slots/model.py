"""What an administrator configures before any slot exists (seed 003, "Principes généraux").

An appointment type ("type de rendez-vous"), a place ("lieu de rendez-vous"), a counter
("guichet": a type served at a place) and the application of a reference week ("semaine de
référence", :class:`caredomain.hours.ReferenceWeek`) to a counter over a date range.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NewType

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.durations import MinimumNotice, OpeningWindow
from caredomain.errors import InvalidInput
from caredomain.hours import MINUTES_PER_DAY
from caredomain.text import Text

__all__ = [
    "MAX_SEATS",
    "AppointmentId",
    "AppointmentType",
    "Counter",
    "CounterId",
    "Place",
    "PlaceId",
    "TypeId",
    "WeekApplication",
    "WeekName",
]

TypeId = NewType("TypeId", str)
PlaceId = NewType("PlaceId", str)
CounterId = NewType("CounterId", str)
AppointmentId = NewType("AppointmentId", str)
WeekName = NewType("WeekName", str)
"""A reference week is known by its name, as the administrator gives it."""

MAX_SEATS = 1000


def _not_blank(instance: object, attribute: Attribute[Any], value: str) -> None:
    if not value.strip():
        raise InvalidInput(Text("must not be blank"), field=attribute.name, text=value)


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _check_names(instance: object, attribute: Attribute[Any], value: frozenset[str]) -> None:
    for name in sorted(value):
        if not name.strip():
            raise InvalidInput(Text("must not hold a blank name"), field=attribute.name, text=name)


def _options(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _check_options(
    instance: object, attribute: Attribute[Any], value: tuple[str, ...] | None
) -> None:
    if value is None:
        return
    seen: set[str] = set()
    for option in value:
        if not option.strip():
            raise InvalidInput(
                Text("an option must not be blank"), field=attribute.name, text=option
            )
        if option in seen:
            raise InvalidInput(Text("an option is listed twice"), field=attribute.name, text=option)
        seen.add(option)


def _duration(instance: object, attribute: Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MINUTES_PER_DAY:
        raise InvalidInput(
            Text("a duration is a whole number of minutes from 1 to 1440"),
            field=attribute.name,
            text=str(value),
        )


def _window(value: OpeningWindow | str) -> OpeningWindow:
    return value if isinstance(value, OpeningWindow) else OpeningWindow.parse(value)


def _notice(value: MinimumNotice | str | None) -> MinimumNotice | None:
    if value is None or isinstance(value, MinimumNotice):
        return value
    return MinimumNotice.parse(value)


@frozen(field_transformer=checked_fields)
class AppointmentType:
    """A kind of appointment ("type de rendez-vous").

    ``window`` is the opening window ("plage max d'ouverture", ``"2m"`` = two months) and
    ``notice`` the minimum notice ("délai min avant heure du rendez-vous", ``"60m"`` = sixty
    minutes); both accept the seed's text. Empty ``partner_types`` means open to everyone;
    empty ``services`` means every service manages it; when ``options`` is not empty, every
    booking chooses exactly one of them. ``on_portal``: citizens may book it online.
    """

    id: TypeId = field(validator=_not_blank)
    label: str = field(validator=_not_blank)
    duration_minutes: int = field(validator=_duration)
    window: OpeningWindow = field(converter=_window)
    notice: MinimumNotice | None = field(default=None, converter=_notice)
    detail: str = ""
    partner_types: frozenset[str] = field(
        default=frozenset(), converter=_names, validator=_check_names
    )
    services: frozenset[str] = field(default=frozenset(), converter=_names, validator=_check_names)
    options: tuple[str, ...] = field(default=(), converter=_options, validator=_check_options)
    on_portal: bool = False


@frozen(field_transformer=checked_fields)
class Place:
    """Where appointments happen ("lieu de rendez-vous"): name, address, portal visibility."""

    id: PlaceId = field(validator=_not_blank)
    name: str = field(validator=_not_blank)
    address: str = field(validator=_not_blank)
    on_portal: bool = False


def _seats(instance: object, attribute: Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SEATS:
        raise InvalidInput(
            Text("a counter has from 1 to {most} seats", most=MAX_SEATS),
            field=attribute.name,
            text=str(value),
        )


def _some_options(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


@frozen(field_transformer=checked_fields)
class Counter:
    """A counter ("guichet") serves one appointment type at one place.

    It inherits its type's options ("le guichet récupère automatiquement ces options");
    ``options`` may narrow them to a subset, ``None`` meaning all of them. ``seats`` is how
    many citizens a slot of this counter takes (one booking per slot by default).
    """

    id: CounterId = field(validator=_not_blank)
    name: str = field(validator=_not_blank)
    type_id: TypeId = field(validator=_not_blank)
    place_id: PlaceId = field(validator=_not_blank)
    seats: int = field(default=1, validator=_seats)
    options: tuple[str, ...] | None = field(
        default=None, converter=_some_options, validator=_check_options
    )


def _check_last(instance: WeekApplication, attribute: object, last: date) -> None:
    if last < instance.first:
        raise InvalidInput(
            Text("an application cannot end before it starts"),
            field="last",
            text=last.isoformat(),
        )


@frozen(field_transformer=checked_fields)
class WeekApplication:
    """A reference week applied to a counter from ``first`` to ``last`` inclusive.

    Seed 003: the administrator "applies" a week to a counter over a date range. When two
    applications of one counter overlap, the one applied later wins on the common dates:
    applications are kept in the order they were made.
    """

    counter_id: CounterId = field(validator=_not_blank)
    week: WeekName = field(validator=_not_blank)
    first: date
    last: date = field(validator=_check_last)

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last
