"""Use-case arguments checked at the edge: the wrong type is InvalidInput naming the argument."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal, NewType

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain import (
    Actor,
    ActorId,
    CareDomainError,
    FixedClock,
    InvalidInput,
    Organisation,
    OrganisationId,
    Role,
)
from caredomain.arguments import _FieldCheck, checked, conform
from caredomain.cli.demo_run import sample_configuration
from caredomain.notifications.services import NOTIFIER_ACTOR, outbox_summary
from caredomain.organisation import ConfigurationId
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots import AppointmentType, Beneficiary, Channel, TypeId
from caredomain.slots.services import book_slot, configure_slots, free_slots
from caredomain_sqlite import SqliteStore

Token = NewType("Token", str)


@pytest.mark.parametrize(
    ("hint", "value", "expected"),
    [
        (Channel, "portal", Channel.PORTAL),
        (Channel, Channel.BACK_OFFICE, Channel.BACK_OFFICE),
        (Token, "abc", "abc"),
        (int, 3, 3),
        (float, 3, 3),
        (date | None, None, None),
        (date, date(2027, 3, 2), date(2027, 3, 2)),
        (Literal["a", "b"], "b", "b"),
        (Sequence[str], ["x"], ["x"]),
        (frozenset[Channel], frozenset({"portal"}), frozenset({Channel.PORTAL})),
        (Collection[Channel], ["portal"], [Channel.PORTAL]),
        (Mapping[str, int], {"a": 1}, {"a": 1}),
        (Any, object, object),
    ],
)
def test_a_value_of_the_right_type_passes(hint: Any, value: object, expected: object) -> None:
    assert conform(hint, value, "arg") == expected


@pytest.mark.parametrize(
    ("hint", "value", "message"),
    [
        (Channel, "guichet", "expected one of back_office, portal"),
        (Token, 12, "expected str, not int"),
        (int, True, "expected int, not bool"),
        (int, 2.5, "expected int, not float"),
        (date, "2027-03-02", "expected date, not str"),
        (date, datetime(2027, 3, 2, tzinfo=UTC), "expected date, not datetime"),
        (datetime, datetime(2027, 3, 2), "an aware datetime"),
        (date | None, 3, "expected date, not int"),
        (int | str, 2.5, "expected int or str, not float"),
        (Literal["a", "b"], "c", "expected 'a' or 'b'"),
        (Sequence[str], 3, "expected Sequence, not int"),
        (Collection[Channel], "portal", "expected a collection of one of back_office, portal"),
    ],
)
def test_a_value_of_another_type_is_refused_naming_the_argument(
    hint: Any, value: object, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        conform(hint, value, "arg")
    assert refused.value.field == "arg"


def test_an_item_of_another_type_is_refused_naming_its_place() -> None:
    with pytest.raises(InvalidInput, match="expected int, not str") as refused:
        conform(Mapping[str, int], {"a": "x"}, "arg")
    assert refused.value.field == "arg['a']"
    with pytest.raises(InvalidInput, match="expected one of") as refused:
        conform(Sequence[Channel], ["portal", "guichet"], "arg")
    assert refused.value.field == "arg[1]"


def test_a_use_case_called_with_too_many_arguments_is_invalid_input() -> None:
    @checked
    def use_case(context: object, actor: object, days: int = 14) -> int:
        return days

    assert use_case(None, None, days=3) == 3
    with pytest.raises(InvalidInput, match="use_case: got an unexpected keyword argument"):
        use_case(None, None, weeks=2)  # type: ignore[call-arg]


# -- every public use case ---------------------------------------------------------------

MODULES = (
    "caredomain.slots.services.planning",
    "caredomain.slots.services.bookings",
    "caredomain.slots.services.queries",
    "caredomain.services.organisations",
    "caredomain.notifications.services.configuring",
    "caredomain.notifications.services.dispatch",
    "caredomain.roster.services",
    "caredomain.roster.services.staffing",
    "caredomain.roster.services.feed",
    "caredomain.interventions.services",
)


def _use_cases() -> list[Callable[..., Any]]:
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attribute in module.__all__:
            function = getattr(module, attribute)
            parameters = list(inspect.signature(function).parameters) if callable(function) else []
            if inspect.isfunction(function) and parameters[:1] == ["context"]:
                found[f"{function.__module__}.{function.__name__}"] = function
    return [found[key] for key in sorted(found)]


USE_CASES = _use_cases()

anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.binary(max_size=5),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
    st.dates(),
    st.datetimes(),
    st.builds(object),
)


def test_every_use_case_is_checked() -> None:
    assert len(USE_CASES) > 50
    unchecked = [f.__qualname__ for f in USE_CASES if not hasattr(f, "__wrapped__")]
    assert unchecked == []


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ServiceContext:
    store = SqliteStore(tmp_path_factory.mktemp("arguments") / "care.db")
    context = ServiceContext(store=store, clock=FixedClock(datetime(2026, 4, 27, 9, tzinfo=UTC)))
    configuration = sample_configuration()
    admin = Actor.administrator(configuration=ConfigurationId("sarreguemines"))
    configure_organisation(context, admin, configuration.organisation)
    configure_slots(context, admin, configuration.organisation.id, configuration.slots)
    return context


@pytest.mark.parametrize("use_case", USE_CASES, ids=lambda f: f.__name__)
@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_argument_gives_a_caredomain_error_or_a_result(
    context: ServiceContext, use_case: Callable[..., Any], data: st.DataObject
) -> None:
    parameters = list(inspect.signature(use_case).parameters.values())[2:]
    arguments = {p.name: data.draw(anything, label=p.name) for p in parameters}
    with contextlib.suppress(CareDomainError):  # a result, or a caredomain error: no other
        use_case(
            context,
            Actor.administrator(configuration=ConfigurationId("sarreguemines")),
            **arguments,
        )


def test_an_enumeration_given_by_its_value_keeps_its_meaning(context: ServiceContext) -> None:
    """``channel="portal"`` is the portal: a citizen books for herself, not the back office."""
    town = sample_configuration().organisation.id
    camille = Actor(
        ActorId("camille"),
        {Role.CITIZEN},
        name="Camille Martin",
        configuration=ConfigurationId("sarreguemines"),
    )
    first = free_slots(context, camille, town, TypeId("pieces-identite"), channel="portal")[0]
    booked = book_slot(
        context,
        camille,
        town,
        counter_id=first.counter_id,
        start=first.start,
        beneficiary=Beneficiary("camille", "Camille Martin", email="camille@example.org"),
        channel="portal",  # type: ignore[arg-type]
        option="CNI",
    )
    assert booked.channel is Channel.PORTAL


# -- public constructors -------------------------------------------------------------------


def _fields(cls: type) -> tuple[Any, ...]:
    return attrs.fields(cls) if attrs.has(cls) else ()


def _modules() -> list[str]:
    import caredomain

    return [
        info.name
        for info in pkgutil.walk_packages(caredomain.__path__, "caredomain.")
        if not any(part in info.name for part in (".cli", ".testing", "__main__"))
    ]


CONSTRUCTED = [
    cls
    for module in _modules()
    for cls in vars(importlib.import_module(module)).values()
    if inspect.isclass(cls)
    and cls.__module__ == module
    and any(isinstance(getattr(a, "converter", None), _FieldCheck) for a in _fields(cls))
]


def test_the_public_models_check_their_fields() -> None:
    names = {cls.__name__ for cls in CONSTRUCTED}
    assert {
        "AppointmentType",
        "Place",
        "Counter",
        "Organisation",
        "Actor",
        "Agent",
        "Post",
        "SlotSettings",
        "OpeningCalendar",
        "NotificationSettings",
        "AlarmSettings",
    } <= names


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        (lambda: AppointmentType(TypeId("t"), "L", 20, 2), "window", "not int"),
        (lambda: AppointmentType(TypeId("t"), "L", "20", "2m"), "duration_minutes", "not str"),
        (
            lambda: AppointmentType(TypeId("t"), "L", 20, "2m", services="état civil"),
            "services",
            "a collection of str, not str",
        ),
        (lambda: Organisation(OrganisationId("o"), {"a": 1}), "name", "not dict"),
        (
            lambda: Actor(
                ActorId("a"), {Role.AGENT}, name=3, configuration=ConfigurationId("sarreguemines")
            ),
            "name",
            "not int",
        ),
    ],
)
def test_a_constructor_refuses_another_type_naming_the_field(
    build: Callable[[], object], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as refused:
        build()
    assert refused.value.field == field


@pytest.mark.parametrize("cls", CONSTRUCTED, ids=lambda c: c.__name__)
@settings(max_examples=25)
@given(data=st.data())
def test_any_field_values_give_a_model_or_invalid_input(cls: type, data: st.DataObject) -> None:
    values = {
        a.alias: data.draw(anything, label=a.alias)
        for a in _fields(cls)
        if a.init and (a.default is attrs.NOTHING or data.draw(st.booleans()))
    }
    with contextlib.suppress(InvalidInput):
        cls(**values)


def test_a_number_past_the_stores_integers_is_invalid_input(context: ServiceContext) -> None:
    with pytest.raises(InvalidInput, match="a number too large for the store"):
        outbox_summary(context, NOTIFIER_ACTOR, dead_limit=2**63)
