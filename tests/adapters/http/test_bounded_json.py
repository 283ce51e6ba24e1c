"""The adapters' one bounded JSON reader (:mod:`caredomain_http.bounded_json`), which reads
both platforms' bodies: what it reads back, what it refuses and how it names where."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput
from caredomain.testing.hostile import json_values
from caredomain_http.bounded_json import MAX_NUMBER_CHARS, read

LIMIT = 64 * 1024 * 1024

_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
)
readable_values: st.SearchStrategy[Any] = st.recursive(
    _leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(st.characters(exclude_categories=["Cs"]), max_size=8), inner)
    ),
    max_leaves=20,
)
"""Any JSON value within the reader's bounds but depth: finite numbers written short, text
without lone surrogates."""


def nesting(value: object) -> int:
    """How deep arrays and objects nest in ``value``."""
    if isinstance(value, dict):
        return 1 + max(map(nesting, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(nesting, value), default=0)
    return 0


def refusal(body: bytes, *, depth: int = 32) -> InvalidInput:
    with pytest.raises(InvalidInput) as refused:
        read(body, limit=LIMIT, depth=depth)
    return refused.value


@given(value=readable_values)
def test_a_value_within_bounds_reads_back_equal_and_one_level_less_is_refused(
    value: object,
) -> None:
    depth = nesting(value)
    body = json.dumps(value).encode()
    assert read(body, limit=LIMIT, depth=depth) == value
    assert read(json.dumps(value, indent=1).encode(), limit=LIMIT, depth=depth) == value
    if depth:
        assert "nested deeper than" in refusal(body, depth=depth - 1).message


@given(
    openers=st.lists(st.sampled_from(["[", '{"a":', '{"[": [']), min_size=1, max_size=4),
    times=st.integers(min_value=1, max_value=100_000),
    closed=st.booleans(),
    limit=st.integers(min_value=1, max_value=64),
)
def test_any_nesting_deeper_than_the_limit_is_refused_before_parsing(
    openers: list[str], times: int, closed: bool, limit: int
) -> None:
    opened = "".join(openers) * times
    if opened.count("[") + opened.count("{") - opened.count('"["') <= limit:
        return
    body = opened + ("1" + opened[::-1].translate(str.maketrans("[{", "]}")) if closed else "")
    error = refusal(body.encode(), depth=limit)  # never a RecursionError
    assert error.message == f"arrays and objects nested deeper than {limit}"
    assert error.field == "body"


@given(value=json_values)
def test_any_json_is_read_or_refused_with_invalid_input(value: object) -> None:
    body = json.dumps(value).encode("utf-8", "surrogatepass")
    try:
        read(body, limit=LIMIT, depth=32)
    except InvalidInput as error:
        refused = error
    else:
        return
    assert refused.field


def test_brackets_in_text_are_not_nesting() -> None:
    body = json.dumps({"a": "[" * 100 + '\\"{' * 100, "b": ["]]]"]}).encode()
    assert read(body, limit=LIMIT, depth=2) == {"a": "[" * 100 + '\\"{' * 100, "b": ["]]]"]}


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        (b'{"items": [0, 1, 2, {"gps": {"latitude": 1e999}}]}', "items[3].gps.latitude", "finite"),
        (b'{"items": [NaN]}', "items[0]", "finite"),
        (b'{"a": {"b": -Infinity}}', "a.b", "finite"),
        (b'{"n": ' + b"1" * (MAX_NUMBER_CHARS + 1) + b"}", "n", "more than 32 characters"),
        (b'{"n": 0.' + b"0" * 40 + b"1}", "n", "more than 32 characters"),
        (b'{"people": [{"name": "a\\ud800"}]}', "people[0].name", "lone surrogate"),
        (b'{"a\\udc00b": 1}', "a\\udc00b", "lone surrogate"),
        (b'["ok", "\\uDFFF"]', "[1]", "lone surrogate"),
        (b'"\\udc00\\ud800"', "body", "lone surrogate"),
        (b"1e999", "body", "finite"),
    ],
)
def test_a_refused_value_is_named_by_its_path(body: bytes, field: str, says: str) -> None:
    error = refusal(body)
    assert error.field == field
    assert says in error.message


def test_a_number_of_the_longest_length_is_read() -> None:
    assert read(b"[" + b"9" * MAX_NUMBER_CHARS + b"]", limit=LIMIT, depth=1) == [
        int("9" * MAX_NUMBER_CHARS)
    ]


def test_a_body_larger_than_its_limit_is_refused_unread() -> None:
    with pytest.raises(InvalidInput) as refused:
        read(b"[" * 11, limit=10, depth=1, where="answer")
    assert refused.value.field == "answer"
    assert refused.value.message == "larger than 10 bytes"


def test_bytes_that_are_not_utf8_are_named_by_their_offset() -> None:
    error = refusal(b'{"a": "\xff"}')
    assert error.message == "not UTF-8 (byte 7)"


def test_text_that_is_not_json_is_located_by_line_and_column() -> None:
    error = refusal(b'{\n  "a": tru\n}')
    assert "line 2 column 8" in error.message
    assert error.text is not None
    assert error.text.startswith("tru")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('{"a": trés}', "body: not JSON: Expecting value at line 1 column 7 (got 'trés}')"),
        ('{"café": 1e999}', "café: not a finite number (got '1e999')"),
        ('{"a\\nb": NaN}', "a\\nb: not a finite number (got 'NaN')"),
        ('["\\ud800 été"]', "[0]: text holding a lone surrogate (not Unicode) (got '\\ud800 été')"),
    ],
)
def test_a_refusal_shows_the_offending_text_escaped_once(body: str, shown: str) -> None:
    """French text as it is, what a terminal must not receive (a line break, a lone
    surrogate) escaped — once, not an escape of an escape."""
    with pytest.raises(InvalidInput) as refused:
        read(body.encode("utf-8", "surrogatepass"), limit=100, depth=8)
    assert str(refused.value) == shown
