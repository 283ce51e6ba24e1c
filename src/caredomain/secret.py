"""A secret read from outside — a password, a token — that never shows itself.

Adapters keep the passwords and tokens of their settings as :class:`Secret`: a repr, a str
or a log line shows ``***``, and only :meth:`Secret.reveal` gives the value, at the one
place that sends it.
"""

from __future__ import annotations

__all__ = ["Secret"]


class Secret:
    """A password or token: :meth:`reveal` gives it; nothing else shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
