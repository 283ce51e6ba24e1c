"""Strict structure hooks: plain data keeps its type, or it is refused.

cattrs' own hooks convert by calling the type: ``bool("false")`` is true, ``str({"a": 1})``
is the text ``"{'a': 1}"`` and ``frozenset("IDE")`` is three skills. A configuration value
of the wrong type would so be read with another meaning; these hooks refuse it instead,
with what was expected and what was given, and the converter's path names the field.

The rules, one per TOML type:

* text is a string: nothing else becomes text;
* a boolean is ``true`` or ``false``: neither ``"false"`` nor ``0``;
* a whole number is an integer: not a boolean, and not a float even when it is whole
  (``3.0``), since TOML writes integers without a point;
* a number (float) is an integer or a finite float: ``nan`` and ``inf`` mean no amount;
* a list, tuple or set is an array (a list, or a tuple from Python), never a string or
  a table, so that ``"IDE"`` is not three items;
* a table (a mapping or an attrs class) is a mapping.

Enumerations built on ``str`` are read here too (``str`` is their base class); an unknown
member is refused with the members' values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from enum import Enum
from typing import Any, get_args

import cattrs
from attrs import has
from cattrs.cols import homogenous_tuple_structure_factory as tuple_structure_factory
from cattrs.cols import (
    is_any_set,
    is_mapping,
    is_mutable_sequence,
    is_sequence,
    list_structure_factory,
    mapping_structure_factory,
)

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["register_strict_hooks", "shown_value", "toml_type"]

_SHOWN = 60
"""At most this many characters of an offending value are quoted in an error."""

Hook = Callable[[Any, Any], Any]


_TOML_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, Text("a boolean")),  # before int: a boolean is an int to Python
    (int, Text("an integer")),
    (float, Text("a float")),
    (str, Text("text")),
    (Mapping, Text("a table")),
    ((list, tuple), Text("an array")),
    ((datetime, date, time), Text("a date or time")),
    (type(None), Text("nothing")),
)


def toml_type(value: object) -> str:
    """The TOML name of ``value``'s type, as an error shows it: a :class:`Text` (a Python
    class's own name for a type TOML does not have)."""
    for kinds, name in _TOML_TYPES:
        if isinstance(value, kinds):
            return name
    return type(value).__name__


def shown_value(value: object) -> str:
    """``value`` as an error quotes it: TOML's words for booleans, and short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _refused(expected: str, value: object) -> InvalidInput:
    return InvalidInput(
        Text("expected {expected}, not {kind}", expected=expected, kind=toml_type(value)),
        text=shown_value(value),
    )


def _structure_text(value: Any, cls: Any) -> Any:
    if not isinstance(value, str):
        raise _refused(Text("text"), value)
    if cls is str:
        return value
    if issubclass(cls, Enum):
        try:
            return cls(value)
        except ValueError:
            members = ", ".join(str(member.value) for member in cls)
            raise InvalidInput(
                Text("expected one of {members}", members=members), text=shown_value(value)
            ) from None
    return cls(value)


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _refused(Text("a boolean (true or false)"), value)
    return value


def _structure_int(value: Any, cls: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _refused(Text("a whole number (an integer)"), value)
    return value if cls is int else cls(value)


def _structure_float(value: Any, _: type) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refused(Text("a number"), value)
    try:
        number = float(value)
    except OverflowError:  # an integer too large for any float
        number = math.inf
    if not math.isfinite(number):
        raise InvalidInput(Text("expected a finite number"), text=shown_value(value))
    return number


def _array(inner: Hook) -> Hook:
    def hook(value: Any, cls: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise _refused(Text("an array (a list in [ ])"), value)
        return inner(value, cls)

    return hook


def _table(inner: Hook) -> Hook:
    def hook(value: Any, cls: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _refused(Text("a table"), value)
        return inner(value, cls)

    return hook


def _set_factory(converter: cattrs.Converter) -> Callable[[Any], Hook]:
    def factory(cls: Any) -> Hook:
        (item,) = get_args(cls) or (Any,)
        as_list = list_structure_factory(list[item], converter)  # type: ignore[valid-type]
        origin = set if getattr(cls, "__origin__", cls) is set else frozenset
        return _array(lambda value, _: origin(as_list(value, list)))

    return factory


def _is_fixed_tuple(cls: Any) -> bool:
    """``tuple[AgentId, date]``: one type per place, unlike ``tuple[str, ...]``."""
    args = get_args(cls)
    return getattr(cls, "__origin__", None) is tuple and bool(args) and args[-1] is not Ellipsis


def _is_array(cls: Any) -> bool:
    return cls not in (str, bytes) and (is_sequence(cls) or _is_fixed_tuple(cls))


def _sequence_factory(converter: cattrs.Converter) -> Callable[[Any], Hook]:
    def factory(cls: Any) -> Hook:
        if is_mutable_sequence(cls):
            return _array(list_structure_factory(cls, converter))
        if _is_fixed_tuple(cls):
            return _array(converter.gen_structure_hetero_tuple(cls))
        return _array(tuple_structure_factory(cls, converter))

    return factory


def register_strict_hooks(converter: cattrs.Converter) -> None:
    """Make ``converter`` strict. Register these first: hooks registered later for a
    given class (a time range read from text) take precedence, as they should."""
    converter.register_structure_hook(str, _structure_text)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook_factory(
        lambda cls: has(cls) and not get_args(cls),
        lambda cls: _table(converter.gen_structure_attrs_fromdict(cls)),
    )
    converter.register_structure_hook_factory(
        lambda cls: is_mapping(cls) and cls is not str,
        lambda cls: _table(mapping_structure_factory(cls, converter, _mapping_target(cls))),
    )
    converter.register_structure_hook_factory(_is_array, _sequence_factory(converter))
    converter.register_structure_hook_factory(is_any_set, _set_factory(converter))


def _mapping_target(cls: Any) -> type:
    origin = getattr(cls, "__origin__", cls)
    return origin if isinstance(origin, type) and issubclass(origin, dict) else dict
