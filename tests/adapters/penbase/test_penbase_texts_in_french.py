"""The Penbase client's errors for people are :class:`~caredomain.text.Text`: English as
before, French where the command line shows them; the server's own words stay as they are."""

from __future__ import annotations

import pytest

from caredomain.cli import i18n
from caredomain.errors import InvalidInput
from caredomain_penbase import PenbaseSettings, PenbaseUnavailable
from caredomain_penbase.wire import page_from


@pytest.fixture
def french() -> None:
    i18n.use("fr")


def test_a_settings_error_in_french(french: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        PenbaseSettings.from_mapping({"url": "http://127.0.0.1/", "token": "t", "attempts": "x"})
    assert str(refused.value) == "attempts: expected a whole number (got 'x')"
    assert i18n.shown(str(refused.value)) == "attempts : nombre entier attendu (reçu 'x')"


def test_bad_data_from_the_platform_in_french(french: None) -> None:
    with pytest.raises(InvalidInput) as refused:
        page_from({"cursor": "c1", "more": "yes", "items": []})
    assert str(refused.value) == "more: expected true or false (got \"'yes'\")"
    assert i18n.shown(str(refused.value)) == "more : true ou false attendu (reçu \"'yes'\")"


def test_giving_up_agrees_with_the_count_of_tries(french: None) -> None:
    once = PenbaseUnavailable("penbase", 1, "HTTP 503: busy")
    assert str(once) == "penbase: gave up after 1 try; last error: HTTP 503: busy"
    assert i18n.shown(str(once)) == (
        "penbase : abandon après 1 essai ; dernière erreur : HTTP 503: busy"
    )
    assert str(PenbaseUnavailable("penbase", 3, "x")).startswith("penbase: gave up after 3 tries")
