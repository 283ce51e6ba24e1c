"""The lone-worker alarm (DATI): the countdown, cancelling, firing once, and what it sends."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from caredomain.events import Event
from caredomain.geo import GeoPoint
from caredomain.interventions.alarm import (
    Alarm,
    AlarmBoard,
    AlarmCancelled,
    AlarmFired,
    AlarmId,
    AlarmState,
    AlarmTriggered,
)
from caredomain.interventions.alarm_report import AlarmCall, theoretical_position
from caredomain.interventions.alarm_settings import DEFAULT_COUNTDOWN, AlarmSettings
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    Client,
    ClientId,
    GpsFix,
    InterventionId,
    PlannedIntervention,
    ServiceId,
)
from caredomain.interventions.phonebook import parse_phone
from caredomain.organisation import Organisation, OrganisationId
from caredomain.serialization import structure, unstructure

# 14:30:05 in Paris (winter time, UTC+1).
T0 = datetime(2026, 2, 3, 13, 30, 5, tzinfo=UTC)
AGENCE = Organisation(OrganisationId("agence"), "Aide à domicile du Marais")
MARIE = Caregiver(CaregiverId("C1"), "Marie Dupont", "M1", "chef@agence.example")
ZOE = Caregiver(CaregiverId("C2"), "Zoé Martin", "M1")
SETTINGS = AlarmSettings(call_number=parse_phone("15"), office_email="dati@agence.example")
A1 = AlarmId("A1")
MARTIN = Client(
    ClientId("K1"), "Jeanne Martin", "12 rue des Lilas, 75004 Paris", GeoPoint(48.8551, 2.3601)
)
FIX = GpsFix(GeoPoint(48.8566, 2.3522), 15.4, T0 - timedelta(minutes=2, seconds=5))


def ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"E{next(counter)}"


def visit(vid: str, start: datetime, hours: float, cid: str = "C1") -> PlannedIntervention:
    return PlannedIntervention(
        InterventionId(vid),
        CaregiverId(cid),
        ClientId("K1"),
        ServiceId("AIDE"),
        start,
        start + timedelta(hours=hours),
    )


PLANNING = [visit("V1", T0 - timedelta(minutes=30, seconds=5), 1.5)]  # 14:00-15:30


def triggered(
    settings: AlarmSettings = SETTINGS,
    gps: GpsFix | None = FIX,
    planning: list[PlannedIntervention] = PLANNING,
) -> AlarmBoard:
    board = AlarmBoard(AGENCE)
    events = board.trigger(
        A1, MARIE, T0, settings, new_id=ids(), gps=gps, interventions=planning, clients=[MARTIN]
    )
    assert [type(e) for e in events] == [AlarmTriggered]
    return board


def fire(board: AlarmBoard, after: timedelta = DEFAULT_COUNTDOWN) -> AlarmFired:
    (event,) = board.tick(T0 + after, new_id=ids())
    return event


# The countdown


def test_the_alarm_fires_at_exactly_ten_seconds_not_before() -> None:
    board = triggered()
    assert board.alarm(A1).deadline == T0 + timedelta(seconds=10)
    assert board.tick(T0 + timedelta(seconds=9, microseconds=999_000), new_id=ids()) == []
    assert board.alarm(A1).state is AlarmState.COUNTDOWN
    event = fire(board)
    assert event.occurred_at == T0 + timedelta(seconds=10)
    assert board.alarm(A1).state is AlarmState.FIRED


def test_the_countdown_is_set_by_the_organisation() -> None:
    settings = AlarmSettings(
        call_number=parse_phone("06 12 34 56 78"), office_email="dati@agence.example", countdown=30
    )
    board = triggered(settings)
    assert board.tick(T0 + timedelta(seconds=29), new_id=ids()) == []
    assert fire(board, timedelta(seconds=30)).call == AlarmCall(parse_phone("+33612345678"))


@pytest.mark.parametrize("countdown", [0, 0.5, 301, timedelta(minutes=6), "10"])
def test_the_countdown_is_checked(countdown: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        AlarmSettings(
            call_number=parse_phone("15"),
            office_email="dati@agence.example",
            countdown=countdown,  # type: ignore[arg-type]
        )
    assert caught.value.field == "countdown"


@pytest.mark.parametrize("email", ["", "dati", "dati@agence", "da ti@agence.example"])
def test_the_office_address_is_checked(email: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        AlarmSettings(call_number=parse_phone("15"), office_email=email)
    assert caught.value.field == "office_email"


def test_a_late_tick_fires_and_later_ticks_do_nothing() -> None:
    board = triggered()
    event = fire(board, timedelta(minutes=3))
    assert event.occurred_at == T0 + timedelta(minutes=3)
    assert board.tick(T0 + timedelta(minutes=4), new_id=ids()) == []
    assert board.tick(T0 + timedelta(seconds=10), new_id=ids()) == []  # out of order


# Cancelling


def test_cancelled_within_the_countdown_it_never_fires() -> None:
    board = triggered()
    events = board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=9), new_id=ids())
    assert [type(e) for e in events] == [AlarmCancelled]
    assert board.alarm(A1).state is AlarmState.CANCELLED
    assert board.tick(T0 + timedelta(seconds=10), new_id=ids()) == []
    assert board.tick(T0 + timedelta(hours=1), new_id=ids()) == []


def test_cancelling_twice_changes_nothing() -> None:
    board = triggered()
    board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=1), new_id=ids())
    assert board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=2), new_id=ids()) == []
    assert board.alarm(A1).cancelled_at == T0 + timedelta(seconds=1)


def test_a_cancel_once_the_countdown_is_over_is_refused_and_the_alarm_fires() -> None:
    board = triggered()
    with pytest.raises(RuleViolation) as caught:
        board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=10), new_id=ids())
    assert caught.value.code == "alarm.countdown_over"
    fire(board, timedelta(seconds=11))


def test_a_cancel_after_firing_is_refused() -> None:
    board = triggered()
    fire(board)
    with pytest.raises(RuleViolation) as caught:
        board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=5), new_id=ids())
    assert caught.value.code == "alarm.already_fired"
    assert board.alarm(A1).state is AlarmState.FIRED


def test_only_the_caregiver_cancels_her_alarm() -> None:
    board = triggered()
    with pytest.raises(Forbidden):
        board.cancel(A1, by=ZOE.id, at=T0, new_id=ids())
    with pytest.raises(NotFound):
        board.cancel(AlarmId("A9"), by=MARIE.id, at=T0, new_id=ids())


# Duplicate triggers


def test_a_resent_trigger_does_not_restart_the_countdown() -> None:
    board = triggered()
    again = board.trigger(A1, MARIE, T0 + timedelta(seconds=8), SETTINGS, new_id=ids())
    assert again == []
    assert board.alarm(A1).triggered_at == T0
    fire(board)


def test_a_resent_trigger_does_not_rearm_a_cancelled_alarm() -> None:
    board = triggered()
    board.cancel(A1, by=MARIE.id, at=T0 + timedelta(seconds=1), new_id=ids())
    assert board.trigger(A1, MARIE, T0 + timedelta(seconds=2), SETTINGS, new_id=ids()) == []
    assert board.tick(T0 + timedelta(minutes=1), new_id=ids()) == []


def test_an_alarm_id_belongs_to_one_caregiver() -> None:
    board = triggered()
    with pytest.raises(Conflict):
        board.trigger(A1, ZOE, T0, SETTINGS, new_id=ids())


def test_alarms_of_several_caregivers_fire_each_at_its_deadline() -> None:
    board = triggered()
    board.trigger(AlarmId("A2"), ZOE, T0 + timedelta(seconds=5), SETTINGS, new_id=ids())
    assert [a.id for a in board.counting_down()] == ["A1", "A2"]
    assert [e.alarm_id for e in board.tick(T0 + timedelta(seconds=12), new_id=ids())] == ["A1"]
    assert [e.alarm_id for e in board.tick(T0 + timedelta(seconds=15), new_id=ids())] == ["A2"]
    assert board.counting_down() == ()


# What firing sends


def test_firing_calls_the_number_tells_the_office_and_mails_the_address() -> None:
    event = fire(triggered())
    assert event.call == AlarmCall(parse_phone("15"), speaker_on=True)
    assert (event.alarm_id, event.caregiver_id, event.caregiver_name) == (
        "A1",
        "C1",
        "Marie Dupont",
    )
    assert (event.intervention_id, event.client_id) == ("V1", "K1")
    assert event.gps == FIX
    assert event.gps_age_seconds == 125.0
    assert "Marie Dupont" in event.office_message
    assert "mardi 3 février 2026 à 14:30:05" in event.office_message
    assert event.email.to == "dati@agence.example"
    assert event.email.subject == "Alerte DATI : Marie Dupont"


def test_the_e_mail_has_the_name_time_theoretical_and_real_positions() -> None:
    body = fire(triggered()).email.body
    lines = body.splitlines()
    assert "Intervenant : Marie Dupont (C1)" in lines
    assert "Déclenchement : mardi 3 février 2026 à 14:30:05 (Europe/Paris)" in lines
    assert (
        "Position théorique : chez Jeanne Martin, 12 rue des Lilas, 75004 Paris "
        "(intervention V1, de 14:00 à 15:30)" in lines
    )
    gps = next(line for line in lines if line.startswith("Position réelle (GPS) : "))
    assert gps.startswith("Position réelle (GPS) : 48.856600,2.352200, précision 15")
    assert "2 minutes et 5" in gps
    assert gps.endswith("avant le déclenchement")
    assert "mlat=48.856600&mlon=2.352200" in body


def test_without_a_visit_or_a_fix_the_e_mail_says_so() -> None:
    event = fire(triggered(gps=None, planning=[]))
    assert "Position théorique : aucune intervention prévue à cette heure" in event.email.body
    assert "Position réelle (GPS) : aucune position GPS" in event.email.body
    assert (event.intervention_id, event.client_id, event.gps, event.gps_age_seconds) == (
        None,
        None,
        None,
        None,
    )


def test_a_fix_taken_at_the_trigger_or_after_it_is_said_so() -> None:
    at_once = fire(triggered(gps=GpsFix(FIX.point, 5, T0)))
    assert "relevée au moment du déclenchement" in at_once.email.body
    after = fire(triggered(gps=GpsFix(FIX.point, 5, T0 + timedelta(seconds=3))))
    assert "après le déclenchement" in after.email.body
    assert after.gps_age_seconds == -3.0


def test_the_time_is_on_the_organisation_clock() -> None:
    quebec = Organisation(OrganisationId("qc"), "Soins Montréal", zone=ZoneInfo("America/Toronto"))
    board = AlarmBoard(quebec)
    board.trigger(A1, MARIE, T0, SETTINGS, new_id=ids())
    (event,) = board.tick(T0 + timedelta(seconds=10), new_id=ids())
    assert "mardi 3 février 2026 à 08:30:05 (America/Toronto)" in event.email.body


def test_summer_time_is_applied() -> None:
    summer = datetime(2026, 7, 14, 10, tzinfo=UTC)
    board = AlarmBoard(AGENCE)
    board.trigger(A1, MARIE, summer, SETTINGS, new_id=ids())
    (event,) = board.tick(summer + timedelta(seconds=10), new_id=ids())
    assert "mardi 14 juillet 2026 à 12:00:00" in event.email.body


def test_the_fired_event_round_trips() -> None:
    event = fire(triggered())
    assert structure(unstructure(event), Event) == event


# The theoretical position


def test_the_theoretical_position_is_the_visit_planned_at_the_trigger() -> None:
    start = T0 - timedelta(hours=1)
    planning = [
        visit("V1", start, 2),
        visit("V2", start + timedelta(minutes=30), 1),  # overlaps V1, began later
        visit("V3", start, 3, cid="C2"),  # another caregiver's
    ]
    place = theoretical_position(MARIE.id, T0, planning, [MARTIN])
    assert place is not None
    assert (place.intervention_id, place.client_name, place.location) == (
        "V2",
        "Jeanne Martin",
        MARTIN.location,
    )


def test_a_visit_is_not_the_position_once_it_has_ended() -> None:
    planning = [visit("V1", T0 - timedelta(hours=1), 1)]  # ends at T0
    assert theoretical_position(MARIE.id, T0, planning, [MARTIN]) is None
    assert theoretical_position(MARIE.id, T0 - timedelta(hours=1), planning) is not None


def test_an_unknown_client_is_shown_by_its_id() -> None:
    place = theoretical_position(MARIE.id, T0, PLANNING)
    assert place is not None
    assert (place.client_name, place.address) == ("K1", "")


def test_an_alarm_is_cancelled_or_fired_never_both() -> None:
    alarm, _ = Alarm.trigger(A1, MARIE, T0, SETTINGS, new_id=ids())
    with pytest.raises(InvalidInput):
        Alarm(
            id=alarm.id,
            caregiver_id=alarm.caregiver_id,
            caregiver_name=alarm.caregiver_name,
            triggered_at=alarm.triggered_at,
            settings=alarm.settings,
            state=AlarmState.FIRED,
            cancelled_at=T0,
        )


# Whatever the order of arrival


offsets = st.integers(-5_000, 25_000).map(lambda ms: timedelta(milliseconds=ms))


@given(
    st.integers(1, 20).map(lambda s: timedelta(seconds=s)),
    st.lists(offsets, max_size=8),
    st.integers(0, 4),
    st.data(),
)
def test_it_fires_once_at_the_first_late_tick_whatever_the_order(
    countdown: timedelta, ticks: list[timedelta], resends: int, data: st.DataObject
) -> None:
    settings = AlarmSettings(
        call_number=parse_phone("15"), office_email="dati@agence.example", countdown=countdown
    )
    arrivals = data.draw(
        st.permutations([*(("tick", t) for t in ticks), *[("trigger", None)] * (resends + 1)])
    )
    board = AlarmBoard(AGENCE)
    fired: list[AlarmFired] = []
    known = False
    expected: datetime | None = None
    for what, offset in arrivals:
        if what == "trigger":
            board.trigger(A1, MARIE, T0, settings, new_id=ids())
            known = True
        else:
            assert offset is not None
            fired += board.tick(T0 + offset, new_id=ids())
            if known and expected is None and offset >= countdown:
                expected = T0 + offset
    assert [e.occurred_at for e in fired] == ([] if expected is None else [expected])
    assert board.alarm(A1).fired_at == expected


@given(
    st.lists(offsets, max_size=8),
    st.integers(0, 9_999).map(lambda ms: timedelta(milliseconds=ms)),
    st.integers(0, 3),
    st.data(),
)
def test_cancelled_in_time_it_never_fires_otherwise_once(
    ticks: list[timedelta], cancel_at: timedelta, resends: int, data: st.DataObject
) -> None:
    arrivals = [
        *(("tick", t) for t in ticks),
        *[("trigger", timedelta(0))] * resends,
        ("cancel", cancel_at),
    ]
    board = triggered()
    state = AlarmState.COUNTDOWN
    fired: list[AlarmFired] = []
    for what, value in data.draw(st.permutations(arrivals)):
        if what == "trigger":
            assert board.trigger(A1, MARIE, T0, SETTINGS, new_id=ids()) == []
        elif what == "tick":
            now = board.tick(T0 + value, new_id=ids())
            late = state is AlarmState.COUNTDOWN and value >= DEFAULT_COUNTDOWN
            assert len(now) == int(late)
            state = AlarmState.FIRED if late else state
            fired += now
        elif state is AlarmState.FIRED:
            with pytest.raises(RuleViolation):
                board.cancel(A1, by=MARIE.id, at=T0 + value, new_id=ids())
        else:
            assert len(board.cancel(A1, by=MARIE.id, at=T0 + value, new_id=ids())) == 1
            state = AlarmState.CANCELLED
    assert board.alarm(A1).state is state
    assert len(fired) == int(state is AlarmState.FIRED)
