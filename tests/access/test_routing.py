"""Support-call routing (seed 002, "Les changements pour l'assistance"): the whole decision
table written out, every combination of the inputs checked against it, and the seed's own
cases as examples."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.access.catalogue import load_catalogue
from caredomain.access.routing import (
    CONFIGURATOR_SUB_SUBJECT,
    CONFIGURATOR_SUBJECT,
    NEW_SUBJECT,
    RESPONSE_REFERRED,
    AdministratorStatus,
    Outcome,
    Period,
    Routing,
    SupportCall,
    route_call,
)
from caredomain.access.tickets import Level, TicketStatus, Window
from caredomain.errors import InvalidInput, NotFound

DOCS = Path(__file__).resolve().parents[2] / "docs" / "access.md"
AT = datetime(2024, 5, 15, 9, 30, tzinfo=UTC)
ANY = "*"

T, A = Period.TRANSITION, Period.AFTER
NONE, DESIGNATED, AVAILABLE = (
    AdministratorStatus.NONE,
    AdministratorStatus.DESIGNATED,
    AdministratorStatus.AVAILABLE,
)

# caller, in Administrator mode, manual, period, administrator, written -> outcome.
# "*" matches anything; the rows do not overlap and cover every combination (tested below).
TABLE: list[tuple[tuple[object, ...], Outcome]] = [
    ((ANY, ANY, False, ANY, ANY, ANY), Outcome.ANSWER),
    ((ANY, False, True, A, ANY, ANY), Outcome.NEW_SUBJECT_ESCALATION),
    ((ANY, False, True, T, ANY, True), Outcome.CONFIGURATOR_ESCALATION),
    ((ANY, False, True, T, ANY, False), Outcome.WRITTEN_REQUEST_REQUIRED),
    (("administrator", True, True, ANY, AVAILABLE, ANY), Outcome.WIKI_SUPPORT),
    (("administrator", True, True, ANY, DESIGNATED, ANY), Outcome.WIKI_SUPPORT),
    (("other", True, True, ANY, AVAILABLE, ANY), Outcome.REFER_TO_ADMINISTRATOR),
    (("other", True, True, ANY, DESIGNATED, False), Outcome.WRITTEN_REQUEST_REQUIRED),
    ((ANY, True, True, ANY, NONE, False), Outcome.WRITTEN_REQUEST_REQUIRED),
    (("other", True, True, T, DESIGNATED, True), Outcome.TECHNICIAN_INTERVENES),
    ((ANY, True, True, T, NONE, True), Outcome.TECHNICIAN_INTERVENES),
    (("other", True, True, A, DESIGNATED, True), Outcome.PAID_INTERVENTION),
    ((ANY, True, True, A, NONE, True), Outcome.PAID_INTERVENTION),
]

DOMAINS: tuple[tuple[object, ...], ...] = (
    ("administrator", "other"),
    (True, False),
    (True, False),
    tuple(Period),
    tuple(AdministratorStatus),
    (True, False),
)
COMBINATIONS = list(itertools.product(*DOMAINS))


def _matches(pattern: tuple[object, ...], combination: tuple[object, ...]) -> bool:
    return all(p in (ANY, value) for p, value in zip(pattern, combination, strict=True))


def _expected(combination: tuple[object, ...]) -> Outcome:
    (outcome,) = [outcome for pattern, outcome in TABLE if _matches(pattern, combination)]
    return outcome


def _call(combination: tuple[object, ...], **changes: object) -> SupportCall:
    caller, in_mode, manual, period, administrator, written = combination
    values: dict[str, object] = {
        "ticket_id": "T-42",
        "at": AT,
        "caller": "Jean Martin",
        "caller_is_administrator": caller == "administrator",
        "function": "configurator.users",
        "release": "2024.05",
        "in_administrator_mode": in_mode,
        "manual": manual,
        "period": period,
        "administrator": administrator,
        "administrator_name": None if administrator is NONE else "Claire Dubois",
        "written": written,
        **changes,
    }
    return SupportCall(**values)  # type: ignore[arg-type]


def test_the_table_gives_every_combination_exactly_one_outcome() -> None:
    assert len(COMBINATIONS) == 96
    for combination in COMBINATIONS:
        matched = [outcome for pattern, outcome in TABLE if _matches(pattern, combination)]
        assert len(matched) == 1, combination


@pytest.mark.parametrize("combination", COMBINATIONS)
def test_route_call_follows_the_table(combination: tuple[object, ...]) -> None:
    assert route_call(_call(combination)).outcome is _expected(combination)


def _consistent(routing: Routing, call: SupportCall) -> None:
    """What each outcome produces: its ticket's level, status, subject, copy."""
    ticket, outcome = routing.ticket, routing.outcome
    assert ticket.id == call.ticket_id
    assert ticket.opened_at == call.at
    assert routing.reason
    closed = {Outcome.ANSWER, Outcome.REFER_TO_ADMINISTRATOR, Outcome.WIKI_SUPPORT}
    assert ticket.closed is (outcome in closed)
    escalated = {Outcome.NEW_SUBJECT_ESCALATION, Outcome.CONFIGURATOR_ESCALATION}
    if outcome in escalated:
        assert ticket.level is Level.RD
        assert [entry.what for entry in ticket.history] == ["opened at N3", "escalated to R&D"]
    if outcome is Outcome.NEW_SUBJECT_ESCALATION:
        assert (ticket.subject, ticket.sub_subject) == (NEW_SUBJECT, call.function)
        assert routing.creates == (NEW_SUBJECT, call.function)
    else:
        assert (ticket.subject, ticket.sub_subject) == (
            CONFIGURATOR_SUBJECT,
            CONFIGURATOR_SUB_SUBJECT,
        )
        assert routing.creates == ()
    if outcome is Outcome.REFER_TO_ADMINISTRATOR:
        assert ticket.response == RESPONSE_REFERRED
    if outcome is Outcome.WRITTEN_REQUEST_REQUIRED:
        assert ticket.status is TicketStatus.AWAITING_WRITTEN_REQUEST
    if outcome is Outcome.TECHNICIAN_INTERVENES:
        assert (ticket.level, ticket.status) == (Level.N2, TicketStatus.OPEN)
    if outcome is Outcome.PAID_INTERVENTION:
        assert (ticket.level, ticket.status) == (Level.SP, TicketStatus.OPEN)
    wiki = outcome is Outcome.WIKI_SUPPORT
    assert ticket.copy == (() if wiki else call.copy)


@given(
    combination=st.sampled_from(COMBINATIONS),
    name=st.none() | st.sampled_from(["Claire Dubois", "Administrateur"]),
    minutes=st.integers(0, 60 * 24 * 365),
)
def test_every_call_gets_the_tables_outcome_and_what_it_produces(
    combination: tuple[object, ...], name: str | None, minutes: int
) -> None:
    known = None if combination[4] is NONE else name
    call = _call(combination, administrator_name=known, at=AT + timedelta(minutes=minutes))
    routing = route_call(call)
    assert routing.outcome is _expected(combination)
    _consistent(routing, call)
    assert call.copy == ((known,) if known else ())


# -- the seed's cases -------------------------------------------------------------------


def _about(function: str, release: str, **values: object) -> SupportCall:
    defaults: dict[str, object] = {
        "ticket_id": "T-1",
        "at": AT,
        "caller": "Jean Martin",
        "caller_is_administrator": False,
        "manual": True,
        "period": Period.TRANSITION,
        "administrator": AVAILABLE,
        "administrator_name": "Claire Dubois",
    }
    defaults.update(values)
    return SupportCall.about(load_catalogue(), function=function, release=release, **defaults)  # type: ignore[arg-type]


def test_a_caller_who_is_not_the_administrator_is_referred_to_her_with_her_in_copy() -> None:
    routing = route_call(_about("configurator.users", "2024.05"))
    assert routing.outcome is Outcome.REFER_TO_ADMINISTRATOR
    ticket = routing.ticket
    assert ticket.closed
    assert ticket.response == "Renvoi vers l'administrateur configurateur"
    assert ticket.copy == ("Claire Dubois",)
    assert ticket.level is Level.N1


def test_the_administrator_is_in_copy_only_when_known() -> None:
    routing = route_call(_about("configurator.users", "2024.05", administrator_name=None))
    assert routing.outcome is Outcome.REFER_TO_ADMINISTRATOR
    assert routing.ticket.copy == ()


def test_the_administrator_calling_is_pointed_to_the_wiki() -> None:
    routing = route_call(_about("hr.job_titles", "2024.07", caller_is_administrator=True))
    assert routing.outcome is Outcome.WIKI_SUPPORT
    assert routing.ticket.response == "Orientation vers les supports wiki"
    assert routing.ticket.copy == ()


def test_a_function_absent_from_administrator_mode_is_escalated_n3_then_rd() -> None:
    routing = route_call(_about("hr.pay_elements", "2024.07", period=Period.AFTER))
    assert routing.outcome is Outcome.NEW_SUBJECT_ESCALATION
    ticket = routing.ticket
    assert [entry.what for entry in ticket.history] == ["opened at N3", "escalated to R&D"]
    assert (ticket.subject, ticket.sub_subject) == ("Mode Administrateur", "hr.pay_elements")
    assert routing.creates == ("Mode Administrateur", "hr.pay_elements")


def test_during_the_transition_a_written_request_not_possible_in_administrator_mode() -> None:
    # Phones move to Administrator mode only with the July update.
    call = _about("device.manage", "2024.05", written=True)
    assert not call.in_administrator_mode
    routing = route_call(call)
    assert routing.outcome is Outcome.CONFIGURATOR_ESCALATION
    ticket = routing.ticket
    assert (ticket.subject, ticket.sub_subject) == ("Système applicatifs", "configurateur eig")
    assert [entry.what for entry in ticket.history] == ["opened at N3", "escalated to R&D"]
    unwritten = route_call(_about("device.manage", "2024.05"))
    assert unwritten.outcome is Outcome.WRITTEN_REQUEST_REQUIRED
    assert unwritten.ticket.status is TicketStatus.AWAITING_WRITTEN_REQUEST
    # With the July update the same request goes to the administrator.
    later = route_call(_about("device.manage", "2024.07", written=True))
    assert later.outcome is Outcome.REFER_TO_ADMINISTRATOR


def test_transition_and_after_with_the_administrator_unavailable() -> None:
    values = {"administrator": DESIGNATED, "written": True}
    during = route_call(_about("configurator.rights", "2024.05", **values))
    assert during.outcome is Outcome.TECHNICIAN_INTERVENES
    assert during.ticket.level is Level.N2
    after = route_call(_about("configurator.rights", "2024.07", period=Period.AFTER, **values))
    assert after.outcome is Outcome.PAID_INTERVENTION
    assert after.ticket.level is Level.SP
    assert after.ticket.copy == ("Claire Dubois",)


def test_after_the_transition_with_no_administrator_the_request_is_written_then_paid() -> None:
    values = {"period": Period.AFTER, "administrator": NONE, "administrator_name": None}
    asked = route_call(_about("configurator.users", "2024.07", **values))
    assert asked.outcome is Outcome.WRITTEN_REQUEST_REQUIRED
    assert asked.next_step == "on receipt, a paid SP ticket with a quote"
    paid = route_call(_about("configurator.users", "2024.07", written=True, **values))
    assert paid.outcome is Outcome.PAID_INTERVENTION
    # Quote, acceptance, a scheduled window with a person of the customer, the report.
    day = AT + timedelta(days=7)
    ticket = paid.ticket.send_quote("DEV-2024-118", AT + timedelta(hours=1))
    ticket = ticket.accept_quote(AT + timedelta(days=2))
    window = Window(day, day + timedelta(hours=2), "Sophie Laurent")
    ticket = ticket.schedule(window, AT + timedelta(days=2))
    ticket = ticket.send_report("Users created; rights checked.", day + timedelta(hours=2))
    assert ticket.closed
    assert ticket.report == "Users created; rights checked."


def test_a_question_needing_no_manual_intervention_is_answered() -> None:
    routing = route_call(_about("roster.feed", "2024.07", manual=False, period=Period.AFTER))
    assert routing.outcome is Outcome.ANSWER
    assert routing.ticket.closed


def test_a_caller_claiming_to_be_an_administrator_none_designated_is_any_caller() -> None:
    values = {"administrator": NONE, "administrator_name": None, "written": True}
    claimed = route_call(
        _about("configurator.users", "2024.05", caller_is_administrator=True, **values)
    )
    other = route_call(_about("configurator.users", "2024.05", **values))
    assert claimed.outcome is other.outcome is Outcome.TECHNICIAN_INTERVENES


def test_an_unknown_function_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"hr\.payroll"):
        _about("hr.payroll", "2024.05")


def test_no_administrator_can_have_a_name() -> None:
    with pytest.raises(InvalidInput) as refused:
        _about("configurator.users", "2024.05", administrator=NONE)
    assert refused.value.field == "administrator_name"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("period", "before"),
        ("administrator", "absent"),
        ("release", "2024-05"),
        ("at", datetime(2024, 5, 15)),
    ],
)
def test_a_call_with_a_bad_value_is_refused_naming_the_field(field: str, value: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        _call(COMBINATIONS[0], **{field: value})
    assert refused.value.field == field


def _docs_table() -> list[tuple[tuple[object, ...], Outcome]]:
    text = DOCS.read_text("utf-8")
    section = text[text.index("### The routing table") :]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    cells = {"any": ANY, "yes": True, "no": False}

    def cell(text: str, column: int) -> object:
        word = text.strip().strip("`")
        if word in cells:
            return cells[word]
        if column == 3:
            return Period(word)
        if column == 4:
            return AdministratorStatus(word)
        return word

    table = []
    for row in rows[1:]:  # the header first
        values = row.strip().strip("|").split("|")
        pattern = tuple(cell(v, i) for i, v in enumerate(values[:6]))
        table.append((pattern, Outcome(values[6].strip().strip("`"))))
    return table


def test_the_docs_routing_table_is_the_tests() -> None:
    assert _docs_table() == TABLE


@pytest.mark.parametrize(
    ("field", "value"), [("period", "before"), ("administrator", "absent"), ("release", "24.05")]
)
def test_about_refuses_a_bad_value_naming_the_field(field: str, value: str) -> None:
    values: dict[str, object] = {"release": "2024.05", field: value}
    release = values.pop("release")
    with pytest.raises(InvalidInput) as refused:
        _about("configurator.users", str(release), **values)
    assert refused.value.field == field
