"""caredomain: the daily operations of care organisations, as a pure domain core.

The public API is re-exported here. Adapters (the SQLite store, mail and SMS senders,
feed readers…) are plugins found through the ``caredomain`` entry-point group; write
your own with :data:`hookimpl` (see ``docs/plugins.md``).
"""

from caredomain.__about__ import __version__
from caredomain.access import (
    Action,
    Actor,
    ActorId,
    Everywhere,
    Resource,
    Role,
    authorize,
    authorize_action,
    is_allowed,
)
from caredomain.calendar import (
    ClosedReason,
    ClosedWeekday,
    Closure,
    DayStatus,
    OpeningCalendar,
    PublicHoliday,
    PublicHolidays,
)
from caredomain.clock import Clock, FixedClock, SystemClock
from caredomain.durations import MinimumNotice, OpeningWindow
from caredomain.errors import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    SlotTaken,
)
from caredomain.events import Event, OrganisationConfigured
from caredomain.hookspecs import hookimpl
from caredomain.hours import ReferenceWeek, TimeRange, Weekday, format_ranges, parse_ranges
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.secret import Secret

__all__ = [
    "Action",
    "Actor",
    "ActorId",
    "CareDomainError",
    "Clock",
    "ClosedReason",
    "ClosedWeekday",
    "Closure",
    "ConfigurationId",
    "Conflict",
    "DayStatus",
    "Event",
    "Everywhere",
    "FixedClock",
    "Forbidden",
    "InvalidInput",
    "MinimumNotice",
    "NotFound",
    "OpeningCalendar",
    "OpeningWindow",
    "Organisation",
    "OrganisationConfigured",
    "OrganisationId",
    "PublicHoliday",
    "PublicHolidays",
    "ReferenceWeek",
    "Resource",
    "Role",
    "RuleViolation",
    "Secret",
    "SlotTaken",
    "SystemClock",
    "TimeRange",
    "Weekday",
    "__version__",
    "authorize",
    "authorize_action",
    "format_ranges",
    "hookimpl",
    "is_allowed",
    "parse_ranges",
]
