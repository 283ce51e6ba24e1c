"""A state machine for the alarm board: triggers (resent or not), cancellations in time or
too late, and clock ticks forward, repeated or out of order. Checked against a model: an
alarm fires once at most, never before its deadline, never once cancelled."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from caredomain.clock import FixedClock
from caredomain.errors import RuleViolation
from caredomain.interventions.alarm import AlarmBoard, AlarmId, AlarmState
from caredomain.interventions.alarm_settings import AlarmSettings
from caredomain.interventions.model import Caregiver, CaregiverId
from caredomain.interventions.phonebook import parse_phone
from caredomain.organisation import Organisation, OrganisationId

START = datetime(2026, 3, 29, 0, 59, 50, tzinfo=UTC)  # Paris moves to summer time at 01:00 UTC
CAREGIVERS = {
    AlarmId(f"A{n}"): Caregiver(CaregiverId(f"C{n % 2}"), f"Intervenant {n % 2}", "M1")
    for n in range(4)
}
ALARMS = sorted(CAREGIVERS)
MILLISECONDS = st.integers(0, 15_000).map(lambda ms: timedelta(milliseconds=ms))


class AlarmMachine(RuleBasedStateMachine):
    """The board against a model: for each alarm, its deadline and its state."""

    @initialize(countdown=st.integers(1, 12))
    def start(self, countdown: int) -> None:
        self.clock = FixedClock(START)
        self.settings = AlarmSettings(
            call_number=parse_phone("112"),
            office_email="dati@agence.example",
            countdown=countdown,
        )
        self.board = AlarmBoard(Organisation(OrganisationId("agence"), "Agence"))
        self.ids = itertools.count(1)
        self.deadlines: dict[AlarmId, datetime] = {}
        self.states: dict[AlarmId, AlarmState] = {}
        self.fired: dict[AlarmId, int] = {}

    def new_id(self) -> str:
        return f"E{next(self.ids)}"

    @rule(alarm_id=st.sampled_from(ALARMS), earlier=MILLISECONDS)
    def trigger(self, alarm_id: AlarmId, earlier: timedelta) -> None:
        """The phone's trigger instant may lag the server's clock (it was offline)."""
        at = self.clock.now() - earlier
        events = self.board.trigger(
            alarm_id, CAREGIVERS[alarm_id], at, self.settings, new_id=self.new_id
        )
        if alarm_id in self.states:
            assert events == []
        else:
            assert len(events) == 1
            self.deadlines[alarm_id] = at + self.settings.countdown
            self.states[alarm_id] = AlarmState.COUNTDOWN

    @rule(alarm_id=st.sampled_from(ALARMS), earlier=MILLISECONDS)
    def cancel(self, alarm_id: AlarmId, earlier: timedelta) -> None:
        if alarm_id not in self.states:
            return
        at = self.clock.now() - earlier
        state = self.states[alarm_id]
        caregiver = CAREGIVERS[alarm_id].id
        if state is AlarmState.FIRED or (
            state is AlarmState.COUNTDOWN and at >= self.deadlines[alarm_id]
        ):
            with pytest.raises(RuleViolation):
                self.board.cancel(alarm_id, by=caregiver, at=at, new_id=self.new_id)
            return
        events = self.board.cancel(alarm_id, by=caregiver, at=at, new_id=self.new_id)
        assert len(events) == int(state is AlarmState.COUNTDOWN)
        self.states[alarm_id] = AlarmState.CANCELLED

    @rule(step=MILLISECONDS)
    def tick(self, step: timedelta) -> None:
        self.observe(self.clock.advance(step))

    @rule(back=MILLISECONDS)
    def tick_out_of_order(self, back: timedelta) -> None:
        """A tick that arrives late, with an instant already past."""
        self.observe(self.clock.now() - back)

    def observe(self, now: datetime) -> None:
        due = {
            alarm_id
            for alarm_id, state in self.states.items()
            if state is AlarmState.COUNTDOWN and now >= self.deadlines[alarm_id]
        }
        events = self.board.tick(now, new_id=self.new_id)
        assert {event.alarm_id for event in events} == due
        assert len(events) == len(due)
        for event in events:
            alarm_id = AlarmId(event.alarm_id)
            assert event.occurred_at >= self.deadlines[alarm_id]
            self.fired[alarm_id] = self.fired.get(alarm_id, 0) + 1
            self.states[alarm_id] = AlarmState.FIRED

    @invariant()
    def the_board_agrees_with_the_model(self) -> None:
        for alarm_id, state in self.states.items():
            alarm = self.board.alarm(alarm_id)
            assert alarm.state is state
            assert alarm.deadline == self.deadlines[alarm_id]

    @invariant()
    def each_alarm_fires_once_at_most_and_never_once_cancelled(self) -> None:
        for alarm_id, count in self.fired.items():
            assert count == 1
            assert self.board.alarm(alarm_id).cancelled_at is None


TestAlarmMachine = AlarmMachine.TestCase
