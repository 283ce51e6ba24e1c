"""Hypothesis strategies for hostile JSON: what an adapter reading bodies must survive.

Use them against your own adapter the way caredomain's Penbase tests do: take a valid body,
let :func:`mutated` replace or remove one or two of its fields at any depth, and check that
the adapter answers with a located error rather than crashing.

* :data:`hostile_values` — what fault campaigns find: integers past a float's range,
  absurd exponents (``1e999999999``), times at the ends of the calendar, a lone surrogate;
* :data:`json_values` — any JSON value, nested, hostile leaves included;
* :func:`mutated` — a valid body with one or two fields changed or removed.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["hostile_values", "json_values", "mutated"]

hostile_values: st.SearchStrategy[Any] = (
    st.integers(min_value=10**309, max_value=10**4000)
    | st.from_regex(r"-?[0-9]{1,3}(\.[0-9]{1,3})?[eE][+-]?[0-9]{5,10}", fullmatch=True)
    | st.sampled_from(["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "\ud800"])
)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | hostile_values,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)

_REPLACEMENTS = st.one_of(hostile_values, hostile_values, json_values)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every field and element inside ``value``."""
    inner: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            inner += [(*path, key), *_paths(item, (*path, key))]
    elif isinstance(value, list):
        for i, item in enumerate(value):
            inner += [(*path, i), *_paths(item, (*path, i))]
    return inner


def _changed(value: Any, path: tuple[Any, ...], new: Any, remove: bool) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    if remove and not rest:
        del copy[head]
    else:
        copy[head] = _changed(value[head], tuple(rest), new, remove)
    return copy


@st.composite
def mutated(draw: st.DrawFn, valid: Any) -> Any:
    """``valid`` (a JSON body) with one or two of its fields, at any depth, replaced by a
    hostile or arbitrary value, or removed."""
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from([(), *_paths(valid)]))
        valid = _changed(valid, path, draw(_REPLACEMENTS), remove=draw(st.booleans()))
    return valid
