"""Use-case arguments checked against their annotations, at the edge, in one place.

A use case is called from an application, a script or a web handler, where nothing checks
types: ``book_slot(channel="portal")``, ``free_slots(first="2027-03-02")`` or
``days=2.5`` would otherwise go on and fail deep inside with a ``TypeError`` or, worse, be
read with another meaning. :func:`checked` refuses every argument that does not match its
annotation with :class:`~caredomain.errors.InvalidInput` naming the argument, before the
use case runs, and takes an enumeration's value for its member (``"portal"`` is
``Channel.PORTAL``), as the configuration files do.

The acting ``actor`` is left to :func:`~caredomain.access.authorize`, which refuses anything
that is not an actor with ``Forbidden``; ``context`` is the caller's own wiring.

:func:`checked_fields` does the same for the public models an application builds itself
(``AppointmentType(window=2)``), as an attrs field transformer. A value that already fits
its class passes on one ``isinstance``; the check costs about 10 µs a use-case call
(``benchmarks/arguments.py``).
"""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, NoReturn, ParamSpec, TypeVar

from attrs import Attribute

from caredomain.errors import InvalidInput
from caredomain.text import Text
from caredomain.validation import member_of

__all__ = ["checked", "checked_fields", "conform"]

P = ParamSpec("P")
R = TypeVar("R")

_UNCHECKED = frozenset({"context", "actor"})


def checked(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` with each argument conformed to its annotation (see the module)."""
    call = _Call(function)

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return function(*call.positional(args, kwargs), **call.keywords(kwargs))

    return wrapper


class _Call:
    """How a use case is called: its parameters, in order, and what each must be.

    ``inspect.Signature.bind`` would do the matching, at some ten microseconds a call; the
    use cases' parameters are plain (positional or keyword, then keyword-only), so this
    matches them directly and leaves the call itself to Python."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        parameters = inspect.signature(function).parameters.values()
        self.positional_names = [
            p.name for p in parameters if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ]
        self.names = frozenset(p.name for p in parameters)
        self.required = frozenset(p.name for p in parameters if p.default is p.empty)

    @functools.cached_property
    def expected(self) -> Mapping[str, tuple[Any, Callable[[object], bool]]]:
        # Resolved at the first call, when every import is done: each checked parameter's
        # hint, and a quick test that a value already fits it as it is.
        hints = typing.get_type_hints(self.function)
        return {
            name: (hint, _fits(hint))
            for name, hint in hints.items()
            if name in self.names and name not in _UNCHECKED
        }

    def positional(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> list[Any]:
        names = self.positional_names
        if len(args) > len(names):
            self._refuse(
                Text(
                    "takes {allowed} positional arguments but {given} were given",
                    allowed=len(names),
                    given=len(args),
                )
            )
        given = set(names[: len(args)])
        if given & kwargs.keys():
            several = ", ".join(sorted(given & kwargs.keys()))
            self._refuse(Text("got several values for {names}", names=several))
        missing = self.required - given - kwargs.keys()
        if missing:
            self._refuse(Text("missing {names}", names=", ".join(sorted(missing))))
        return [self._conformed(name, value) for name, value in zip(names, args, strict=False)]

    def keywords(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        unknown = kwargs.keys() - self.names
        if unknown:
            self._refuse(
                Text("got an unexpected keyword argument {names}", names=", ".join(sorted(unknown)))
            )
        return {name: self._conformed(name, value) for name, value in kwargs.items()}

    def _conformed(self, name: str, value: object) -> Any:
        expected = self.expected.get(name)
        if expected is None or expected[1](value):
            return value
        return conform(expected[0], value, name)

    def _refuse(self, what: str) -> NoReturn:
        raise InvalidInput(Text("{function}: {what}", function=self.function.__name__, what=what))


def checked_fields(cls: type, fields: list[Attribute[Any]]) -> list[Attribute[Any]]:
    """An attrs ``field_transformer`` (``@frozen(field_transformer=checked_fields)``): each
    value given to the constructor is conformed before the field's converter and validators
    see it — to the converter's own parameter annotation where it has one (``"2m"`` or an
    ``OpeningWindow``), to the field's annotation otherwise. ``AppointmentType(window=2)``
    is then ``InvalidInput`` naming ``window``, not a ``TypeError`` from inside a parser."""
    return [
        field.evolve(converter=_FieldCheck(cls, field))
        if field.init and _checkable(field.converter)
        else field
        for field in fields
    ]


def _checkable(converter: object) -> bool:
    """No converter, a plain function whose parameter says what it takes, or a number's own
    class (``converter=float``: the field's annotation says what it takes)."""
    return converter is None or converter in _SCALARS or inspect.isfunction(converter)


_SCALARS = (int, float)


class _FieldCheck:
    """The converter :func:`checked_fields` puts before a field's own (if any)."""

    def __init__(self, cls: type, field: Attribute[Any]) -> None:
        self._cls = cls
        self._name = field.name.lstrip("_")  # as the constructor calls it
        self._field = field.name
        self._converter: Callable[[Any], Any] | None = field.converter  # type: ignore[assignment]

    @functools.cached_property
    def _expected(self) -> tuple[Any, Callable[[object], bool]]:
        # Resolved at the first construction, when the module is whole.
        if self._converter is None or self._converter in _SCALARS:
            hint = typing.get_type_hints(self._cls)[self._field]
        else:
            first = next(iter(inspect.signature(self._converter).parameters))
            hint = typing.get_type_hints(self._converter).get(first, Any)
        return hint, _fits(hint)

    def __call__(self, value: Any) -> Any:
        hint, fits = self._expected
        if not fits(value):
            value = conform(hint, value, self._name)
        return value if self._converter is None else self._converter(value)


def _fits(hint: Any) -> Callable[[object], bool]:
    """A test that a value fits ``hint`` as it is, for the usual hints (a class, or a class
    or None); for the others, or when it says no, :func:`conform` decides."""
    while hasattr(hint, "__supertype__"):
        hint = hint.__supertype__
    arguments = typing.get_args(hint)
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and len(arguments) == 2
    if optional and type(None) in arguments:
        (hint,) = (a for a in arguments if a is not type(None))
        inner = _fits(hint)
        return lambda value: value is None or inner(value)
    if hint in _EXACT:  # a bool is an int to Python, a datetime is a date
        exact: tuple[type, ...] = _EXACT[hint]
        return lambda value: type(value) in exact
    if hint is datetime:
        return lambda value: isinstance(value, datetime) and value.tzinfo is not None
    if not isinstance(hint, type) or typing.get_args(hint):
        return lambda value: False
    if getattr(hint, "_is_protocol", False) or hint is Any:
        return lambda value: False
    kind: type = hint
    return lambda value: isinstance(value, kind)


_EXACT: Mapping[type, tuple[type, ...]] = {int: (int,), float: (float, int), date: (date,)}


def conform(hint: Any, value: object, field: str) -> Any:
    """``value`` as ``hint`` wants it, or InvalidInput naming ``field``."""
    while hasattr(hint, "__supertype__"):  # a NewType such as OrganisationId
        hint = hint.__supertype__
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _one_of(typing.get_args(hint), value, field)
    if origin is typing.Literal:
        if value not in typing.get_args(hint):
            raise _refused(field, _alternatives(map(repr, typing.get_args(hint))), value)
        return value
    kind = hint if origin is None else origin  # Sequence[str]: its kind of container
    if kind is Any or not isinstance(kind, type):  # Any, a type variable: anything goes
        return value
    checked_value = _instance(kind, value, field)
    arguments = typing.get_args(hint)
    if issubclass(kind, Mapping) and len(arguments) == 2:
        return _mapping(arguments, checked_value, field)
    if issubclass(kind, Iterable) and not issubclass(kind, str) and arguments:
        return _items(kind, arguments, checked_value, field)
    return checked_value


def _mapping(arguments: tuple[Any, ...], value: Mapping[Any, Any], field: str) -> Any:
    key, item = arguments
    return {
        conform(key, k, f"{field}[{k!r}]"): conform(item, v, f"{field}[{k!r}]")
        for k, v in value.items()
    }


def _items(kind: type, arguments: tuple[Any, ...], value: Iterable[Any], field: str) -> Any:
    """Each item conformed; a text is not a collection of anything but characters."""
    item = arguments[0]
    if kind is tuple and arguments[1:] != (Ellipsis,):
        return value  # a record of fixed length: no use case takes one
    if isinstance(value, str | bytes):  # "IDE" is one skill, never the skills I, D and E
        raise _refused(field, Text("a collection of {items}", items=_name(item)), value)
    items = [conform(item, v, f"{field}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, frozenset | set | list | tuple):
        return type(value)(items)
    return tuple(items)


def _one_of(choices: tuple[Any, ...], value: object, field: str) -> Any:
    if value is None and type(None) in choices:
        return None
    refusals = []
    for choice in choices:
        if choice is type(None):
            continue
        try:
            return conform(choice, value, field)
        except InvalidInput as refusal:
            refusals.append(refusal)
    raise refusals[0] if len(refusals) == 1 else _refused(field, _names(choices), value)


def _instance(kind: type, value: object, field: str) -> Any:
    if getattr(kind, "_is_protocol", False) and not getattr(kind, "_is_runtime_protocol", False):
        return value  # a port: isinstance cannot tell, its use will
    if issubclass(kind, Enum):
        return member_of(kind, value, field)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return value
    if (kind is int and isinstance(value, bool)) or not _is_a(value, kind):
        raise _refused(field, _name(kind), value)
    if kind is datetime and value.tzinfo is None:  # type: ignore[attr-defined]
        raise InvalidInput(Text("expected an aware datetime (with a time zone)"), field=field)
    return value


def _is_a(value: object, kind: type) -> bool:
    if kind is date:  # a datetime is a date to Python, not to a use case
        return isinstance(value, date) and not isinstance(value, datetime)
    return isinstance(value, kind)


def _refused(field: str, expected: str, value: object) -> InvalidInput:
    return InvalidInput(
        Text("expected {expected}, not {kind}", expected=expected, kind=type(value).__name__),
        field=field,
        text=_shown(value),
    )


def _names(choices: tuple[Any, ...]) -> str:
    return _alternatives(_name(c) for c in choices if c is not type(None))


def _alternatives(names: Iterable[str]) -> str:
    """``a or b or c``, each name kept as it is (a :class:`Text` is translated)."""
    joined: str | None = None
    for name in names:
        joined = name if joined is None else Text("{either} or {other}", either=joined, other=name)
    return joined or ""


def _name(kind: Any) -> str:
    """A type as an error names it: a class by its name, an enumeration by its values."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        return Text("one of {members}", members=", ".join(str(member.value) for member in kind))
    return getattr(kind, "__name__", str(kind))


def _shown(value: object) -> str:
    """What an error quotes of ``value``: its text, cut; a value with no text shows its type."""
    try:
        return str(value)[:200]
    except ValueError:  # an integer past Python's digit limit, say
        return f"<{type(value).__name__}>"
