"""The one exception tree of caredomain.

Everything the public API raises on purpose is a :class:`CareDomainError`:

* :class:`InvalidInput` — bad data from outside (a feed line, a config file, a template,
  a webhook). It names where (``source``, ``line``, ``field``) and what (``text``, shown
  as a short escaped :func:`excerpt`).
  It is also a :class:`ValueError`, so attrs validators and cattrs see it as one.
* :class:`RuleViolation` — a domain rule refused an action; ``code`` is stable and meant
  for machines (``slot.min_notice``), ``message`` for people.
* :class:`NotFound`, :class:`Forbidden`, :class:`Conflict` (a concurrent change lost its race,
  a double booking).
* :class:`SlotTaken` — both a :class:`RuleViolation` (``slot.full``) and a :class:`Conflict`:
  the last seat of an appointment slot went to someone else.
"""

from __future__ import annotations

from caredomain.text import Text

__all__ = [
    "CareDomainError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "RuleViolation",
    "SlotTaken",
    "excerpt",
    "offending",
]

EXCERPT = 80
"""The most characters of an offending text an error shows."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` quoted and escaped as :func:`repr` writes it, cut to at most ``limit``
    characters between the quotes with "…" after: what an error shows of a bad line, so
    that a 10 MB line gives a short message and no control character reaches a terminal."""
    cut = text[:limit]
    shown = repr(cut)
    while len(shown) > limit + 2:  # escapes take several characters each
        cut = cut[:-1]
        shown = repr(cut)
    return shown + "…" if len(cut) < len(text) else shown


def offending(text: str) -> str:
    """What an error keeps of an offending ``text`` as its ``text``: the first
    :data:`EXCERPT` characters and one more, so that its ``str`` (which quotes and escapes
    it once, :func:`excerpt`) says where it was cut, and a 10 MB value is not held whole."""
    return text[: EXCERPT + 1]


class CareDomainError(Exception):
    """Root of every error caredomain raises on purpose. Its ``str`` is a
    :class:`~caredomain.text.Text` where its message is one, so that whoever shows it can
    translate it."""

    def __str__(self) -> str:
        if len(self.args) == 1 and isinstance(self.args[0], Text):
            return self.args[0]
        return super().__str__()


class InvalidInput(CareDomainError, ValueError):
    """Bad data from outside, with where it came from and the offending text."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
        text: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.field = field
        self.text = text

    def located(
        self, *, source: str | None = None, line: int | None = None, field: str | None = None
    ) -> InvalidInput:
        """The same error with the location filled in where it was unknown."""
        return InvalidInput(
            self.message,
            source=self.source or source,
            line=self.line or line,
            field=self.field or field,
            text=self.text,
        )

    def __str__(self) -> str:
        got = Text(" (got {text})", text=excerpt(self.text)) if self.text is not None else ""
        where = self._where()
        if where is None:
            return Text("{message}{got}", message=self.message, got=got)
        return Text("{where}: {message}{got}", where=where, message=self.message, got=got)

    def _where(self) -> str | None:
        """``source:line: field``, as much of it as is known."""
        if self.line is None:
            where: str | None = self.source
        elif self.source:
            where = f"{self.source}:{self.line}"
        else:
            where = Text("line {line}", line=self.line)
        if self.field:
            return Text("{where}: {field}", where=where, field=self.field) if where else self.field
        return where


class RuleViolation(CareDomainError):
    """A domain rule refused an action."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(Text("[{code}] {message}", code=code, message=message))
        self.code = code
        self.message = message


class NotFound(CareDomainError):
    """The thing asked for does not exist."""


class Forbidden(CareDomainError):
    """The acting actor may not do this."""


class Conflict(CareDomainError):
    """A concurrent change won the race, or the change would break uniqueness."""


class SlotTaken(RuleViolation, Conflict):
    """Every seat of the appointment slot is booked (code ``slot.full``).

    A :class:`RuleViolation`, because the booking rules refuse a full slot; and a
    :class:`Conflict`, because when two people race for its last seat the loser finds it
    taken: catch ``Conflict`` to offer another slot after any lost race.
    """
