"""French dates on the organisation's wall clock, durations in words, recipients checked."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain import OpeningCalendar, Organisation, OrganisationId, PublicHolidays
from caredomain.notifications import format_duration, format_moment, mail_recipient, sms_recipient
from caredomain.notifications.formatting import plain_spaces

PARIS = ZoneInfo("Europe/Paris")
TORONTO = ZoneInfo("America/Toronto")
FRANCE = Organisation(OrganisationId("fr"), "Mairie")
QUEBEC = Organisation(
    OrganisationId("qc"),
    "Ville de Gatineau",
    TORONTO,
    OpeningCalendar(holidays=PublicHolidays("CA", "QC")),
)


def test_the_seeds_date_in_french() -> None:
    moment = datetime(2026, 2, 3, 13, 30, tzinfo=UTC)  # 14:30 in Paris
    assert format_moment(moment, FRANCE) == "mardi 3 février 2026 à 14 h 30"
    assert format_moment(datetime(2026, 2, 3, 8, 0, tzinfo=UTC), FRANCE) == (
        "mardi 3 février 2026 à 9 h"
    )


def test_quebec_reads_its_own_wall_clock_in_canadian_french() -> None:
    assert QUEBEC.locale == "fr_CA"
    moment = datetime(2026, 7, 14, 13, 5, tzinfo=UTC)  # 09:05 in Toronto (EDT)
    assert format_moment(moment, QUEBEC) == "mardi 14 juillet 2026 à 9 h 05"


def test_summer_time_is_applied() -> None:
    # 29 March 2026, the clocks go forward in Paris: 08:00 UTC is 10:00 there.
    assert format_moment(datetime(2026, 3, 29, 8, 0, tzinfo=UTC), FRANCE).endswith("à 10 h")
    assert format_moment(datetime(2026, 3, 28, 8, 0, tzinfo=UTC), FRANCE).endswith("à 9 h")


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_date_is_never_written_in_utc_but_on_the_local_clock(moment: datetime) -> None:
    local = moment.astimezone(PARIS)
    text = format_moment(moment, FRANCE)
    minutes = f" {local.minute:02d}" if local.minute else ""
    assert text.endswith(f"à {local.hour} h{minutes}")
    assert f" {local.day} " in text
    assert str(local.year) in text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (20, "20 minutes"),
        (1, "1 minute"),
        (60, "1 heure"),
        (90, "1 heure et 30 minutes"),
        (120, "2 heures"),
        (0, "0 minute"),
    ],
)
def test_durations_in_words(minutes: int, text: str) -> None:
    assert plain_spaces(format_duration(minutes, "fr_FR")) == text
    assert plain_spaces(format_duration(minutes, "fr_CA")) == text


def test_sms_texts_get_plain_spaces() -> None:
    assert plain_spaces("1\u00a0heure\u202fl\u2019an") == "1 heure l'an"


@pytest.mark.parametrize(
    ("email", "address"),
    [
        ("marie@example.org", "marie@example.org"),
        ("  Marie.Curie+rdv@Example.ORG ", "Marie.Curie+rdv@example.org"),
        ("élise@mairie.fr", None),  # a non-ASCII local part needs SMTPUTF8: refused
        ("marie@", None),
        ("@example.org", None),
        ("marie@localhost", None),
        ("marie example@example.org", None),
        ("marie@exa mple.org", None),
        ("marie@-example.org", None),
        ("a@b.c\r\nBcc: x@y.z", None),
        ("", None),
        (None, None),
    ],
)
def test_mail_addresses_are_checked(email: str | None, address: str | None) -> None:
    recipient = mail_recipient(email)
    assert recipient.address == address
    assert bool(recipient.reason) == (address is None)


@pytest.mark.parametrize(
    ("phone", "region", "number"),
    [
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "CA", "+33612345678"),
        ("07.81.23.45.67", "FR", "+33781234567"),
        ("(819) 243-2345", "CA", "+18192432345"),
        ("01 42 00 00 00", "FR", None),  # a landline cannot take an SMS
        ("12", "FR", None),
        ("not a number", "FR", None),
        (None, "FR", None),
    ],
)
def test_phones_in_e164_from_the_organisations_region(
    phone: str | None, region: str, number: str | None
) -> None:
    recipient = sms_recipient(phone, region)
    assert recipient.address == number
    assert bool(recipient.reason) == (number is None)


@given(st.text(max_size=30), st.sampled_from(["FR", "CA"]))
def test_recipients_never_raise(text: str, region: str) -> None:
    mail_recipient(text)
    sms_recipient(text, region)
