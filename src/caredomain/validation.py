"""Conversions shared by the models, raising :class:`~caredomain.errors.InvalidInput`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from attrs import Attribute

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["identifier", "member_of", "members_of", "non_blank"]

E = TypeVar("E", bound=Enum)
Str = TypeVar("Str", bound=str)


def member_of(enum: type[E], value: object, field: str) -> E:
    """The member of ``enum`` for ``value``; anything else is InvalidInput naming ``field``."""
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(str(member.value) for member in enum)
        raise InvalidInput(
            Text("expected one of {members}", members=known), field=field, text=str(value)
        ) from None


def members_of(enum: type[E], values: Iterable[object], field: str) -> frozenset[E]:
    """The members of ``enum`` for ``values``, as a frozenset."""
    return frozenset(member_of(enum, value, field) for value in values)


def identifier(instance: object, attribute: Attribute[Str], value: Str) -> None:
    """Ids are non-blank text without spaces."""
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
        raise InvalidInput(
            Text("must be non-blank text without spaces"), field=attribute.name, text=str(value)
        )


def non_blank(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(Text("must not be blank"), field=attribute.name, text=str(value))
