"""Support tickets (seed 002): each transition as an example, and a state machine that tries
every transition in every state against a model of the allowed ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from attrs import evolve
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from caredomain.access.tickets import Level, Ticket, TicketStatus, Window
from caredomain.errors import Conflict, InvalidInput

AT = datetime(2024, 8, 1, 9, 0, tzinfo=UTC)
PATH = [Level.N1, Level.N2, Level.N3, Level.RD]


def _ticket(level: Level = Level.N1, *, written: bool = True) -> Ticket:
    return Ticket.open(
        "T-7",
        caller="Jean Martin",
        subject="Système applicatifs",
        sub_subject="configurateur eig",
        at=AT,
        level=level,
        written=written,
    )


def test_a_ticket_escalates_up_the_usual_path_only() -> None:
    ticket = _ticket().escalate(Level.N3, AT).escalate(Level.RD, AT + timedelta(hours=1))
    assert ticket.level is Level.RD
    assert [e.what for e in ticket.history] == [
        "opened at N1",
        "escalated to N3",
        "escalated to R&D",
    ]
    with pytest.raises(Conflict, match="escalates to a higher level only"):
        ticket.escalate(Level.N2, AT + timedelta(hours=2))
    with pytest.raises(Conflict, match="neither escalated to nor from"):
        _ticket().escalate(Level.SP, AT)


def test_closing_keeps_the_response_template_and_ends_the_ticket() -> None:
    ticket = (
        _ticket()
        .copied("Claire Dubois", AT)
        .close("Renvoi vers l'administrateur configurateur", AT)
    )
    assert ticket.closed
    assert ticket.copy == ("Claire Dubois",)
    assert ticket.response == "Renvoi vers l'administrateur configurateur"
    with pytest.raises(Conflict, match="ticket T-7 is closed: cannot escalate"):
        ticket.escalate(Level.N2, AT)
    with pytest.raises(Conflict, match="is closed"):
        ticket.copied("Paul", AT)


def test_a_written_request_is_awaited_before_anything_else() -> None:
    ticket = _ticket(written=False)
    assert ticket.status is TicketStatus.AWAITING_WRITTEN_REQUEST
    with pytest.raises(Conflict, match="awaiting the written request: cannot close"):
        ticket.close("x", AT)
    assert ticket.receive_written_request(AT).status is TicketStatus.OPEN


def test_a_paid_ticket_closes_with_its_report_after_the_window() -> None:
    ticket = _ticket(Level.SP)
    with pytest.raises(Conflict, match="closes with the intervention's report"):
        ticket.close("x", AT)
    with pytest.raises(Conflict, match="cannot accept a quote"):
        ticket.accept_quote(AT)
    ticket = ticket.send_quote("DEV-1", AT).accept_quote(AT + timedelta(days=1))
    start = AT + timedelta(days=3)
    with pytest.raises(InvalidInput, match="scheduled ahead"):
        ticket.schedule(Window(AT, AT + timedelta(hours=1), "Sophie"), AT + timedelta(days=1))
    ticket = ticket.schedule(
        Window(start, start + timedelta(hours=2), "Sophie"), AT + timedelta(days=1)
    )
    assert "Sophie present" in ticket.history[-1].what
    with pytest.raises(Conflict, match="the intervention runs until"):
        ticket.send_report("done", start + timedelta(hours=1))
    done = ticket.send_report("done", start + timedelta(hours=2))
    assert done.closed
    assert done.report == "done"


def test_only_a_paid_ticket_gets_a_quote() -> None:
    with pytest.raises(Conflict, match="not a paid SP ticket"):
        _ticket().send_quote("DEV-1", AT)


def test_bad_values_are_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput) as refused:
        _ticket().escalate(Level.N2, AT - timedelta(seconds=1))
    assert refused.value.field == "at"
    with pytest.raises(InvalidInput) as refused:
        _ticket().close("x", datetime(2024, 8, 2))
    assert refused.value.field == "at"
    with pytest.raises(InvalidInput) as refused:
        Window(AT, AT, "Sophie")
    assert refused.value.field == "end"
    with pytest.raises(InvalidInput) as refused:
        _ticket().escalate("N4", AT)  # type: ignore[arg-type]
    assert refused.value.field == "level"
    with pytest.raises(InvalidInput) as refused:
        Ticket.open("T 7", caller="x", subject="s", sub_subject="t", at=AT)
    assert refused.value.field == "id"


def test_copying_someone_twice_changes_nothing() -> None:
    ticket = _ticket().copied("Claire", AT)
    assert ticket.copied("Claire", AT) is ticket


class TicketMachine(RuleBasedStateMachine):
    """Every transition tried in every state; the model says which may happen."""

    @initialize(level=st.sampled_from(list(Level)), written=st.booleans())
    def open(self, level: Level, written: bool) -> None:
        self.ticket = _ticket(level, written=written)
        self.now = AT
        self.status = self.ticket.status
        self.level = level

    def _later(self, minutes: int) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def _try(self, allowed: bool, change: object) -> None:
        """``change`` is a callable giving the next ticket; it must fail with Conflict
        exactly when the model does not allow it."""
        assert callable(change)
        if allowed:
            self.ticket = change()
        else:
            with pytest.raises(Conflict):
                change()

    @rule(minutes=st.integers(0, 600))
    def receive(self, minutes: int) -> None:
        at = self._later(minutes)
        allowed = self.status is TicketStatus.AWAITING_WRITTEN_REQUEST
        self._try(allowed, lambda: self.ticket.receive_written_request(at))
        if allowed:
            self.status = TicketStatus.OPEN

    @rule(to=st.sampled_from(list(Level)), minutes=st.integers(0, 600))
    def escalate(self, to: Level, minutes: int) -> None:
        at = self._later(minutes)
        allowed = (
            self.status is TicketStatus.OPEN
            and to in PATH
            and self.level in PATH
            and PATH.index(to) > PATH.index(self.level)
        )
        self._try(allowed, lambda: self.ticket.escalate(to, at))
        if allowed:
            self.level = to

    @rule(minutes=st.integers(0, 600))
    def close(self, minutes: int) -> None:
        at = self._later(minutes)
        allowed = self.status is TicketStatus.OPEN and self.level is not Level.SP
        self._try(allowed, lambda: self.ticket.close("Réponse apportée à l'appelant", at))
        if allowed:
            self.status = TicketStatus.CLOSED

    @rule(minutes=st.integers(0, 600))
    def quote(self, minutes: int) -> None:
        at = self._later(minutes)
        allowed = self.status is TicketStatus.OPEN and self.level is Level.SP
        self._try(allowed, lambda: self.ticket.send_quote("DEV-1", at))
        if allowed:
            self.status = TicketStatus.QUOTE_SENT

    @rule(minutes=st.integers(0, 600))
    def accept(self, minutes: int) -> None:
        at = self._later(minutes)
        allowed = self.status is TicketStatus.QUOTE_SENT
        self._try(allowed, lambda: self.ticket.accept_quote(at))
        if allowed:
            self.status = TicketStatus.QUOTE_ACCEPTED

    @rule(minutes=st.integers(0, 600), hours=st.integers(1, 8))
    def schedule(self, minutes: int, hours: int) -> None:
        at = self._later(minutes)
        start = at + timedelta(days=1)
        window = Window(start, start + timedelta(hours=hours), "Sophie Laurent")
        allowed = self.status is TicketStatus.QUOTE_ACCEPTED
        self._try(allowed, lambda: self.ticket.schedule(window, at))
        if allowed:
            self.status = TicketStatus.SCHEDULED

    @rule(minutes=st.integers(0, 3000))
    def report(self, minutes: int) -> None:
        at = self._later(minutes)
        window = self.ticket.window
        allowed = self.status is TicketStatus.SCHEDULED and window is not None and at >= window.end
        self._try(allowed, lambda: self.ticket.send_report("done", at))
        if allowed:
            self.status = TicketStatus.CLOSED

    @rule(person=st.sampled_from(["Claire Dubois", "Paul Henry"]), minutes=st.integers(0, 60))
    def copy(self, person: str, minutes: int) -> None:
        at = self._later(minutes)
        allowed = self.status is not TicketStatus.CLOSED
        self._try(allowed, lambda: self.ticket.copied(person, at))

    @invariant()
    def agrees_with_the_model(self) -> None:
        assert (self.ticket.status, self.ticket.level) == (self.status, self.level)

    @invariant()
    def history_is_dated_in_order(self) -> None:
        moments = [entry.at for entry in self.ticket.history]
        assert moments == sorted(moments)
        assert self.ticket.history[0].what.startswith("opened at ")

    @invariant()
    def a_closed_ticket_says_how(self) -> None:
        if self.ticket.closed:
            paid = self.ticket.level is Level.SP
            assert (self.ticket.report is not None) is paid
            assert (self.ticket.response is not None) is not paid


TestTicketMachine = TicketMachine.TestCase


def test_a_ticket_built_in_python_is_consistent() -> None:
    opened = _ticket()
    with pytest.raises(InvalidInput) as refused:
        evolve(opened, status=TicketStatus.CLOSED)
    assert refused.value.field == "status"
    with pytest.raises(InvalidInput) as refused:
        evolve(opened, history=())
    assert refused.value.field == "history"
    with pytest.raises(InvalidInput) as refused:
        evolve(_ticket(Level.SP), status=TicketStatus.SCHEDULED)
    assert refused.value.field == "window"
