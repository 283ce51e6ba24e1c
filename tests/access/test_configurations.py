"""Configurations, users shown by name, and the transition's dates (seed 002)."""

from __future__ import annotations

from datetime import date

import pytest

from caredomain.access import Role
from caredomain.access.configurations import (
    Configuration,
    User,
    UserId,
    bases_of,
    display_name,
)
from caredomain.access.passwords import Hasher
from caredomain.access.transition import Period, Transition, missing_administrators
from caredomain.errors import Conflict, InvalidInput
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.secret import Secret

CID = ConfigurationId("ville-metz")


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("JFK (Jean-François KERSERHO)", "Jean-François KERSERHO"),  # the seed's examples
        ("EIG (Administrateur)", "Administrateur"),
        ("Jean-François KERSERHO", "Jean-François KERSERHO"),
        ("  Marie DUPONT ", "Marie DUPONT"),
        ("Service (RH)", "Service (RH)"),  # no trigram before the brackets: shown as it is
        ("jfk (Jean)", "jfk (Jean)"),
    ],
)
def test_people_are_shown_by_name_never_by_trigram(label: str, shown: str) -> None:
    assert display_name(label) == shown


def test_a_user_stores_her_name_and_acts_in_her_configuration() -> None:
    user = User(UserId("jfk"), CID, "JFK (Jean-François KERSERHO)", {"manager"}, {"ccas"})
    assert user.full_name == "Jean-François KERSERHO"
    actor = user.actor()
    assert actor.configuration == CID
    assert actor.roles == {Role.MANAGER}
    assert actor.name == "Jean-François KERSERHO"


def test_a_user_is_no_technician_and_has_a_name() -> None:
    with pytest.raises(InvalidInput) as caught:
        User(UserId("x"), CID, "X", {Role.TECHNICIAN})
    assert caught.value.field == "roles"
    with pytest.raises(InvalidInput) as blank:
        User(UserId("x"), CID, "  ")
    assert blank.value.field == "full_name"


def test_a_configuration_shows_no_hash() -> None:
    hashed = Hasher.cheap().hash(Secret("pupitre-2024-secret"))
    configuration = Configuration(CID, "Ville de Metz").with_console_password(hashed)
    shown = repr(configuration) + str(configuration)
    assert hashed.encoded not in shown
    assert "argon2" not in shown
    assert "console_password" in shown


def test_a_new_administrator_sets_her_own_password() -> None:
    hashed = Hasher.cheap().hash(Secret("administratrice-2024"))
    with pytest.raises(Conflict):
        Configuration(CID, "Metz").with_administrator_password(hashed)
    first = Configuration(CID, "Metz").designated(UserId("a"), date(2024, 1, 5))
    held = first.with_administrator_password(hashed)
    assert held.designated(UserId("a"), date(2024, 2, 1)) == held
    assert held.designated(UserId("b"), date(2024, 2, 1)).administrator_password is None


def test_the_bases_of_a_configuration() -> None:
    organisations = [
        Organisation(OrganisationId("metz-ccas"), "CCAS", configuration=CID),
        Organisation(OrganisationId("nancy"), "Nancy"),
        Organisation(OrganisationId("metz-etat-civil"), "État civil", configuration=CID),
    ]
    assert bases_of(CID, organisations) == ["metz-ccas", "metz-etat-civil"]


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2023, 12, 1), Period.BEFORE),
        (date(2024, 3, 31), Period.BEFORE),
        (date(2024, 4, 1), Period.TRANSITION),
        (date(2024, 5, 15), Period.TRANSITION),
        (date(2024, 6, 30), Period.TRANSITION),
        (date(2024, 7, 1), Period.AFTER),
        (date(2024, 8, 1), Period.AFTER),
    ],
)
def test_the_seed_periods(day: date, period: Period) -> None:
    assert Transition().period_at(day) is period


def test_the_dates_are_configurable_and_ordered() -> None:
    later = Transition(transition_until=date(2024, 9, 2), mandatory_from=date(2024, 10, 1))
    assert later.period_at(date(2024, 8, 1)) is Period.TRANSITION
    with pytest.raises(InvalidInput) as caught:
        Transition(transition_until=date(2024, 3, 1))
    assert caught.value.field == "transition_until"
    with pytest.raises(InvalidInput):
        Transition(designation_from=date(2024, 5, 1))


def test_configurations_without_administrator_past_the_mandatory_date() -> None:
    named = Configuration(ConfigurationId("a"), "A").designated(UserId("u"), date(2024, 1, 2))
    lacking = Configuration(ConfigurationId("b"), "B")
    transition = Transition()
    assert missing_administrators([named, lacking], date(2024, 6, 30), transition) == []
    assert missing_administrators([named, lacking], date(2024, 7, 1), transition) == [lacking]
    assert transition.may_designate(date(2023, 12, 1))
    assert not transition.may_designate(date(2023, 11, 30))
