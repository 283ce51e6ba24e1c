"""The texts the slots, the calendar, the access policy, the notifications and the messaging
adapter build are :class:`~caredomain.text.Text`: English as they were, French where the
command line shows them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from caredomain.access import Action, Actor, ActorId, Resource, Role, authorize, authorize_action
from caredomain.calendar import ClosedWeekday, Closure, PublicHoliday
from caredomain.cli import i18n, main
from caredomain.cli.i18n import shown
from caredomain.errors import Forbidden, InvalidInput
from caredomain.hours import Weekday
from caredomain.notifications.templates import parse
from caredomain.organisation import ConfigurationId
from caredomain.slots.rules import FULL, window_refusal
from caredomain.text import Text, counted
from caredomain_messaging.settings import SenderSettings


@pytest.fixture
def french() -> Iterator[None]:
    i18n.use("fr")
    yield
    i18n.use("en")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("slots-french") / "care.db"
    assert main(["demo", "--lang", "en", "--db", str(db), "--today", "2026-12-20"]) == 0
    return db


def _run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(words))
    out, err = capsys.readouterr()
    return status, out, err


def test_slots_why_names_each_reason_in_french(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    why = ("slots", "why", "--type", "pieces-identite", "--lang", "fr", "--db", str(store))
    status, out, err = _run(capsys, *why, "--date", "2026-12-21")
    assert status == 0, err
    assert (
        "[day.closure] fermeture 2026-12-21 (Fermeture exceptionnelle : formation des agents)"
    ) in out
    _, out, _ = _run(capsys, *why, "--date", "2026-12-25")
    assert "[day.public_holiday] jour férié : Noël" in out
    assert "public holiday" not in out
    _, out, _ = _run(capsys, *why, "--date", "2026-12-27")
    assert "n'ouvre aucun créneau les dimanches" in out


def test_slots_why_in_english_is_as_it_was(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    why = ("slots", "why", "--type", "pieces-identite", "--lang", "en", "--db", str(store))
    _, out, _ = _run(capsys, *why, "--date", "2026-12-25")
    assert "[day.public_holiday] public holiday: Noël" in out


def test_an_error_of_the_notifications_is_shown_in_french(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    preview = ("notify", "preview", "--event", "nope", "--lang", "fr", "--db", str(store))
    status, _, err = _run(capsys, *preview)
    assert status != 0
    assert "type de message inconnu ; connus : " in err


def test_the_calendar_says_why_a_day_is_closed_in_french(french: None) -> None:
    assert str(ClosedWeekday(Weekday.SUNDAY)) == "closed on Sundays"
    assert shown(str(ClosedWeekday(Weekday.SUNDAY))) == "fermé le dimanche"
    assert shown(str(PublicHoliday("Noël"))) == "jour férié : Noël"
    closure = Closure(date(2026, 12, 21), date(2026, 12, 23), "inventaire")
    assert str(closure) == "closure 2026-12-21 to 2026-12-23 (inventaire)"
    assert shown(str(closure)) == "fermeture du 2026-12-21 au 2026-12-23 (inventaire)"


def test_a_refused_booking_reads_in_french(french: None) -> None:
    assert str(FULL.violation()) == "[slot.full] every seat of the slot is booked"
    assert shown(str(FULL.violation())) == "[slot.full] toutes les places du créneau sont réservées"
    outside = window_refusal(date(2027, 3, 1), date(2026, 12, 20), date(2027, 2, 20))
    assert outside is not None
    assert shown(str(outside)) == (
        "[slot.outside_window] le 2027-03-01 est hors de la plage max. d'ouverture "
        "(du 2026-12-20 au 2027-02-20)"
    )


def test_the_policy_refuses_in_french(french: None) -> None:
    agent = Actor(ActorId("a1"), {Role.AGENT}, configuration=ConfigurationId("sainte-anne"))
    mairie = Resource("organisation", "mairie", configuration=ConfigurationId("sainte-anne"))
    with pytest.raises(Forbidden) as caught:
        authorize(agent, Action.ORGANISATION_CONFIGURE, mairie)
    assert shown(str(caught.value)) == (
        "a1 n'a pas le droit d'effectuer organisation.configure sur organisation mairie"
    )
    with pytest.raises(Forbidden) as caught:
        authorize_action(None, Action.SLOT_CONFIGURE, Action.COUNTER_MANAGE)
    assert str(caught.value) == "nobody may not slot.configure or slot.counter.manage"
    assert shown(str(caught.value)) == (
        "personne n'a pas le droit d'effectuer slot.configure ou slot.counter.manage"
    )


def test_settings_and_templates_are_refused_in_french(french: None) -> None:
    with pytest.raises(InvalidInput) as caught:
        SenderSettings("smtp", {"port": "x"}, {"port"}).integer("port", 25, 1, 65535)
    assert str(caught.value) == "port: expected a whole number (got 'x')"
    assert shown(str(caught.value)) == "port : nombre entier attendu (reçu 'x')"
    with pytest.raises(InvalidInput) as caught:
        SenderSettings("smtp", {}, set()).text("host")
    assert shown(str(caught.value)) == "host : l'expéditeur smtp a besoin de ce réglage"
    with pytest.raises(InvalidInput) as caught:
        parse("Bonjour {9}", {0, 1})
    assert shown(str(caught.value)).startswith(
        "le champ {9} n'est pas disponible pour ce message ; disponibles : {0}, {1} "
        "(ligne 1, colonne 9)"
    )


def test_a_count_chooses_the_french_form(french: None) -> None:
    template = "{n} of the {total} days from {first} to {last} have no reference week applied"
    one = counted(template, template, n=1, total=5, first="2026-12-20", last="2026-12-24")
    two = counted(template, template, n=2, total=5, first="2026-12-20", last="2026-12-24")
    assert shown(one).endswith("n'a aucune semaine de référence appliquée")
    assert shown(two).endswith("n'ont aucune semaine de référence appliquée")
    assert isinstance(one, Text)
