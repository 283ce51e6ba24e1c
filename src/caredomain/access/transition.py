"""The deployment's dates of the move from console mode to Administrator mode (seed 002).

"Depuis la mise à jour de décembre 2023, la désignation d'un administrateur est possible et
deviendra obligatoire" — "Pendant une période transitoire qui débute le 01/04/2024 et dure
environ 3 mois (d'une mise à jour générale à une autre), ce mode EIG Administrateur sera
accessible par le mot de passe pupitre."

The periods, on the deployment's calendar (dates are read in its ``zone``)::

    ...before | transition_from ... transition | transition_until ... after...

* :attr:`Transition.designation_from`: designating an administrator is possible from this
  date (the December 2023 update: 2023-12-01).
* :attr:`Transition.mandatory_from`: from this date a configuration without an
  administrator is reported (:func:`missing_administrators`); the seed says "deviendra
  obligatoire" without a date, so by default it is the general update that ends the
  transition (2024-07-01).
* The transition period runs from :attr:`Transition.transition_from` (2024-04-01) until the
  next general update, :attr:`Transition.transition_until` (2024-07-01 by default: "avril –
  début juillet"), which is the first day after it.

Each deployment sets its own dates; they must come in this order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from attrs import Attribute, field, frozen

from caredomain.access.configurations import Configuration
from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.organisation import PARIS
from caredomain.text import Text

__all__ = ["Period", "Transition", "missing_administrators"]


class Period(StrEnum):
    BEFORE = "before"  # console mode only, as it always was
    TRANSITION = "transition"  # Administrator mode opens with the console password too
    AFTER = "after"  # the administrator's own password only; console through break-glass


def _after_designation(instance: Transition, attribute: Attribute[date], value: date) -> None:
    if value < instance.designation_from:
        raise InvalidInput(
            Text(
                "must not come before designation_from ({first})", first=instance.designation_from
            ),
            field=attribute.name,
            text=value.isoformat(),
        )


def _after_start(instance: Transition, attribute: Attribute[date], value: date) -> None:
    if value <= instance.transition_from:
        raise InvalidInput(
            Text("must come after transition_from ({first})", first=instance.transition_from),
            field=attribute.name,
            text=value.isoformat(),
        )


@frozen(field_transformer=checked_fields)
class Transition:
    """One deployment's dates (see the module); the seed's by default."""

    designation_from: date = date(2023, 12, 1)
    transition_from: date = field(default=date(2024, 4, 1), validator=_after_designation)
    transition_until: date = field(default=date(2024, 7, 1), validator=_after_start)
    mandatory_from: date = field(default=date(2024, 7, 1), validator=_after_designation)
    zone: ZoneInfo = PARIS

    def period_at(self, day: date) -> Period:
        """The period ``day`` falls in."""
        if day < self.transition_from:
            return Period.BEFORE
        if day < self.transition_until:
            return Period.TRANSITION
        return Period.AFTER

    def day_of(self, instant: datetime) -> date:
        """The deployment's calendar date at ``instant``."""
        return require_aware(instant, "instant").astimezone(self.zone).date()

    def period_at_instant(self, instant: datetime) -> Period:
        return self.period_at(self.day_of(instant))

    def may_designate(self, day: date) -> bool:
        return day >= self.designation_from

    def administrator_required(self, day: date) -> bool:
        return day >= self.mandatory_from


def missing_administrators(
    configurations: Iterable[Configuration], day: date, transition: Transition
) -> list[Configuration]:
    """The configurations without an administrator on ``day``, once one is mandatory; none
    before that date. Sorted by id."""
    if not transition.administrator_required(day):
        return []
    return sorted((c for c in configurations if c.administrator is None), key=lambda c: c.id)
