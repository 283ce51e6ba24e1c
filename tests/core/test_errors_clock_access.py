"""The exception tree, the clocks, and the access policy (deny by default)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.access import (
    Action,
    Actor,
    ActorId,
    Resource,
    Role,
    authorize,
    authorize_action,
    is_allowed,
    may_attempt,
    policy,
)
from caredomain.clock import FixedClock, SystemClock, require_aware
from caredomain.errors import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from caredomain.organisation import ConfigurationId
from caredomain.testing import strategies as cds

# ---------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------


def test_invalid_input_shows_source_line_field_and_text() -> None:
    error = InvalidInput(
        "expected XXhXX-XXhXX", source="week.txt", line=3, field="monday", text="9h"
    )
    assert str(error) == "week.txt:3: monday: expected XXhXX-XXhXX (got '9h')"


@pytest.mark.parametrize(
    ("where", "shown"),
    [
        ({}, "bad"),
        ({"text": "x"}, "bad (got 'x')"),
        ({"line": 7}, "line 7: bad"),
        ({"field": "zone"}, "zone: bad"),
        ({"source": "a.toml"}, "a.toml: bad"),
        ({"source": "a.toml", "field": "zone"}, "a.toml: zone: bad"),
        ({"line": 2, "field": "zone", "text": ""}, "line 2: zone: bad (got '')"),
    ],
)
def test_invalid_input_shows_what_it_knows(where: dict[str, Any], shown: str) -> None:
    assert str(InvalidInput("bad", **where)) == shown


def test_located_fills_only_what_was_unknown() -> None:
    error = InvalidInput("bad", line=2, text="x").located(source="f.txt", line=9, field="tuesday")
    assert (error.source, error.line, error.field, error.text) == ("f.txt", 2, "tuesday", "x")
    assert error.message == "bad"


def test_the_exception_tree() -> None:
    for cls in (InvalidInput, RuleViolation, NotFound, Forbidden, Conflict):
        assert issubclass(cls, CareDomainError)
    assert issubclass(InvalidInput, ValueError)  # attrs validators and cattrs expect one
    violation = RuleViolation("slot.min_notice", "trop tard pour réserver")
    assert violation.code == "slot.min_notice"
    assert violation.message == "trop tard pour réserver"
    assert str(violation) == "[slot.min_notice] trop tard pour réserver"


# ---------------------------------------------------------------------------------------
# Clocks
# ---------------------------------------------------------------------------------------

NOON = datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Europe/Paris"))


def test_fixed_clock_refuses_naive_datetimes() -> None:
    naive = datetime(2026, 3, 1, 12)
    with pytest.raises(InvalidInput) as caught:
        FixedClock(naive)
    assert caught.value.field == "now"
    clock = FixedClock(NOON)
    with pytest.raises(InvalidInput):
        clock.set(naive)
    assert clock.now() == NOON


def test_fixed_clock_moves_forward_only() -> None:
    clock = FixedClock(NOON)
    assert clock.now() == NOON
    assert clock.advance(timedelta(minutes=90)) == NOON + timedelta(minutes=90)
    assert clock.advance(timedelta(0)) == NOON + timedelta(minutes=90)
    with pytest.raises(InvalidInput, match="backward"):
        clock.advance(timedelta(seconds=-1))
    assert clock.now() == NOON + timedelta(minutes=90)


@given(cds.aware_datetimes(), st.timedeltas(timedelta(0), timedelta(days=400)))
def test_fixed_clock_advances_by_exactly_the_delta(start: datetime, delta: timedelta) -> None:
    clock = FixedClock(start)
    clock.advance(delta)
    assert clock.now() - start == delta


def test_system_clock_is_aware() -> None:
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert require_aware(now) is now


def test_require_aware_names_the_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        require_aware(datetime(2026, 1, 1), "occurred_at")
    assert caught.value.field == "occurred_at"


# ---------------------------------------------------------------------------------------
# Access: deny by default
# ---------------------------------------------------------------------------------------

METZ = ConfigurationId("metz")
ANYTHING = Resource("organisation", "mairie-metz", configuration=METZ)


def actor(*roles: Role) -> Actor:
    return Actor(ActorId("someone"), roles, configuration=METZ)


def test_every_action_has_a_rule() -> None:
    assert set(policy.POLICY) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_an_actor_without_roles_may_do_nothing(action: Action) -> None:
    assert not is_allowed(actor(), action, ANYTHING)
    with pytest.raises(Forbidden):
        authorize(actor(), action, ANYTHING)


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.CITIZEN])
def test_only_the_administrator_configures_the_organisation(role: Role) -> None:
    with pytest.raises(Forbidden) as caught:
        authorize(actor(role), Action.ORGANISATION_CONFIGURE, ANYTHING)
    assert str(caught.value) == "someone may not organisation.configure on organisation mairie-metz"
    authorize(Actor.administrator(configuration=METZ), Action.ORGANISATION_CONFIGURE, ANYTHING)
    authorize(actor(role, Role.ADMINISTRATOR), Action.ORGANISATION_CONFIGURE, ANYTHING)


@pytest.mark.parametrize("role", list(Role))
def test_every_role_views_the_calendar(role: Role) -> None:
    authorize(actor(role), Action.CALENDAR_VIEW, ANYTHING)


def test_an_action_missing_from_the_policy_is_denied_even_to_the_administrator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    administrator = Actor.administrator(configuration=METZ)
    assert is_allowed(administrator, Action.CALENDAR_VIEW, ANYTHING)
    without_view = {a: r for a, r in policy.POLICY.items() if a is not Action.CALENDAR_VIEW}
    monkeypatch.setattr(policy, "POLICY", MappingProxyType(without_view))
    assert not is_allowed(administrator, Action.CALENDAR_VIEW, ANYTHING)
    with pytest.raises(Forbidden):
        authorize(administrator, Action.CALENDAR_VIEW, ANYTHING)
    assert is_allowed(administrator, Action.ORGANISATION_CONFIGURE, ANYTHING)


@given(cds.actors(), st.sampled_from(Action))
def test_is_allowed_agrees_with_authorize(who: Actor, action: Action) -> None:
    allowed = is_allowed(who, action, ANYTHING)
    if allowed:
        authorize(who, action, ANYTHING)
    else:
        with pytest.raises(Forbidden):
            authorize(who, action, ANYTHING)


@pytest.mark.parametrize("action", list(Action))
def test_none_is_refused_everything_with_forbidden(action: Action) -> None:
    nobody: Any = None
    assert not is_allowed(nobody, action, ANYTHING)
    assert not may_attempt(nobody, action)
    with pytest.raises(Forbidden, match="nobody may not"):
        authorize(nobody, action, ANYTHING)
    with pytest.raises(Forbidden, match="nobody may not"):
        authorize_action(nobody, action)


@pytest.mark.parametrize("action", list(Action))
def test_an_actor_without_roles_may_attempt_nothing(action: Action) -> None:
    with pytest.raises(Forbidden):
        authorize_action(actor(), action)


@pytest.mark.parametrize(
    "action", [Action.ROSTER_PLAN, Action.ROSTER_EDIT_CODE, Action.ROSTER_VIEW]
)
def test_a_roster_resource_with_no_unit_is_the_administrators(action: Action) -> None:
    manager = Actor(ActorId("cadre"), {Role.MANAGER}, services={"Pédiatrie"}, configuration=METZ)
    assert may_attempt(manager, action)
    assert not is_allowed(manager, action, Resource("agent", "A1007", configuration=METZ))
    cardiology = Resource("agent", "A1007", services={"Cardiologie"}, configuration=METZ)
    assert not is_allowed(manager, action, cardiology)
    paediatrics = Resource("agent", "A1007", services={"Pédiatrie"}, configuration=METZ)
    assert is_allowed(manager, action, paediatrics)
    anyone = Resource("agent", "A1007", configuration=METZ)
    assert is_allowed(Actor.administrator(configuration=METZ), action, anyone)


resources = st.builds(
    Resource,
    kind=st.sampled_from(["post", "agent", "appointment", "organisation"]),
    id=st.text(max_size=5),
    owner=st.one_of(st.none(), st.sampled_from(["a", "b"])),
    services=st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2),
    configuration=st.one_of(st.none(), st.sampled_from([METZ, ConfigurationId("nancy")])),
)


@given(cds.actors(), st.sampled_from(Action), resources)
def test_what_is_allowed_somewhere_may_be_attempted(
    who: Actor, action: Action, resource: Resource
) -> None:
    # The check made before any lookup never refuses what the full check would allow.
    if is_allowed(who, action, resource):
        authorize_action(who, action)


def test_actor_values() -> None:
    administrator = Actor.administrator("a1", "Claire Martin")
    assert administrator.has(Role.ADMINISTRATOR)
    assert not administrator.has(Role.AGENT)
    roles_as_text: list[Any] = ["agent"]  # as a config file gives them
    agent = Actor(ActorId("a2"), roles_as_text, services=["état civil"])
    assert agent.roles == {Role.AGENT}
    assert agent.services == frozenset({"état civil"})
    assert str(Resource("counter")) == "counter"


def test_an_unknown_role_is_refused_with_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        Actor(ActorId("a"), ["boss"])  # type: ignore[list-item]
