"""Domain events: what happened, in the past tense, with when and a stable id.

Every event class derives from :class:`Event` and is registered under its class name, so
that stores can persist events and read them back (see :mod:`caredomain.serialization`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from attrs import field, frozen

from caredomain.clock import require_aware
from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Event", "IdFactory", "OrganisationConfigured", "event_class", "event_kinds"]

IdFactory = Callable[[], str]
"""Makes the id of each new event (and of anything else a rule creates): ids are passed in,
never drawn in the core."""

_EVENT_CLASSES: dict[str, type[Event]] = {}


def _utc(value: datetime) -> datetime:
    """The same instant in UTC: a zoned datetime in a DST fold would not round-trip."""
    return require_aware(value, "occurred_at").astimezone(UTC)


@frozen(kw_only=True)
class Event:
    """Base of every domain event. ``event_id`` is unique and stable across retries;
    ``occurred_at`` is kept in UTC."""

    kind: ClassVar[str] = "Event"

    event_id: str
    occurred_at: datetime = field(converter=_utc)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.kind = cls.__name__
        _EVENT_CLASSES[cls.__name__] = cls


def event_class(kind: str) -> type[Event]:
    """The event class registered as ``kind``."""
    try:
        return _EVENT_CLASSES[kind]
    except KeyError:
        raise InvalidInput(Text("unknown event kind"), field="kind", text=kind) from None


def event_kinds() -> list[str]:
    return sorted(_EVENT_CLASSES)


@frozen(kw_only=True)
class OrganisationConfigured(Event):
    """An organisation's settings were created or replaced."""

    organisation_id: str
    name: str
