"""Conversions shared by the models, raising :class:`~caredomain.errors.InvalidInput`."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TypeVar

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["member_of", "members_of"]

E = TypeVar("E", bound=Enum)


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
