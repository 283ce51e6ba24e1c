"""Tenancy (seed 002, issue 20): no actor of one configuration reads or changes anything of
another, whatever its roles, through any use case of any module.

The store is the demo's, on a real SQLite file: the town of Sarreguemines (its town hall's
appointment slots and notifications, its home-care agency, its hospital's roster) is one
configuration, the CPE Soleil daycare another. A third configuration, Metz, has a base of
its own. Hypothesis then calls every public use case as an actor of Metz — any roles, the
services of the other configurations' units, the id of one of their people — with
arguments drawn from the other configurations' own identifiers, and checks that each call
is refused (``Forbidden``), or refused for its arguments alone (``InvalidInput``), or
answers with nothing of theirs; and that the store has not changed.
"""

from __future__ import annotations

import importlib
import inspect
import sqlite3
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import (
    Action,
    Actor,
    ActorId,
    ConfigurationId,
    Forbidden,
    InvalidInput,
    Organisation,
    OrganisationId,
    Resource,
    Role,
    authorize,
    is_allowed,
)
from caredomain.access import may_attempt
from caredomain.cli import main
from caredomain.services import ServiceContext, configure_organisation
from caredomain.testing import strategies as cds
from caredomain_sqlite import SqliteStore

METZ = ConfigurationId("metz")
OTHERS = (ConfigurationId("sarreguemines"), ConfigurationId("cpe-soleil"))

SERVICE_MODULES = (
    "caredomain.services",
    "caredomain.slots.services",
    "caredomain.notifications.services",
    "caredomain.roster.services",
    "caredomain.interventions.services",
    "caredomain.pickup.services",
)


def _use_cases() -> list[Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for attribute in module.__all__:
            function = getattr(module, attribute)
            if not inspect.isfunction(function):
                continue
            parameters = inspect.signature(function).parameters
            if list(parameters)[:1] == ["context"] and "actor" in parameters:
                found[f"{function.__module__}.{function.__name__}"] = function
    return [found[key] for key in sorted(found)]


USE_CASES = _use_cases()


# -- the policy alone --------------------------------------------------------------------


resources = st.builds(
    Resource,
    kind=st.sampled_from(["organisation", "post", "agent", "appointment type", "installation"]),
    id=st.text(max_size=5),
    owner=st.one_of(st.none(), st.sampled_from(["a", "b"])),
    services=st.frozensets(st.sampled_from(["a", "b"]), max_size=2),
    configuration=st.sampled_from(OTHERS),
)


@given(cds.actors(configurations=st.just(METZ)), st.sampled_from(Action), resources)
def test_no_rule_allows_an_actor_anything_of_another_configuration(
    actor: Actor, action: Action, resource: Resource
) -> None:
    assert not is_allowed(actor, action, resource)
    with pytest.raises(Forbidden):
        authorize(actor, action, resource)


@given(cds.actors(configurations=st.none()), st.sampled_from(Action), resources)
def test_an_actor_of_no_configuration_is_refused_everything(
    actor: Actor, action: Action, resource: Resource
) -> None:
    assert not may_attempt(actor, action)
    assert not is_allowed(actor, action, resource)
    assert not is_allowed(actor, action, Resource(resource.kind, configuration=None))


# -- every use case ------------------------------------------------------------------------


class Others:
    """What the other configurations hold: every short identifier of their rows, their
    organisations, and how the store reads, byte for byte."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with sqlite3.connect(path) as connection:
            texts = {
                value
                for (table,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
                for row in connection.execute(f'SELECT * FROM "{table}"')
                for value in row
                if isinstance(value, str)
                and 0 < len(value) <= 40
                and " " not in value
                and "metz" not in value
            }
        self.identifiers = sorted(texts)
        with SqliteStore(path) as store, store.unit_of_work(write=False) as uow:
            self.organisations = [
                uow.organisations.get(organisation_id)
                for organisation_id in uow.organisations.ids()
                if uow.organisations.get(organisation_id).configuration in OTHERS
            ]

    def dump(self) -> list[str]:
        with sqlite3.connect(self.path) as connection:
            return list(connection.iterdump())


@pytest.fixture(scope="module")
def others(tmp_path_factory: pytest.TempPathFactory) -> Others:
    path = tmp_path_factory.mktemp("tenancy") / "demo.db"
    assert main(["demo", "--db", str(path), "-q"]) == 0
    with SqliteStore(path) as store:
        metz = Organisation(OrganisationId("mairie-metz"), "Mairie de Metz", configuration=METZ)
        configure_organisation(
            ServiceContext(store=store), Actor.administrator(configuration=METZ), metz
        )
    return Others(path)


def _argument(
    parameter: inspect.Parameter, hint: Any, others: Others
) -> st.SearchStrategy[Any] | None:
    """What to pass for one parameter: the others' identifiers and organisations where a
    text or an organisation is asked for; None to leave a defaulted one alone."""
    identifiers = st.sampled_from(others.identifiers)
    by_type: dict[Any, st.SearchStrategy[Any]] = {
        Organisation: st.sampled_from(others.organisations),
        date: st.dates(date(2026, 1, 1), date(2027, 1, 1)),
        datetime: st.datetimes(datetime(2026, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
        timedelta: st.just(timedelta(minutes=10)),
    }
    text = getattr(hint, "__supertype__", None) is str or hint is str
    collection = str(typing.get_origin(hint)).startswith("<class 'collections.abc")
    if hint in by_type:
        return by_type[hint]
    if text:
        return identifiers
    if collection:
        return st.lists(identifiers, min_size=1, max_size=2)
    return None if parameter.default is not inspect.Parameter.empty else identifiers


def _arguments(use_case: Callable[..., Any], others: Others) -> st.SearchStrategy[dict[str, Any]]:
    hints = typing.get_type_hints(inspect.unwrap(use_case))
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    for name, parameter in inspect.signature(use_case).parameters.items():
        if name in ("context", "actor"):
            continue
        strategy = _argument(parameter, hints.get(name), others)
        if strategy is not None:
            drawn[name] = strategy
    return st.fixed_dictionaries(drawn)


def _intruders(others: Others) -> st.SearchStrategy[Actor]:
    """An actor of Metz with any roles, the units and the id of the others' people."""
    return st.builds(
        Actor,
        id=st.sampled_from(others.identifiers).map(ActorId),
        roles=st.frozensets(st.sampled_from(list(Role)), min_size=1),
        services=st.frozensets(st.sampled_from(others.identifiers), max_size=4),
        configuration=st.just(METZ),
    )


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda f: f.__name__)
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_use_case_gives_an_actor_anything_of_another_configuration(
    others: Others, use_case: Callable[..., Any], data: st.DataObject
) -> None:
    actor = data.draw(_intruders(others), label="actor")
    arguments = data.draw(_arguments(use_case, others), label="arguments")
    before = others.dump()
    with SqliteStore(others.path) as store:
        context = ServiceContext(store=store, clock=_Clock())
        try:
            result = use_case(context, actor=actor, **arguments)
        except (Forbidden, InvalidInput):
            result = None
    assert others.dump() == before
    shown = repr(result)
    leaked = [o.id for o in others.organisations if o.id in shown or o.name in shown]
    assert not leaked, f"{use_case.__name__} answered {shown[:200]}"


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 3, 16, tzinfo=UTC)


def test_every_module_s_use_cases_are_tried() -> None:
    modules = {f.__module__.split(".")[1] for f in USE_CASES}
    assert modules >= {"services", "slots", "notifications", "roster", "interventions", "pickup"}
    assert len(USE_CASES) > 70
