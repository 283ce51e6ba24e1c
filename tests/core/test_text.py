"""Texts the core builds for people: English strings that keep their template and values, so
that whoever shows them translates them (:mod:`caredomain.text`)."""

from __future__ import annotations

import pickle
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.text import Text, counted

FRENCH = {
    "{post} has no vacant position ({fill})": "{post} n'a pas de place libre ({fill})",
    "on {day:%d/%m}": "le {day:%d/%m}",
    "closed: {why}": "fermé : {why}",
    "public holiday": "jour férié",
}


def french(template: str) -> str:
    return FRENCH.get(template, template)


def french_plural(singular: str, plural: str, n: int) -> str:
    return {"{n} bad row": ("{n} ligne erronée", "{n} lignes erronées")}[singular][n > 1]


def test_a_text_is_its_english_rendering() -> None:
    text = Text("{post} has no vacant position ({fill})", post="P1", fill="2/2")
    assert text == "P1 has no vacant position (2/2)"
    assert isinstance(text, str)
    assert text.template == "{post} has no vacant position ({fill})"
    assert dict(text.values) == {"post": "P1", "fill": "2/2"}


def test_it_is_translated_with_its_values_filled_in_again() -> None:
    text = Text("{post} has no vacant position ({fill})", post="P1", fill="2/2")
    assert text.translated(french) == "P1 n'a pas de place libre (2/2)"
    assert Text("on {day:%d/%m}", day=date(2027, 3, 2)).translated(french) == "le 02/03"


def test_a_text_inside_another_is_translated_too() -> None:
    text = Text("closed: {why}", why=Text("public holiday"))
    assert text == "closed: public holiday"
    assert text.translated(french) == "fermé : jour férié"


def test_a_template_the_catalogue_lacks_stays_english() -> None:
    assert Text("no such {thing}", thing="x").translated(french) == "no such x"


def test_a_count_chooses_the_form_in_english_and_in_the_catalogue() -> None:
    one, three = (
        counted("{n} bad row", "{n} bad rows", n=1),
        counted("{n} bad row", "{n} bad rows", n=3),
    )
    assert (one, three) == ("1 bad row", "3 bad rows")
    assert one.translated(french, french_plural) == "1 ligne erronée"
    assert three.translated(french, french_plural) == "3 lignes erronées"


@given(st.text(), st.text())
def test_a_value_is_never_read_as_a_template(a: str, b: str) -> None:
    text = Text("{a} and {b}", a=a, b=b)
    assert text == f"{a} and {b}"
    assert text.translated(french) == f"{a} and {b}"


def test_pickling_keeps_the_template_not_only_the_english() -> None:
    text = Text("closed: {why}", why=Text("{x} {{literal}}", x="{0.__class__}"))
    back = pickle.loads(pickle.dumps(text))
    assert back == text
    assert back.template == "closed: {why}"
    assert back.translated(french) == "fermé : {0.__class__} {literal}"


def test_an_error_keeps_its_text_so_that_it_can_be_translated() -> None:
    shown = str(InvalidInput(Text("{post} has no vacant position ({fill})", post="P1", fill="2/2")))
    assert isinstance(shown, Text)
    assert shown.translated(french) == "P1 n'a pas de place libre (2/2)"
    found = str(NotFound(Text("public holiday")))
    assert isinstance(found, Text)
    assert found.translated(french) == "jour férié"
    assert str(NotFound("plain")) == "plain"


def test_invalid_input_names_where_and_what_in_english() -> None:
    assert str(InvalidInput("bad", source="f.csv", line=3, field="code", text="x")) == (
        "f.csv:3: code: bad (got 'x')"
    )
    assert str(InvalidInput("bad", line=3, field="code")) == "line 3: code: bad"
    assert str(InvalidInput("bad", field="code", text="y")) == "code: bad (got 'y')"
    assert str(InvalidInput("bad")) == "bad"


def test_a_rule_violation_shows_its_code_and_its_reason() -> None:
    violation = RuleViolation("slot.full", Text("public holiday"))
    assert str(violation) == "[slot.full] public holiday"
    assert violation.message.translated(french) == "jour férié"  # type: ignore[attr-defined]
