"""A support ticket of the vendor's desk, from the call to its closing (seed 002).

"Le technicien EIG ouvre un ticket qu'il clôture pour Renvoi vers l'administrateur
configurateur (modèle de réponse) en renseignant l'administrateur en copie du ticket […].
Le ticket suivra la voie habituelle N3 puis R&D […]. Dès réception de l'accord du devis,
une intervention sera planifiée avec obligation qu'une personne de leur structure soit
présente lors de l'intervention et un compte rendu de fin d'intervention sera envoyé."

A :class:`Ticket` is a frozen value; each transition returns a new ticket with a dated
entry added to its history, or refuses with :class:`~caredomain.errors.Conflict`::

    awaiting_written_request --receive_written_request--> open
    open --escalate (N1 < N2 < N3 < R&D)--> open
    open --close(response)--> closed                      (any level but SP)
    open (SP) --send_quote--> quote_sent --accept_quote--> quote_accepted
    quote_accepted --schedule(window, person present)--> scheduled
    scheduled --report, once the window is over--> closed

* A paid SP ticket closes only with the end-of-intervention report: the seed promises one.
* Escalation only goes up the usual path; an SP ticket is opened as such, never escalated
  to or from: it is the customer's paid order, not a level of expertise.
* People are copied at any time before the ticket closes; copying someone twice changes
  nothing.
* Entries are dated by the caller (the core reads no clock) and never go back in time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, NewType

from attrs import evolve, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import Conflict, InvalidInput
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "Level",
    "Ticket",
    "TicketEntry",
    "TicketId",
    "TicketStatus",
    "Window",
    "status_text",
]

TicketId = NewType("TicketId", str)


class Level(StrEnum):
    N1 = "N1"  # the desk that takes the call
    N2 = "N2"  # a technician who carries out the intervention
    N3 = "N3"  # experts
    RD = "R&D"  # the development department
    SP = "SP"  # a paid service ("prestation"), quoted to the customer


_PATH = (Level.N1, Level.N2, Level.N3, Level.RD)
"""The usual escalation path, lowest first."""


class TicketStatus(StrEnum):
    AWAITING_WRITTEN_REQUEST = "awaiting_written_request"
    OPEN = "open"
    QUOTE_SENT = "quote_sent"
    QUOTE_ACCEPTED = "quote_accepted"
    SCHEDULED = "scheduled"
    CLOSED = "closed"


_STATUS_TEXTS = {
    TicketStatus.AWAITING_WRITTEN_REQUEST: Text("awaiting the written request"),
    TicketStatus.OPEN: Text("open"),
    TicketStatus.QUOTE_SENT: Text("waiting for the quote's acceptance"),
    TicketStatus.QUOTE_ACCEPTED: Text("quoted and accepted"),
    TicketStatus.SCHEDULED: Text("scheduled"),
    TicketStatus.CLOSED: Text("closed"),
}


def status_text(status: TicketStatus) -> Text:
    """``status`` in words, for people."""
    return _STATUS_TEXTS[status]


def _aware(value: datetime, name: str = "at") -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(
            Text("expected an aware datetime (with a time zone)"), field=name, text=str(value)
        )
    return value


@frozen(field_transformer=checked_fields)
class TicketEntry:
    """What happened to a ticket, and when."""

    at: datetime
    what: str = field(validator=non_blank)


@frozen(field_transformer=checked_fields)
class Window:
    """A scheduled intervention: from ``start`` to ``end``, with ``present``, the customer's
    person who must be there."""

    start: datetime
    end: datetime
    present: str = field(validator=non_blank)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(
                Text("an intervention ends after it starts"), field="end", text=str(self.end)
            )


def _level(value: object) -> Level:
    return member_of(Level, value, "level")


def _status(value: object) -> TicketStatus:
    return member_of(TicketStatus, value, "status")


def _people(value: Iterable[str]) -> tuple[str, ...]:
    people = tuple(value)
    for person in people:
        if not isinstance(person, str) or not person.strip():
            raise InvalidInput(Text("must not be blank"), field="copy", text=str(person))
    return people


def _entries(value: Iterable[TicketEntry]) -> tuple[TicketEntry, ...]:
    return tuple(value)


@frozen(field_transformer=checked_fields)
class Ticket:
    """A support ticket: who called, about what (subject and sub-subject of the desk's
    referential), at which level, who is in copy, its status and its dated history."""

    id: TicketId = field(validator=identifier)
    caller: str = field(validator=non_blank)
    subject: str = field(validator=non_blank)
    sub_subject: str = field(validator=non_blank)
    level: Level = field(converter=_level)
    status: TicketStatus = field(converter=_status)
    history: tuple[TicketEntry, ...] = field(converter=_entries)
    copy: tuple[str, ...] = field(default=(), converter=_people)
    response: str | None = None  # the response template it was closed with
    quote: str | None = None  # the quote sent for a paid SP ticket
    window: Window | None = None
    report: str | None = None  # the end-of-intervention report

    def __attrs_post_init__(self) -> None:
        moments = [entry.at for entry in self.history]
        if not moments or moments != sorted(moments):
            raise InvalidInput(
                Text("a ticket's history starts with its opening and goes forward in time"),
                field="history",
                text=self.id,
            )
        planned = self.status is TicketStatus.SCHEDULED
        if planned and self.window is None:
            raise InvalidInput(
                Text("a scheduled ticket has its window"), field="window", text=self.id
            )
        closed = self.status is TicketStatus.CLOSED
        if closed and self.response is None and self.report is None:
            raise InvalidInput(
                Text("a closed ticket has its response or its report"),
                field="status",
                text=self.id,
            )

    @classmethod
    def open(
        cls,
        ticket_id: str,
        *,
        caller: str,
        subject: str,
        sub_subject: str,
        at: datetime,
        level: Level = Level.N1,
        copy: Iterable[str] = (),
        written: bool = True,
    ) -> Ticket:
        """A new ticket at ``level``; one waiting for the written request unless ``written``."""
        status = TicketStatus.OPEN if written else TicketStatus.AWAITING_WRITTEN_REQUEST
        entry = TicketEntry(_aware(at), Text("opened at {level}", level=str(Level(level))))
        return cls(
            id=TicketId(ticket_id),
            caller=caller,
            subject=subject,
            sub_subject=sub_subject,
            level=level,
            status=status,
            history=(entry,),
            copy=tuple(dict.fromkeys(copy)),
        )

    @property
    def closed(self) -> bool:
        return self.status is TicketStatus.CLOSED

    @property
    def opened_at(self) -> datetime:
        return self.history[0].at

    def receive_written_request(self, at: datetime) -> Ticket:
        """The customer's written request came in: the ticket is worked on."""
        self._require(TicketStatus.AWAITING_WRITTEN_REQUEST, Text("receive a written request"))
        return self._then(at, Text("written request received"), status=TicketStatus.OPEN)

    def escalate(self, to: Level, at: datetime) -> Ticket:
        """Up the usual path N1, N2, N3, R&D (never down, never to or from SP)."""
        target = _level(to)
        self._require(TicketStatus.OPEN, Text("escalate"))
        if target not in _PATH or self.level not in _PATH:
            raise Conflict(
                Text("ticket {id}: an SP ticket is neither escalated to nor from", id=self.id)
            )
        if _PATH.index(target) <= _PATH.index(self.level):
            raise Conflict(
                Text(
                    "ticket {id} is at {level}: it escalates to a higher level only",
                    id=self.id,
                    level=str(self.level),
                )
            )
        return self._then(at, Text("escalated to {level}", level=str(target)), level=target)

    def copied(self, person: str, at: datetime) -> Ticket:
        """``person`` in copy of the ticket (the "CC" box); already there: unchanged."""
        (who,) = _people((person,))
        if self.closed:
            raise Conflict(Text("ticket {id} is closed", id=self.id))
        if who in self.copy:
            return self
        return self._then(at, Text("{person} in copy", person=who), copy=(*self.copy, who))

    def close(self, response: str, at: datetime) -> Ticket:
        """Closed with ``response``, the desk's response template."""
        if not isinstance(response, str) or not response.strip():
            raise InvalidInput(Text("must not be blank"), field="response", text=str(response))
        self._require(TicketStatus.OPEN, Text("close"))
        if self.level is Level.SP:
            raise Conflict(
                Text("ticket {id} is paid: it closes with the intervention's report", id=self.id)
            )
        return self._then(
            at,
            Text("closed: {response}", response=response),
            status=TicketStatus.CLOSED,
            response=response,
        )

    def send_quote(self, quote: str, at: datetime) -> Ticket:
        """A paid SP ticket's quote, sent to the customer."""
        if not isinstance(quote, str) or not quote.strip():
            raise InvalidInput(Text("must not be blank"), field="quote", text=str(quote))
        self._require(TicketStatus.OPEN, Text("send a quote"))
        if self.level is not Level.SP:
            raise Conflict(Text("ticket {id} is not a paid SP ticket", id=self.id))
        return self._then(
            at, Text("quote {quote} sent", quote=quote), status=TicketStatus.QUOTE_SENT, quote=quote
        )

    def accept_quote(self, at: datetime) -> Ticket:
        """The customer accepted the quote: the intervention can be scheduled."""
        self._require(TicketStatus.QUOTE_SENT, Text("accept a quote"))
        return self._then(at, Text("quote accepted"), status=TicketStatus.QUOTE_ACCEPTED)

    def schedule(self, window: Window, at: datetime) -> Ticket:
        """The intervention is planned in ``window``, a person of the customer present."""
        self._require(TicketStatus.QUOTE_ACCEPTED, Text("schedule an intervention"))
        if window.start < _aware(at):
            raise InvalidInput(
                Text("an intervention is scheduled ahead"), field="start", text=str(window.start)
            )
        what = Text(
            "intervention scheduled from {start} to {end}, {person} present",
            start=window.start.isoformat(),
            end=window.end.isoformat(),
            person=window.present,
        )
        return self._then(at, what, status=TicketStatus.SCHEDULED, window=window)

    def send_report(self, report: str, at: datetime) -> Ticket:
        """The end-of-intervention report, sent once the window is over: it closes the
        ticket."""
        if not isinstance(report, str) or not report.strip():
            raise InvalidInput(Text("must not be blank"), field="report", text=str(report))
        self._require(TicketStatus.SCHEDULED, Text("send a report"))
        assert self.window is not None
        if _aware(at) < self.window.end:
            raise Conflict(
                Text(
                    "ticket {id}: the intervention runs until {end}",
                    id=self.id,
                    end=self.window.end.isoformat(),
                )
            )
        return self._then(at, Text("report sent"), status=TicketStatus.CLOSED, report=report)

    def _require(self, status: TicketStatus, doing: str) -> None:
        if self.status is not status:
            raise Conflict(
                Text(
                    "ticket {id} is {status}: cannot {doing}",
                    id=self.id,
                    status=_STATUS_TEXTS[self.status],
                    doing=doing,
                )
            )

    def _then(self, at: datetime, what: str, **changes: Any) -> Ticket:
        moment = _aware(at)
        last = self.history[-1].at
        if moment < last:
            raise InvalidInput(
                Text("before the ticket's last entry ({last})", last=last.isoformat()),
                field="at",
                text=moment.isoformat(),
            )
        return evolve(self, history=(*self.history, TicketEntry(moment, what)), **changes)
