"""The punch log's entries: a punch as the log keeps it, at its place in the log, with the
decision taken on it (:class:`Refusal` when it was refused, as for a refused correction).
"""

from __future__ import annotations

from attrs import frozen

from caredomain.errors import RuleViolation
from caredomain.interventions.model import Punch

__all__ = [
    "LogEntry",
    "Refusal",
]


@frozen
class Refusal:
    """Why a punch (or a correction) was refused: a stable ``code`` and a message."""

    code: str
    message: str

    def error(self) -> RuleViolation:
        return RuleViolation(self.code, self.message)


@frozen
class LogEntry:
    """A punch as the log keeps it: its position (``sequence``, from 0) and the decision."""

    sequence: int
    punch: Punch
    refusal: Refusal | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None
