"""The audit journal as a state machine: mode entries (right and wrong passwords, across
the end of the transition), break-glass interventions step by step, actions in and out of
their window. Whatever happens, the journal verifies; any entry edited, removed, reordered
or inserted fails verification, and the problem is named."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import attrs
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from caredomain.access.actors import ActorId
from caredomain.access.audit import (
    GENESIS,
    AuditEntry,
    AuditKind,
    Problem,
    chained,
    verify,
)
from caredomain.access.breakglass import (
    Acceptance,
    BreakGlass,
    BreakGlassId,
    Quote,
    Report,
    State,
    Window,
    WrittenRequest,
)
from caredomain.access.configurations import Configuration, UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.sessions import Attempts, Session, SessionId, enter_mode
from caredomain.access.transition import Transition
from caredomain.errors import Conflict
from caredomain.organisation import ConfigurationId
from caredomain.secret import Secret

CID = ConfigurationId("metz")
HASHER = Hasher.cheap()
CONSOLE = Secret("pupitre-2024-secret")
OWN = Secret("administratrice-2024")
CONFIGURATION = (
    Configuration(CID, "Metz")
    .with_console_password(HASHER.hash(CONSOLE))
    .designated(UserId("mdupont"), date(2024, 1, 8))
    .with_administrator_password(HASHER.hash(OWN))
)
TECHNICIAN = ActorId("tech")


class AuditMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = datetime(2024, 6, 30, 21, tzinfo=UTC)  # 23:00 in Paris: the transition's end
        self.journal: list[AuditEntry] = []
        self.attempts = {mode: Attempts() for mode in Mode}
        self.record: BreakGlass | None = None
        self.session: Session | None = None
        self.serial = 0

    def _write(self, kind: AuditKind, actor: str, **details: str) -> None:
        event(kind.value)  # shown by --hypothesis-show-statistics: which paths were reached
        last = self.journal[-1] if self.journal else None
        self.journal.append(
            chained(last, CID, at=self.now, kind=kind, actor=actor, details=details)
        )

    @rule(minutes=st.one_of(st.integers(0, 90), st.integers(0, 2 * 24 * 60)))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(
        mode=st.sampled_from(Mode),
        password=st.sampled_from([CONSOLE, OWN, Secret("a-wrong-guess-1")]),
        through_window=st.booleans(),
    )
    def enter(self, mode: Mode, password: Secret, through_window: bool) -> None:
        self.serial += 1
        window = self.record if through_window else None
        entry = enter_mode(
            CONFIGURATION,
            mode,
            password,
            actor=TECHNICIAN,
            session_id=SessionId(f"s-{self.serial}"),
            now=self.now,
            transition=Transition(),
            hasher=HASHER,
            attempts=self.attempts[mode],
            window=window,
        )
        self.attempts[mode] = entry.attempts
        if entry.session is None:
            self._write(AuditKind.ATTEMPT_REFUSED, TECHNICIAN, mode=mode.value, code=entry.code)
            return
        if window is not None and entry.session.window is not None:
            if window.state is not State.OPEN:
                self._write(AuditKind.WINDOW_OPENED, TECHNICIAN, breakglass=window.id)
            self.record = window.opened(self.now)
        self.session = entry.session
        self._write(
            AuditKind.MODE_ENTERED, TECHNICIAN, mode=mode.value, via=entry.session.via.value
        )

    @precondition(lambda self: self.record is None or self.record.state is State.CLOSED)
    @rule()
    def request(self) -> None:
        self.serial += 1
        self.record = BreakGlass(
            BreakGlassId(f"bg-{self.serial}"), CID, WrittenRequest("LR", self.now.date())
        )
        self._write(AuditKind.BREAKGLASS_STEP, TECHNICIAN, step="requested")

    @precondition(lambda self: self.record is not None and self.record.state is not State.CLOSED)
    @rule(
        start_in=st.integers(min_value=0, max_value=60),
        hours=st.integers(min_value=1, max_value=4),
    )
    def next_step(self, start_in: int, hours: int) -> None:
        """The intervention's next step: quote, acceptance, then the window (moved if it
        was scheduled already)."""
        assert self.record is not None
        start = self.now + timedelta(minutes=start_in)
        record = self.record
        if record.state is State.REQUESTED:
            record = record.quoted(Quote("SP-1", "DEV-1", Decimal("250")))
        elif record.state is State.QUOTED:
            record = record.accepted(Acceptance(self.now.date(), "Marie DUPONT"))
        elif record.state in {State.ACCEPTED, State.SCHEDULED}:
            window = Window(start, start + timedelta(hours=hours))
            record = record.scheduled(window, "Marie DUPONT", TECHNICIAN)
        else:
            return
        self.record = record
        self._write(AuditKind.BREAKGLASS_STEP, TECHNICIAN, step=record.state.value)

    @precondition(lambda self: self.record is not None)
    @rule()
    def open_console(self) -> None:
        """A technician asks for the console through the intervention, with the console
        password."""
        self.enter(Mode.CONSOLE, CONSOLE, through_window=True)

    @precondition(lambda self: self.session is not None and self.record is not None)
    @rule(what=st.sampled_from(["rights repaired", "user unlocked", "export re-run"]))
    def act(self, what: str) -> None:
        assert self.session is not None
        assert self.record is not None
        if not self.session.active_at(self.now) or self.session.window != self.record.id:
            return
        try:
            self.record = self.record.acted(self.now)
        except Conflict:
            return
        self._write(AuditKind.WINDOW_ACTION, TECHNICIAN, action=what)

    @precondition(
        lambda self: self.record is not None and self.record.state in {State.SCHEDULED, State.OPEN}
    )
    @rule()
    def close(self) -> None:
        assert self.record is not None
        self.record = self.record.closed(Report("Done.", "admin@metz.fr", self.now))
        self._write(AuditKind.WINDOW_CLOSED, TECHNICIAN, actions=str(self.record.actions))

    @invariant()
    def the_journal_verifies(self) -> None:
        checked = verify(self.journal)
        assert checked.ok, checked.reason
        assert checked.count == len(self.journal)
        if self.journal:
            assert checked.head is not None
            assert verify(self.journal, checked.head).ok

    @precondition(lambda self: len(self.journal) >= 1)
    @rule(data=st.data())
    def tampering_is_found(self, data: st.DataObject) -> None:
        entries = list(self.journal)
        head = verify(entries).head
        index = data.draw(st.integers(min_value=0, max_value=len(entries) - 1))
        how = data.draw(
            st.sampled_from(["actor", "details", "at", "kind", "remove", "swap", "insert"])
        )
        target = entries[index]
        if how == "actor":
            entries[index] = attrs.evolve(target, actor=target.actor + "x")
        elif how == "details":
            entries[index] = attrs.evolve(target, details={**dict(target.details), "by": "eve"})
        elif how == "at":
            entries[index] = attrs.evolve(target, at=target.at + timedelta(seconds=1))
        elif how == "kind":
            other = (
                AuditKind.PASSWORD_SET
                if target.kind is not AuditKind.PASSWORD_SET
                else AuditKind.USER_CREATED
            )
            entries[index] = attrs.evolve(target, kind=other)
        elif how == "remove":
            del entries[index]
        elif how == "swap" and len(entries) >= 2:
            after = (index + 1) % len(entries)
            entries[index], entries[after] = entries[after], entries[index]
        else:
            forged = chained(
                entries[index - 1] if index else None,
                CID,
                at=target.at,
                kind=AuditKind.PASSWORD_CHANGED,
                actor="eve",
            )
            entries.insert(index, forged)
        if entries == self.journal:
            return
        found = verify(entries, head)
        assert not found.ok
        assert found.problem in set(Problem)
        assert found.sequence is not None


TestAuditMachine = AuditMachine.TestCase


def test_an_empty_journal_verifies_and_starts_from_genesis() -> None:
    assert verify([]).ok
    first = chained(
        None, CID, at=datetime(2024, 5, 1, tzinfo=UTC), kind=AuditKind.CONFIGURED, actor="t"
    )
    assert first.previous == GENESIS
    assert first.sequence == 1
