"""Settings checked when saved: refused when no slot could ever be booked, warned when the
calendar would be emptier than meant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from attrs import evolve

from caredomain import Actor, Forbidden, ReferenceWeek, Role, RuleViolation
from caredomain.access import ActorId
from caredomain.organisation import ConfigurationId
from caredomain.slots import (
    Agenda,
    AppointmentType,
    Counter,
    CounterId,
    PlaceId,
    SlotSettings,
    WeekApplication,
    WeekName,
    check_settings,
)

MONDAY = date(2025, 3, 3)
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))


def _codes(settings: SlotSettings) -> list[str]:
    return [warning.code for warning in check_settings(settings, MONDAY)]


def test_the_town_hall_settings_pass(town_settings: SlotSettings) -> None:
    assert _codes(town_settings) == []


def test_a_notice_longer_than_the_window_is_refused(
    town_settings: SlotSettings, id_card: AppointmentType
) -> None:
    refused = town_settings.with_type(evolve(id_card, window="1w", notice="8d"))
    with pytest.raises(RuleViolation) as caught:
        check_settings(refused, MONDAY)
    assert caught.value.code == "type.notice_exceeds_window"
    assert _codes(town_settings.with_type(evolve(id_card, window="1w", notice="7d"))) == []


def test_a_duration_longer_than_every_range_is_refused(
    town_settings: SlotSettings, id_card: AppointmentType
) -> None:
    # The longest range of the standard week is 3h30 (08h30-12h00 and 13h30-17h00).
    with pytest.raises(RuleViolation) as caught:
        check_settings(town_settings.with_type(evolve(id_card, duration_minutes=211)), MONDAY)
    assert caught.value.code == "counter.duration_exceeds_hours"
    fits = town_settings.with_type(evolve(id_card, duration_minutes=210))
    assert _codes(fits) == ["week.short_range", "week.short_range"]  # Saturday's 3h is too short


def test_an_empty_week_closes_a_counter_without_complaint(town_settings: SlotSettings) -> None:
    closed = ReferenceWeek("closed", [()] * 7)
    application = WeekApplication(
        CounterId("g1"), WeekName("closed"), date(2025, 3, 10), date(2025, 3, 14)
    )
    assert _codes(town_settings.with_week(closed).with_application(application)) == []


def test_a_counter_without_a_week_over_its_window_is_warned(
    town_settings: SlotSettings, id_card: AppointmentType
) -> None:
    bare = Counter(CounterId("g3"), "Guichet 3", id_card.id, PlaceId("hall"))
    settings = town_settings.with_counter(bare)
    [warning] = check_settings(settings, MONDAY)
    assert (warning.code, warning.subject) == ("counter.no_reference_week", "g3")
    partly = settings.with_application(
        WeekApplication(bare.id, WeekName("standard"), date(2025, 3, 1), date(2025, 4, 30))
    )
    [warning] = check_settings(partly, MONDAY)
    assert warning.code == "counter.uncovered_days"
    assert "3 of the 62 days" in warning.message  # 1 to 3 May 2025 are not covered


def test_only_what_changed_is_checked(
    town_settings: SlotSettings, id_card: AppointmentType
) -> None:
    with_bare = town_settings.with_counter(
        Counter(CounterId("g3"), "Guichet 3", id_card.id, PlaceId("hall"))
    )
    renamed = with_bare.with_counter(evolve(with_bare.counter(CounterId("g1")), name="Accueil"))
    assert check_settings(renamed, MONDAY, changes=renamed.changes_since(with_bare)) == ()
    assert len(check_settings(renamed, MONDAY)) == 1


def test_a_refused_save_changes_nothing(
    agenda: Agenda, admin: Actor, id_card: AppointmentType, new_id: Callable[[], str]
) -> None:
    before = agenda.settings
    refused = before.with_type(evolve(id_card, duration_minutes=600))
    with pytest.raises(RuleViolation):
        agenda.reconfigure(admin, as_of=NOW, new_id=new_id, settings=refused)
    assert agenda.settings is before


def test_saving_returns_the_warnings(
    agenda: Agenda, admin: Actor, id_card: AppointmentType, new_id: Callable[[], str]
) -> None:
    bare = Counter(CounterId("g3"), "Guichet 3", id_card.id, PlaceId("hall"))
    saved = agenda.reconfigure(
        admin, as_of=NOW, new_id=new_id, settings=agenda.settings.with_counter(bare)
    )
    assert [w.code for w in saved.warnings] == ["counter.no_reference_week"]
    assert saved.report.replanned == ("g3",)


def test_who_may_change_what(
    agenda: Agenda, id_card: AppointmentType, new_id: Callable[[], str]
) -> None:
    civil = Actor(
        ActorId("m1"), {Role.MANAGER}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
    )
    planning = Actor(
        ActorId("m2"), {Role.MANAGER}, {"urbanisme"}, configuration=ConfigurationId("sainte-anne")
    )
    agent = Actor(
        ActorId("a1"), {Role.AGENT}, {"état civil"}, configuration=ConfigurationId("sainte-anne")
    )
    counter = agenda.settings.counter(CounterId("g1"))
    more_seats = agenda.settings.with_counter(evolve(counter, seats=2))
    for actor in (planning, agent):
        with pytest.raises(Forbidden):
            agenda.reconfigure(actor, as_of=NOW, new_id=new_id, settings=more_seats)
    agenda.reconfigure(civil, as_of=NOW, new_id=new_id, settings=more_seats)
    assert agenda.settings.counter(CounterId("g1")).seats == 2
    longer = agenda.settings.with_type(evolve(id_card, duration_minutes=30))
    with pytest.raises(Forbidden):
        agenda.reconfigure(civil, as_of=NOW, new_id=new_id, settings=longer)
    with pytest.raises(Forbidden):
        agenda.reconfigure(
            civil,
            as_of=NOW,
            new_id=new_id,
            calendar=agenda.organisation.calendar.without_holiday("Noël"),
        )
