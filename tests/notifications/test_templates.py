"""Merge-field templates: checked when saved, with the position of a fault; never failing
when rendered."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput
from caredomain.notifications import KINDS, Template, TemplateError
from caredomain.notifications.kinds import APPOINTMENT_FIELDS

ALL = frozenset(field.number for field in APPOINTMENT_FIELDS)  # {0}..{7}
COMMON = frozenset(range(7))  # {0}..{6}: every appointment kind but "date changed"


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


# A template as parts: literal text (any characters, braces included) or a field number.
parts = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(sorted(COMMON))), max_size=8)


def _source(chunks: list[str | int]) -> str:
    return "".join(_escaped(c) if isinstance(c, str) else f"{{{c}}}" for c in chunks)


def _expected(chunks: list[str | int], values: dict[int, str]) -> str:
    return "".join(c if isinstance(c, str) else values[c] for c in chunks)


@given(parts, st.dictionaries(st.sampled_from(sorted(COMMON)), st.text(max_size=8)))
def test_any_template_of_allowed_fields_and_text_renders(
    chunks: list[str | int], given_values: dict[int, str]
) -> None:
    values = {number: given_values.get(number, f"<{number}>") for number in COMMON}
    template = Template.parse(_source(chunks), COMMON)
    assert template.render(values) == _expected(chunks, values)
    assert template.fields == {c for c in chunks if isinstance(c, int)}


FORBIDDEN = [
    "{0.__class__}",  # attribute access
    "{0[x]}",  # index access
    "{1:%Y}",  # format specification
    "{0!r}",  # conversion
    "{7}",  # declared for "date changed" only
    "{8}",  # no such field
    "{12}",
    "{}",  # automatic numbering
    "{name}",
    "{ 0}",
    "{00}",
    "{\u0663}",  # ARABIC-INDIC DIGIT THREE: a digit, but not ASCII
    "{",  # unclosed
    "}",  # stray
]


@given(parts, st.sampled_from(FORBIDDEN), parts)
def test_a_forbidden_construct_is_refused_with_its_position(
    before: list[str | int], construct: str, after: list[str | int]
) -> None:
    prefix, suffix = _source(before), _source(after)
    # A lone brace followed by the same brace is an escape, not the forbidden construct.
    assume(not (construct in "{}" and suffix.startswith(construct)))
    text = prefix + construct + suffix
    with pytest.raises(TemplateError) as refused:
        Template.parse(text, COMMON, where="texts.appointment.created.mail.body")
    error = refused.value
    assert len(prefix) <= error.offset < len(prefix) + len(construct)
    assert error.row == text.count("\n", 0, error.offset) + 1
    assert error.column == error.offset - (text.rfind("\n", 0, error.offset) + 1) + 1
    assert error.field == "texts.appointment.created.mail.body"
    assert f"line {error.row}, column {error.column}" in str(error)


@given(st.text(max_size=40))
def test_any_text_is_saved_or_refused_never_anything_else(text: str) -> None:
    try:
        template = Template.parse(text, ALL)
    except TemplateError:
        return
    template.render({})


@given(parts, st.lists(st.text(), max_size=10) | st.dictionaries(st.integers(), st.text()))
def test_rendering_a_saved_template_never_raises(
    chunks: list[str | int], values: list[str] | dict[int, str]
) -> None:
    template = Template.parse(_source(chunks), COMMON)
    rendered = template.render(values)
    assert isinstance(rendered, str)


def test_a_value_that_cannot_be_written_renders_empty() -> None:
    class Hostile:
        def __str__(self) -> str:
            raise RuntimeError("no")

    template = Template.parse("a{0}b", COMMON)
    assert template.render({0: Hostile()}) == "ab"  # type: ignore[dict-item]


def test_the_seeds_attack_is_refused_where_it_is() -> None:
    with pytest.raises(TemplateError) as refused:
        Template.parse("Bonjour {0},\nle {0.__class__.__init__}", COMMON, where="body")
    error = refused.value
    assert (error.row, error.column) == (2, 6)
    assert str(error) == (
        "body: attribute or index access is not allowed in a field (line 2, column 6) "
        "(got '.__class__.__init__}')"
    )


def test_literal_braces_are_written_twice() -> None:
    template = Template.parse("{{0}} est {0}; }}{{", COMMON)
    assert template.render(["Marie"]) == "{0} est Marie; }{"


def test_a_field_of_another_kind_is_named_with_the_available_ones() -> None:
    with pytest.raises(TemplateError, match=r"field \{7\} is not available.*\{0\}, \{1\}"):
        Template.parse("avant le {7}", KINDS.get("appointment.created").numbers)
    assert Template.parse("avant le {7}", KINDS.get("appointment.date_changed").numbers)


def test_a_subject_is_one_line() -> None:
    with pytest.raises(TemplateError, match="line break"):
        Template.parse("Rendez-vous\nBcc: x@example.org", COMMON, one_line=True)


def test_a_template_is_text() -> None:
    with pytest.raises(InvalidInput, match="a template is text"):
        Template.parse(42, COMMON)  # type: ignore[arg-type]
