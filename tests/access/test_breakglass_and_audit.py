"""Break-glass interventions step by step, their refusals and window bounds; what the audit
verification names (seed 002)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from caredomain.access.actors import ActorId
from caredomain.access.audit import AuditEntry, AuditHead, AuditKind, Problem, chained, verify
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlass,
    BreakGlassId,
    Quote,
    Report,
    State,
    Window,
    WrittenRequest,
    console_refusal,
)
from caredomain.errors import Conflict, InvalidInput
from caredomain.organisation import ConfigurationId

CID = ConfigurationId("metz")
START = datetime(2024, 8, 8, 9, tzinfo=UTC)
END = START + timedelta(hours=2)


def _requested() -> BreakGlass:
    return BreakGlass(BreakGlassId("bg-1"), CID, WrittenRequest("LR-2024-081", date(2024, 8, 2)))


def _scheduled() -> BreakGlass:
    return (
        _requested()
        .quoted(Quote("SP-4471", "DEV-2024-190", Decimal("450.00")))
        .accepted(Acceptance(date(2024, 8, 5), "Marie DUPONT"))
        .scheduled(Window(START, END), "Marie DUPONT", ActorId("tech-luc"))
    )


def test_each_refusal_names_what_is_missing() -> None:
    assert "only through a break-glass intervention" in str(console_refusal(None, START))
    requested = _requested()
    assert str(console_refusal(requested, START)) == (
        "break-glass intervention bg-1 lacks a paid ticket with its quote, the customer's "
        "acceptance of the quote, a scheduled window, a person of the customer present, "
        "the technician"
    )
    quoted = requested.quoted(Quote("SP-4471", "DEV-1", Decimal("450")))
    assert "lacks the customer's acceptance" in str(console_refusal(quoted, START))


def test_the_window_bounds_start_included_end_excluded() -> None:
    record = _scheduled()
    assert console_refusal(record, START - timedelta(microseconds=1)) is not None
    assert console_refusal(record, START) is None
    assert console_refusal(record, END - timedelta(microseconds=1)) is None
    assert "from 2024-08-08T09:00:00+00:00 until" in str(console_refusal(record, END))


def test_steps_in_order_only() -> None:
    with pytest.raises(Conflict, match="is requested: one cannot accept its quote now"):
        _requested().accepted(Acceptance(date(2024, 8, 5), "Marie DUPONT"))
    with pytest.raises(Conflict, match="one cannot schedule it now"):
        _requested().scheduled(Window(START, END), "Marie DUPONT", ActorId("t"))
    record = _scheduled().opened(START)
    assert record.state is State.OPEN
    record = record.acted(START + timedelta(minutes=5))
    with pytest.raises(Conflict):
        record.acted(END)
    closed = record.closed(Report("Rights repaired.", "mdupont@metz.fr", END))
    assert (closed.state, closed.actions) == (State.CLOSED, 1)
    assert "is closed" in str(console_refusal(closed, START))
    with pytest.raises(Conflict):
        closed.opened(START)
    with pytest.raises(Conflict):
        closed.closed(Report("Again.", "mdupont@metz.fr", END))


def test_what_a_record_refuses_at_construction() -> None:
    with pytest.raises(InvalidInput) as window:
        Window(END, START)
    assert window.value.field == "end"
    with pytest.raises(InvalidInput) as naive:
        Window(datetime(2024, 8, 8, 9), END)
    assert naive.value.field == "start"
    with pytest.raises(InvalidInput) as amount:
        Quote("SP-1", "DEV-1", Decimal("0"))
    assert amount.value.field == "amount"
    with pytest.raises(InvalidInput) as address:
        Report("Done.", "not an address", END)
    assert address.value.field == "sent_to"
    with pytest.raises(InvalidInput) as present:
        _requested().quoted(Quote("SP-1", "D", Decimal(1))).accepted(
            Acceptance(date(2024, 8, 5), "M")
        ).scheduled(Window(START, END), " ", ActorId("t"))
    assert present.value.field == "customer_present"


def _journal(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    for i in range(n):
        entries.append(
            chained(
                entries[-1] if entries else None,
                CID,
                at=START + timedelta(minutes=i),
                kind=AuditKind.WINDOW_ACTION,
                actor="tech-luc",
                details={"action": f"step {i + 1}"},
            )
        )
    return entries


def test_verification_names_the_first_problem() -> None:
    entries = _journal(5)
    assert verify(entries).ok
    removed = verify(entries[:2] + entries[3:])
    assert (removed.problem, removed.sequence) == (Problem.REMOVED, 3)
    swapped = verify([entries[0], entries[2], entries[1], *entries[3:]])
    assert (swapped.problem, swapped.sequence) == (Problem.REORDERED, 3)
    doubled = verify([*entries[:3], entries[2], *entries[3:]])
    assert (doubled.problem, doubled.sequence) == (Problem.INSERTED, 3)
    forged = chained(entries[1], CID, at=START, kind=AuditKind.WINDOW_ACTION, actor="eve")
    replaced = verify([entries[0], entries[1], forged, *entries[3:]])
    assert (replaced.problem, replaced.sequence) == (Problem.EDITED, 3)
    head = verify(entries).head
    assert head is not None
    assert AuditHead.parse(str(head)) == head
    cut = verify(entries[:4], head)
    assert (cut.problem, cut.sequence) == (Problem.REMOVED, 5)
    assert verify([*entries, *_journal(6)[5:]], head).ok  # the journal grew since the head
