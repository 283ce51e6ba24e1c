"""The appointment settings of one organisation ("Configuration / Rendez-vous", seed 003).

:class:`SlotSettings` is a frozen value: types, places, counters, reference weeks and their
applications to counters. Its ``with_…``/``without_…`` methods return a new value; the
checks that refuse or warn when settings are saved are in :mod:`caredomain.slots.checks`.
A derived value keeps the computed inputs of the counters the change did not touch, so
that planning after a one-counter change costs one counter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from attrs import define, evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.hours import ReferenceWeek
from caredomain.slots.model import (
    AppointmentType,
    Counter,
    CounterId,
    Place,
    PlaceId,
    TypeId,
    WeekApplication,
    WeekName,
)
from caredomain.slots.opening import CounterInputs, Span, last_day
from caredomain.text import Text

__all__ = ["SettingsChanges", "SlotSettings"]

T = TypeVar("T")


# One converter a field: mypy's attrs plugin cannot type a generic one.
def _types(value: Iterable[AppointmentType]) -> tuple[AppointmentType, ...]:
    return tuple(value)


def _places(value: Iterable[Place]) -> tuple[Place, ...]:
    return tuple(value)


def _counters(value: Iterable[Counter]) -> tuple[Counter, ...]:
    return tuple(value)


def _weeks(value: Iterable[ReferenceWeek]) -> tuple[ReferenceWeek, ...]:
    return tuple(value)


def _applications(value: Iterable[WeekApplication]) -> tuple[WeekApplication, ...]:
    return tuple(value)


_DEFINED_TWICE = {
    "type": lambda name: Text("type {name} is defined twice", name=name),
    "place": lambda name: Text("place {name} is defined twice", name=name),
    "counter": lambda name: Text("counter {name} is defined twice", name=name),
    "week": lambda name: Text("week {name} is defined twice", name=name),
}
_NO_SUCH = {
    "appointment type": lambda key: Text("no appointment type {key}", key=key),
    "place": lambda key: Text("no place {key}", key=key),
    "counter": lambda key: Text("no counter {key}", key=key),
    "reference week": lambda key: Text("no reference week {key}", key=key),
}
"""One whole text for each kind of thing, so that a translation can agree with it."""


def _unique(items: Iterable[T], key: str, what: str) -> dict[str, T]:
    found: dict[str, T] = {}
    for position, item in enumerate(items):
        name = getattr(item, key)
        if name in found:
            raise InvalidInput(_DEFINED_TWICE[what](repr(name)), field=f"{what}s[{position}]")
        found[name] = item
    return found


@define
class _Index:
    types: dict[str, AppointmentType]
    places: dict[str, Place]
    counters: dict[str, Counter]
    weeks: dict[str, ReferenceWeek]
    applications: dict[CounterId, tuple[WeekApplication, ...]]
    by_type_place: dict[str, dict[str, tuple[Counter, ...]]]


# How many earlier fingerprint tables a derived value remembers the changes since.
_LINEAGE = 8


@define
class _Memo:
    inputs: dict[CounterId, CounterInputs] = field(factory=dict)
    fingerprints: dict[CounterId, str] | None = None
    lineage: list[tuple[Mapping[CounterId, str], frozenset[CounterId]]] = field(factory=list)
    """Earlier fingerprint tables, each with the counters touched since."""
    horizons: dict[date, date] = field(factory=dict)


@frozen
class SettingsChanges:
    """What differs between two settings values, by id."""

    types: frozenset[TypeId] = frozenset()
    places: frozenset[PlaceId] = frozenset()
    weeks: frozenset[WeekName] = frozenset()
    counters: frozenset[CounterId] = frozenset()
    """Counters added, removed or changed, or whose week applications changed."""

    def __bool__(self) -> bool:
        return bool(self.types or self.places or self.weeks or self.counters)


@frozen(field_transformer=checked_fields)
class SlotSettings:
    """Types, places, counters, reference weeks and week applications, checked for integrity.

    A counter must name a known type and place, and narrow its options to its type's; an
    application must name a known counter and week. Ids are unique within each kind.
    """

    types: tuple[AppointmentType, ...] = field(default=(), converter=_types)
    places: tuple[Place, ...] = field(default=(), converter=_places)
    counters: tuple[Counter, ...] = field(default=(), converter=_counters)
    weeks: tuple[ReferenceWeek, ...] = field(default=(), converter=_weeks)
    applications: tuple[WeekApplication, ...] = field(default=(), converter=_applications)
    _index: _Index = field(init=False, eq=False, repr=False)
    _memo: _Memo = field(init=False, eq=False, repr=False, factory=_Memo)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", self._build_index())

    def _build_index(self) -> _Index:
        types = _unique(self.types, "id", "type")
        places = _unique(self.places, "id", "place")
        counters = _unique(self.counters, "id", "counter")
        weeks = _unique(self.weeks, "name", "week")
        by_type_place: dict[str, dict[str, list[Counter]]] = {}
        for position, counter in enumerate(self.counters):
            _check_counter(counter, position, types, places)
            by_type_place.setdefault(counter.type_id, {}).setdefault(counter.place_id, [])
            by_type_place[counter.type_id][counter.place_id].append(counter)
        applications: dict[CounterId, list[WeekApplication]] = {}
        for position, application in enumerate(self.applications):
            where = f"applications[{position}]"
            if application.counter_id not in counters:
                raise InvalidInput(
                    Text("no such counter"),
                    field=f"{where}.counter_id",
                    text=application.counter_id,
                )
            if application.week not in weeks:
                raise InvalidInput(
                    Text("no such week"), field=f"{where}.week", text=application.week
                )
            applications.setdefault(application.counter_id, []).append(application)
        return _Index(
            types,
            places,
            counters,
            weeks,
            {key: tuple(value) for key, value in applications.items()},
            {
                type_id: {place_id: tuple(found) for place_id, found in by_place.items()}
                for type_id, by_place in by_type_place.items()
            },
        )

    # -- lookups ------------------------------------------------------------------------

    def type(self, type_id: TypeId) -> AppointmentType:
        return _get(self._index.types, type_id, "appointment type")

    def place(self, place_id: PlaceId) -> Place:
        return _get(self._index.places, place_id, "place")

    def counter(self, counter_id: CounterId) -> Counter:
        return _get(self._index.counters, counter_id, "counter")

    def week(self, name: WeekName) -> ReferenceWeek:
        return _get(self._index.weeks, name, "reference week")

    def counters_of(self, type_id: TypeId, place_id: PlaceId | None = None) -> tuple[Counter, ...]:
        """The counters serving ``type_id`` (at ``place_id`` when given), from the index."""
        by_place = self._index.by_type_place.get(type_id, {})
        if place_id is not None:
            return by_place.get(place_id, ())
        return tuple(counter for found in by_place.values() for counter in found)

    def applications_of(self, counter_id: CounterId) -> tuple[WeekApplication, ...]:
        """The week applications of a counter, in the order they were made."""
        return self._index.applications.get(counter_id, ())

    def options_of(self, counter: Counter) -> tuple[str, ...]:
        """The options a booking on ``counter`` chooses from: its own, else its type's."""
        return self.type(counter.type_id).options if counter.options is None else counter.options

    def horizon(self, today: date) -> date:
        """The furthest day any type's window reaches from ``today``."""
        found = self._memo.horizons.get(today)
        if found is None:
            windows = {t.window for t in self.types}
            found = max((last_day(window, today) for window in windows), default=today)
            self._memo.horizons[today] = found
        return found

    # -- planner inputs -----------------------------------------------------------------

    def inputs(self, counter_id: CounterId) -> CounterInputs:
        """What the slots of ``counter_id`` depend on (computed once per settings value)."""
        found = self._memo.inputs.get(counter_id)
        if found is None:
            found = self._make_inputs(self.counter(counter_id))
            self._memo.inputs[counter_id] = found
        return found

    def _make_inputs(self, counter: Counter) -> CounterInputs:
        kind = self.type(counter.type_id)
        spans = tuple(
            Span(a.first, a.last, self._index.weeks[a.week])
            for a in self.applications_of(counter.id)
        )
        return CounterInputs(kind.duration_minutes, kind.window, counter.seats, spans)

    def fingerprints(self) -> Mapping[CounterId, str]:
        """The fingerprint of every counter's inputs, by counter id."""
        if self._memo.fingerprints is None:
            self._memo.fingerprints = {c.id: self.inputs(c.id).fingerprint for c in self.counters}
        return self._memo.fingerprints

    def touched_since(self, fingerprints: Mapping[CounterId, str]) -> frozenset[CounterId] | None:
        """The counters possibly changed since the value whose fingerprint table this is.

        Known without comparing every counter when this value was derived (in a few
        steps) from that one; None when it was not.
        """
        if fingerprints is self._memo.fingerprints:
            return frozenset()
        for earlier, touched in self._memo.lineage:
            if earlier is fingerprints:
                return touched
        return None

    # -- changes ------------------------------------------------------------------------

    def changes_since(self, previous: SlotSettings) -> SettingsChanges:
        """What was added, removed or changed since ``previous``."""
        applications: set[CounterId] = set()
        if previous.applications is not self.applications:
            old, new = previous._index.applications, self._index.applications
            applications = {cid for cid in old.keys() | new.keys() if old.get(cid) != new.get(cid)}
        return SettingsChanges(
            frozenset(_changed(previous.types, self.types, "id")),
            frozenset(_changed(previous.places, self.places, "id")),
            frozenset(_changed(previous.weeks, self.weeks, "name")),
            frozenset(_changed(previous.counters, self.counters, "id") | applications),
        )

    def with_type(self, kind: AppointmentType) -> SlotSettings:
        """Add ``kind``, or replace the type with its id."""
        affected = {c.id for c in self.counters_of(kind.id)}
        return self._derive(affected, types=_replace(self.types, kind, "id"))

    def without_type(self, type_id: TypeId) -> SlotSettings:
        self.type(type_id)
        if self.counters_of(type_id):
            raise RuleViolation(
                "type.in_use", Text("counters still serve type {type}", type=type_id)
            )
        return self._derive((), types=tuple(t for t in self.types if t.id != type_id))

    def with_place(self, place: Place) -> SlotSettings:
        return self._derive((), places=_replace(self.places, place, "id"))

    def without_place(self, place_id: PlaceId) -> SlotSettings:
        self.place(place_id)
        if any(c.place_id == place_id for c in self.counters):
            raise RuleViolation(
                "place.in_use", Text("counters are still at place {place}", place=place_id)
            )
        return self._derive((), places=tuple(p for p in self.places if p.id != place_id))

    def with_counter(self, counter: Counter) -> SlotSettings:
        return self._derive({counter.id}, counters=_replace(self.counters, counter, "id"))

    def without_counter(self, counter_id: CounterId) -> SlotSettings:
        """Remove a counter and its week applications."""
        self.counter(counter_id)
        return self._derive(
            {counter_id},
            counters=tuple(c for c in self.counters if c.id != counter_id),
            applications=tuple(a for a in self.applications if a.counter_id != counter_id),
        )

    def with_week(self, week: ReferenceWeek) -> SlotSettings:
        """Add ``week``, or replace the week of that name (and so every counter applying it)."""
        affected = {a.counter_id for a in self.applications if a.week == week.name}
        return self._derive(affected, weeks=_replace(self.weeks, week, "name"))

    def without_week(self, name: WeekName) -> SlotSettings:
        self.week(name)
        if any(a.week == name for a in self.applications):
            raise RuleViolation(
                "week.in_use",
                Text("reference week {week} is applied to counters", week=repr(name)),
            )
        return self._derive((), weeks=tuple(w for w in self.weeks if w.name != name))

    def with_application(self, application: WeekApplication) -> SlotSettings:
        """Apply a week to a counter over a date range; it wins over earlier applications."""
        return self._derive(
            {application.counter_id}, applications=(*self.applications, application)
        )

    def without_application(self, application: WeekApplication) -> SlotSettings:
        if application not in self.applications:
            raise NotFound(Text("no such application: {application}", application=str(application)))
        kept = list(self.applications)
        kept.remove(application)
        return self._derive({application.counter_id}, applications=tuple(kept))

    def _derive(self, affected: Iterable[CounterId], **changes: object) -> SlotSettings:
        derived: SlotSettings = evolve(self, **changes)  # type: ignore[arg-type]
        touched = set(affected)
        memo = derived._memo
        memo.inputs = {k: v for k, v in self._memo.inputs.items() if k not in touched}
        if "types" not in changes:
            memo.horizons = self._memo.horizons  # they depend on the types' windows only
        if self._memo.fingerprints is not None:
            fingerprints = dict(self._memo.fingerprints)
            for counter_id in touched:
                fingerprints.pop(counter_id, None)
                if counter_id in derived._index.counters:
                    fingerprints[counter_id] = derived.inputs(counter_id).fingerprint
            memo.fingerprints = fingerprints
            done = frozenset(touched)
            memo.lineage = [(self._memo.fingerprints, done)]
            memo.lineage += [(old, was | done) for old, was in self._memo.lineage[: _LINEAGE - 1]]
        return derived


def _check_counter(
    counter: Counter,
    position: int,
    types: Mapping[str, AppointmentType],
    places: Mapping[str, Place],
) -> None:
    where = f"counters[{position}]"
    kind = types.get(counter.type_id)
    if kind is None:
        raise InvalidInput(
            Text("no such appointment type"), field=f"{where}.type_id", text=counter.type_id
        )
    if counter.place_id not in places:
        raise InvalidInput(Text("no such place"), field=f"{where}.place_id", text=counter.place_id)
    foreign = sorted(set(counter.options or ()) - set(kind.options))
    if foreign:
        raise InvalidInput(
            Text("not an option of type {type}", type=kind.id),
            field=f"{where}.options",
            text=foreign[0],
        )


def _changed(old: tuple[T, ...], new: tuple[T, ...], key: str) -> set[Any]:
    if old is new:
        return set()
    before = {getattr(item, key): item for item in old}
    after = {getattr(item, key): item for item in new}
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def _get(table: Mapping[str, T], key: str, what: str) -> T:
    try:
        return table[key]
    except KeyError:
        raise NotFound(_NO_SUCH[what](repr(key))) from None


def _replace(items: tuple[T, ...], item: T, key: str) -> tuple[T, ...]:
    wanted = getattr(item, key)
    if any(getattr(existing, key) == wanted for existing in items):
        return tuple(item if getattr(existing, key) == wanted else existing for existing in items)
    return (*items, item)
