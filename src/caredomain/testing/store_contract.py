"""The store contract: a Hypothesis state machine that any :class:`~caredomain.ports.Store`
can run on itself.

The machine drives the store through units of work and compares it, step by step, with a
plain model (a dict of organisations, a list of events). Subclass it, say how to make a new,
empty store, and let your test runner collect its ``TestCase``::

    from caredomain.testing.store_contract import StoreContract

    class MyStoreContract(StoreContract):
        def make_store(self):
            return MyStore(...)

    TestMyStore = MyStoreContract.TestCase

or, to build the store from a pytest fixture, inside a test function::

    run_state_machine_as_test(MyStoreContract)

What it checks, for every store:

* in a write unit: ``add`` of a taken id and ``append`` of a recorded event id raise
  ``Conflict``, and so does ``extend`` with such an id or one given twice, recording none
  of its events; ``replace``, ``remove`` and ``get`` of a missing id raise ``NotFound``; none
  of these errors spoils the unit, which can go on and commit;
* a unit sees its own changes; ``commit`` makes them visible to later units; ``rollback``,
  leaving the ``with`` block without committing, or leaving it by an exception leaves no
  trace;
* a read-only unit (``write=False``) refuses every write with ``Forbidden``, before any
  other check, and changes nothing;
* ``ids()`` is sorted; ``since(position, limit)`` returns the events after ``position``
  (exclusive), oldest first, at most ``limit`` of them; positions are positive, increasing,
  and a committed event keeps its position for ever.

The machine holds at most one unit open at a time and closes the store in ``teardown``.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from attrs import define, field
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from caredomain.errors import CareDomainError, Conflict, Forbidden, NotFound
from caredomain.events import Event, OrganisationConfigured
from caredomain.organisation import Organisation, OrganisationId
from caredomain.ports import Store, UnitOfWork

__all__ = ["StoreContract"]

# Small alphabets, so that ids collide and Conflict / NotFound paths are taken often.
_organisation_ids = st.text(alphabet="abc", min_size=1, max_size=2)
_event_ids = st.text(alphabet="xyz", min_size=1, max_size=2)
_names = st.text(
    alphabet=st.sampled_from(string.ascii_letters + " 'éàçÉ-\"\\"), min_size=1, max_size=12
).filter(str.strip)
_zones = st.sampled_from(["Europe/Paris", "America/Toronto"])
_instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def _organisation(organisation_id: str, name: str, zone: str) -> Organisation:
    return Organisation(OrganisationId(organisation_id), name, zone=ZoneInfo(zone))


def _event(event_id: str, occurred_at: datetime, organisation_id: str, name: str) -> Event:
    return OrganisationConfigured(
        event_id=event_id, occurred_at=occurred_at, organisation_id=organisation_id, name=name
    )


@define
class _Model:
    """What the store should hold."""

    organisations: dict[OrganisationId, Organisation] = field(factory=dict)
    events: list[Event] = field(factory=list)

    def copy(self) -> _Model:
        return _Model(dict(self.organisations), list(self.events))

    def event_ids(self) -> set[str]:
        return {event.event_id for event in self.events}


@contextmanager
def _raises(expected: type[CareDomainError]) -> Iterator[None]:
    try:
        yield
    except expected:
        return
    raise AssertionError(f"expected {expected.__name__}, nothing was raised")


class StoreContract(RuleBasedStateMachine):
    """Compares a store with a model of dicts and lists. Override :meth:`make_store`.

    Rules take plain values (ids, names, zone keys) so that a failing program printed by
    Hypothesis is valid Python; the domain objects are built inside the rules.
    """

    def __init__(self) -> None:
        super().__init__()
        self.store = self.make_store()
        self.committed = _Model()
        self.seen = _Model()  # what the open unit should see: committed plus its changes
        self.unit: UnitOfWork | None = None
        self.unit_writes = False
        self.positions: list[int] = []  # positions of the committed events, once read

    def make_store(self) -> Store:
        """A new, empty store; called once for each program Hypothesis runs."""
        raise NotImplementedError(f"{type(self).__name__} must override make_store()")

    def teardown(self) -> None:
        if self.unit is not None:
            self.unit.__exit__(None, None, None)
        self.store.close()

    # -- units of work ------------------------------------------------------------------

    def _open_unit(self) -> UnitOfWork:
        assert self.unit is not None
        return self.unit

    @precondition(lambda self: self.unit is None)
    @rule(write=st.booleans())
    def begin(self, write: bool) -> None:
        self.unit = self.store.unit_of_work(write=write).__enter__()
        self.unit_writes = write
        self.seen = self.committed.copy()

    @precondition(lambda self: self.unit is not None)
    @rule()
    def commit(self) -> None:
        unit = self._open_unit()
        unit.commit()
        unit.__exit__(None, None, None)
        self.unit = None
        self.committed = self.seen

    @precondition(lambda self: self.unit is not None)
    @rule(how=st.sampled_from(["rollback", "leave", "raise"]))
    def abandon(self, how: str) -> None:
        """Roll back explicitly, leave the block without committing, or leave by an error."""
        unit = self._open_unit()
        if how == "rollback":
            unit.rollback()
        if how == "raise":
            error = RuntimeError("the caller failed")
            unit.__exit__(RuntimeError, error, error.__traceback__)
        else:
            unit.__exit__(None, None, None)
        self.unit = None
        self.seen = self.committed.copy()

    # -- organisations -------------------------------------------------------------------

    @precondition(lambda self: self.unit is not None)
    @rule(organisation_id=_organisation_ids, name=_names, zone=_zones)
    def add(self, organisation_id: str, name: str, zone: str) -> None:
        organisation = _organisation(organisation_id, name, zone)
        if not self.unit_writes:
            with _raises(Forbidden):
                self._open_unit().organisations.add(organisation)
        elif organisation.id in self.seen.organisations:
            with _raises(Conflict):
                self._open_unit().organisations.add(organisation)
        else:
            self._open_unit().organisations.add(organisation)
            self.seen.organisations[organisation.id] = organisation

    @precondition(lambda self: self.unit is not None)
    @rule(organisation_id=_organisation_ids, name=_names, zone=_zones)
    def replace(self, organisation_id: str, name: str, zone: str) -> None:
        organisation = _organisation(organisation_id, name, zone)
        if not self.unit_writes:
            with _raises(Forbidden):
                self._open_unit().organisations.replace(organisation)
        elif organisation.id not in self.seen.organisations:
            with _raises(NotFound):
                self._open_unit().organisations.replace(organisation)
        else:
            self._open_unit().organisations.replace(organisation)
            self.seen.organisations[organisation.id] = organisation

    @precondition(lambda self: self.unit is not None)
    @rule(organisation_id=_organisation_ids)
    def remove(self, organisation_id: str) -> None:
        key = OrganisationId(organisation_id)
        if not self.unit_writes:
            with _raises(Forbidden):
                self._open_unit().organisations.remove(key)
        elif key not in self.seen.organisations:
            with _raises(NotFound):
                self._open_unit().organisations.remove(key)
        else:
            self._open_unit().organisations.remove(key)
            del self.seen.organisations[key]

    @precondition(lambda self: self.unit is not None)
    @rule(organisation_id=_organisation_ids)
    def get(self, organisation_id: str) -> None:
        key = OrganisationId(organisation_id)
        if key in self.seen.organisations:
            assert self._open_unit().organisations.get(key) == self.seen.organisations[key]
        else:
            with _raises(NotFound):
                self._open_unit().organisations.get(key)

    # -- events --------------------------------------------------------------------------

    @precondition(lambda self: self.unit is not None)
    @rule(event_id=_event_ids, occurred_at=_instants, organisation_id=_organisation_ids)
    def append(self, event_id: str, occurred_at: datetime, organisation_id: str) -> None:
        event = _event(event_id, occurred_at, organisation_id, name=f"Organisation {event_id}")
        if not self.unit_writes:
            with _raises(Forbidden):
                self._open_unit().events.append(event)
        elif event_id in self.seen.event_ids():
            with _raises(Conflict):
                self._open_unit().events.append(event)
        else:
            self._open_unit().events.append(event)
            self.seen.events.append(event)

    @precondition(lambda self: self.unit is not None)
    @rule(
        event_ids=st.lists(_event_ids, max_size=4),
        occurred_at=_instants,
        organisation_id=_organisation_ids,
    )
    def extend(self, event_ids: list[str], occurred_at: datetime, organisation_id: str) -> None:
        events = [
            _event(event_id, occurred_at, organisation_id, name=f"Organisation {event_id}")
            for event_id in event_ids
        ]
        journal = self._open_unit().events
        if not self.unit_writes:
            with _raises(Forbidden):
                journal.extend(events)
        elif len(set(event_ids)) < len(event_ids) or self.seen.event_ids() & set(event_ids):
            with _raises(Conflict):
                journal.extend(events)
        else:
            journal.extend(events)
            self.seen.events += events

    @precondition(lambda self: self.unit is not None)
    @rule(after=st.integers(0, 8), limit=st.integers(1, 4))
    def read_since(self, after: int, limit: int) -> None:
        """Events after the ``after``-th one, ``limit`` at a time."""
        journal = self._open_unit().events
        everything = journal.since(0, limit=len(self.seen.events) + 1)
        after = min(after, len(everything))
        position = everything[after - 1][0] if after else 0
        assert journal.since(position, limit) == everything[after : after + limit]

    # -- invariants ----------------------------------------------------------------------

    @contextmanager
    def _looking(self) -> Iterator[tuple[UnitOfWork, _Model]]:
        """The open unit and what it should see, or else a fresh read-only unit."""
        if self.unit is not None:
            yield self.unit, self.seen
            return
        with self.store.unit_of_work(write=False) as unit:
            yield unit, self.committed

    @invariant()
    def ids_are_the_model_keys_sorted(self) -> None:
        with self._looking() as (unit, model):
            assert unit.organisations.ids() == sorted(model.organisations)

    @invariant()
    def organisations_read_back_equal(self) -> None:
        with self._looking() as (unit, model):
            for key, organisation in model.organisations.items():
                assert unit.organisations.get(key) == organisation

    @invariant()
    def journal_holds_the_model_events_in_order(self) -> None:
        with self._looking() as (unit, model):
            entries = unit.events.since(0, limit=len(model.events) + 1)
        assert [event for _, event in entries] == model.events
        positions = [position for position, _ in entries]
        assert all(position > 0 for position in positions), positions
        assert positions == sorted(set(positions)), positions

    @invariant()
    def committed_events_keep_their_positions(self) -> None:
        with self._looking() as (unit, _):
            entries = unit.events.since(0, limit=len(self.committed.events))
        positions = [position for position, _ in entries]
        assert positions[: len(self.positions)] == self.positions
        self.positions = positions
