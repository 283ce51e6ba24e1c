"""One JSON object of the wire being read: :class:`Fields`, whose every refusal is an
:class:`~caredomain.errors.InvalidInput` naming the path of the field (``items[3].gps``).

Numbers, decimals and times are checked so that nothing the domain then computes with them
can overflow: a number is finite, a decimal has at most :data:`MAX_DECIMAL_DIGITS` digits
before its point and no more than :data:`MAX_DECIMAL_PLACES` after it, and a time can be
told in UTC. What the domain still refuses while building an object (``ValueError``,
``TypeError``, an arithmetic error) is located under the object's path.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from caredomain.errors import InvalidInput, offending
from caredomain.text import Text

__all__ = ["MAX_DECIMAL_DIGITS", "MAX_DECIMAL_PLACES", "Fields"]

T = TypeVar("T")
MAX_DECIMAL_DIGITS = 12
"""Digits before the point of a decimal written as text (a trillion kilometres or euros)."""
MAX_DECIMAL_PLACES = 6
"""Digits after the point of a decimal written as text."""

_REPR = reprlib.Repr()
_REPR.maxlevel = 2
_REPR.maxstring = 60
_REPR.maxother = 60


def _shown(value: object) -> str:
    text = _REPR.repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Fields:
    """One JSON object being read; every error names ``path`` and the field."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise InvalidInput(
                Text("expected a JSON object"), field=path or "body", text=_shown(data)
            )
        self._data: Mapping[str, object] = data
        self.path = path

    def where(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> object:
        """The value of ``name``; a missing field (or ``null``) is refused."""
        value = self._data.get(name)
        if value is None:
            raise InvalidInput(Text("this field is required"), field=self.where(name))
        return value

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def text(self, name: str) -> str:
        value = self.raw(name)
        if not isinstance(value, str):
            raise InvalidInput(Text("expected text"), field=self.where(name), text=_shown(value))
        return value

    def optional_text(self, name: str, default: str | None = None) -> str | None:
        return self.text(name) if self.has(name) else default

    def flag(self, name: str, default: bool = False) -> bool:
        if not self.has(name):
            return default
        value = self.raw(name)
        if not isinstance(value, bool):
            raise InvalidInput(
                Text("expected true or false"), field=self.where(name), text=_shown(value)
            )
        return value

    def number(self, name: str) -> float:
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(
                Text("expected a number"), field=self.where(name), text=_shown(value)
            )
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise InvalidInput(Text("expected a finite number"), field=self.where(name))
        return number

    def decimal(self, name: str) -> Decimal:
        """A decimal written as text (``"12.50"``), so that no binary rounding slips in."""
        value = self.text(name)
        where = self.where(name)
        try:
            number = Decimal(value) if len(value) <= 64 else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise InvalidInput(
                Text("expected a decimal number as text"), field=where, text=offending(value)
            )
        places = -int(number.as_tuple().exponent)
        if number.adjusted() >= MAX_DECIMAL_DIGITS or places > MAX_DECIMAL_PLACES:
            raise InvalidInput(
                Text(
                    "expected at most {digits} digits before the point and {places} after it",
                    digits=MAX_DECIMAL_DIGITS,
                    places=MAX_DECIMAL_PLACES,
                ),
                field=where,
                text=offending(value),
            )
        return number

    def moment(self, name: str) -> datetime:
        """An ISO 8601 date and time with its offset; a naive one is refused."""
        value = self.text(name)
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                Text("expected an ISO 8601 date and time"),
                field=self.where(name),
                text=offending(value),
            ) from None
        if moment.utcoffset() is None:
            raise InvalidInput(
                Text("the time needs its offset (+01:00, Z)"),
                field=self.where(name),
                text=offending(value),
            )
        try:
            moment.astimezone(UTC)
        except OverflowError:
            raise InvalidInput(
                Text("a time that cannot be told in UTC"),
                field=self.where(name),
                text=offending(value),
            ) from None
        return moment

    def optional_moment(self, name: str) -> datetime | None:
        return self.moment(name) if self.has(name) else None

    def day(self, name: str) -> date:
        value = self.text(name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(
                Text("expected an ISO 8601 date (YYYY-MM-DD)"),
                field=self.where(name),
                text=offending(value),
            ) from None

    def obj(self, name: str) -> Fields:
        return Fields(self.raw(name), self.where(name))

    def optional_obj(self, name: str) -> Fields | None:
        return self.obj(name) if self.has(name) else None

    def objects(self, name: str) -> list[Fields]:
        """A list of objects, each named by its index (``items[3]``); absent is empty."""
        if not self.has(name):
            return []
        values = self.raw(name)
        if not isinstance(values, list):
            raise InvalidInput(Text("expected a list"), field=self.where(name), text=_shown(values))
        return [Fields(value, f"{self.where(name)}[{i}]") for i, value in enumerate(values)]

    def texts(self, name: str) -> list[str]:
        values = self.raw(name)
        if not isinstance(values, list):
            raise InvalidInput(Text("expected a list"), field=self.where(name), text=_shown(values))
        for i, value in enumerate(values):
            if not isinstance(value, str):
                raise InvalidInput(
                    Text("expected text"), field=f"{self.where(name)}[{i}]", text=_shown(value)
                )
        return list(values)

    def build(self, factory: Callable[..., T], **values: Any) -> T:
        """``factory(**values)``; what the domain refuses is located under this path."""
        try:
            return factory(**values)
        except InvalidInput as error:
            where = self.where(error.field) if error.field else self.path or None
            raise InvalidInput(error.message, field=where, text=error.text) from None
        except (TypeError, ValueError, ArithmeticError) as error:
            raise InvalidInput(str(error)[:200], field=self.path or None) from None
