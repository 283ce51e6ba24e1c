"""The organisation: its name, its time zone and its opening calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import NewType, TypeVar
from zoneinfo import ZoneInfo

from attrs import Attribute, Factory, field, frozen

from caredomain.arguments import checked_fields
from caredomain.calendar import OpeningCalendar
from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["PARIS", "ConfigurationId", "Organisation", "OrganisationId"]

OrganisationId = NewType("OrganisationId", str)
ConfigurationId = NewType("ConfigurationId", str)
"""A configuration (seed 002): one customer's tenancy, holding one or more bases."""
PARIS = ZoneInfo("Europe/Paris")


Str = TypeVar("Str", bound=str)


def _not_blank(instance: object, attribute: Attribute[Str], value: Str) -> None:
    if not value.strip():
        raise InvalidInput(Text("must not be blank"), field=attribute.name, text=value)


@frozen(field_transformer=checked_fields)
class Organisation:
    """A care organisation. Wall-clock rules are evaluated in its ``zone``.

    It is one base of a ``configuration`` (seed 002: a customer's configuration holds one or
    more bases); by default the only base of a configuration of its own name.
    """

    id: OrganisationId = field(validator=_not_blank)
    name: str = field(validator=_not_blank)
    zone: ZoneInfo = PARIS
    calendar: OpeningCalendar = field(factory=OpeningCalendar)
    configuration: ConfigurationId = field(
        default=Factory(lambda self: ConfigurationId(self.id), takes_self=True),
        validator=_not_blank,
    )

    @property
    def country(self) -> str:
        return self.calendar.holidays.country

    @property
    def locale(self) -> str:
        """The Babel locale for its messages: French of France or of Canada."""
        return "fr_CA" if self.country == "CA" else "fr_FR"

    def local(self, instant: datetime) -> datetime:
        """``instant`` on the organisation's wall clock."""
        return require_aware(instant, "instant").astimezone(self.zone)

    def today(self, instant: datetime) -> date:
        """The organisation's local date at ``instant``."""
        return self.local(instant).date()
