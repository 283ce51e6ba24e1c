"""Break-glass console interventions (seed 002), after the transition.

"A partir de juillet : … sa demande doit passer par une demande écrite qui fera l'objet dès
réception de la création d'un ticket SP payant avec envoi d'un devis. Dès réception de
l'accord du devis, une intervention sera planifiée avec obligation qu'une personne de leur
structure soit présente lors de l'intervention et un compte rendu de fin d'intervention sera
envoyé." — "A terme, les techniciens EIG n'auront plus accès au mode pupitre sauf en de très
rares cas."

The record's states, each step adding what it names::

    requested --quote(ticket, quote)--> quoted --accept(on, by)--> accepted
      --schedule(window, customer present, technician)--> scheduled
      --open (inside the window)--> open --close(report, sent to)--> closed

* The console opens only inside the window ``[start, end)`` of a scheduled or open record
  that holds all of the above (:func:`console_refusal` says what is missing, in the order
  a technician would fix it); the session it opens ends with the window at the latest.
* Every action in the window is journaled (:mod:`caredomain.access.audit`); the record
  counts them.
* Closing needs the end-of-intervention report and the customer address it was sent to,
  both recorded; a window can be closed before its end, never reopened.
* A step out of order is :class:`~caredomain.errors.Conflict` naming the state.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import NewType

from attrs import Attribute, evolve, field, frozen

from caredomain.access.actors import ActorId
from caredomain.arguments import checked_fields
from caredomain.clock import require_aware
from caredomain.errors import Conflict, InvalidInput
from caredomain.organisation import ConfigurationId
from caredomain.text import Text
from caredomain.validation import identifier, non_blank

__all__ = [
    "Acceptance",
    "BreakGlass",
    "BreakGlassId",
    "Quote",
    "Report",
    "State",
    "Window",
    "WrittenRequest",
    "console_refusal",
]

BreakGlassId = NewType("BreakGlassId", str)


class State(StrEnum):
    REQUESTED = "requested"
    QUOTED = "quoted"
    ACCEPTED = "accepted"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


def _aware(instance: object, attribute: Attribute[datetime], value: datetime) -> None:
    require_aware(value, attribute.name)


def _positive(instance: object, attribute: Attribute[Decimal], value: Decimal) -> None:
    if not value.is_finite() or value <= 0:
        raise InvalidInput(Text("must be more than zero"), field=attribute.name, text=str(value))


def _address(instance: object, attribute: Attribute[str], value: str) -> None:
    local, at, domain = value.strip().rpartition("@")
    if not at or not local or "." not in domain or any(ch.isspace() for ch in value.strip()):
        raise InvalidInput(Text("expected an e-mail address"), field=attribute.name, text=value)


@frozen(field_transformer=checked_fields)
class WrittenRequest:
    """The customer's written request ("demande écrite"): its reference and when it came."""

    reference: str = field(validator=non_blank)
    received_on: date


@frozen(field_transformer=checked_fields)
class Quote:
    """The paid SP support ticket opened on receipt of the request, and its quote."""

    ticket: str = field(validator=identifier)
    reference: str = field(validator=non_blank)
    amount: Decimal = field(validator=_positive)
    currency: str = "EUR"


@frozen(field_transformer=checked_fields)
class Acceptance:
    """The customer's agreement to the quote ("accord du devis"): when, and by whom."""

    accepted_on: date
    accepted_by: str = field(validator=non_blank)


@frozen(field_transformer=checked_fields)
class Window:
    """When the console may open: from ``start`` until ``end`` (excluded)."""

    start: datetime = field(validator=_aware)
    end: datetime = field(validator=_aware)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise InvalidInput(
                Text("the window must end after it starts ({start})", start=self.start),
                field="end",
                text=self.end.isoformat(),
            )

    def __contains__(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@frozen(field_transformer=checked_fields)
class Report:
    """The end-of-intervention report ("compte rendu de fin d'intervention"), the customer
    address it was sent to, and when."""

    text: str = field(validator=non_blank)
    sent_to: str = field(validator=_address)
    sent_at: datetime = field(validator=_aware)


@frozen(field_transformer=checked_fields)
class BreakGlass:
    """One break-glass console intervention on a configuration (see the module)."""

    id: BreakGlassId = field(validator=identifier)
    configuration: ConfigurationId = field(validator=identifier)
    request: WrittenRequest
    state: State = State.REQUESTED
    quote: Quote | None = None
    acceptance: Acceptance | None = None
    window: Window | None = None
    customer_present: str | None = None
    technician: ActorId | None = None
    opened_at: datetime | None = None
    actions: int = 0
    report: Report | None = None

    def _require(self, *states: State, doing: str) -> None:
        if self.state not in states:
            raise Conflict(
                Text(
                    "break-glass intervention {id} is {state}: one cannot {doing} now",
                    id=self.id,
                    state=self.state.value,
                    doing=doing,
                )
            )

    def quoted(self, quote: Quote) -> BreakGlass:
        self._require(State.REQUESTED, State.QUOTED, doing=Text("quote it"))
        return evolve(self, quote=quote, state=State.QUOTED)

    def accepted(self, acceptance: Acceptance) -> BreakGlass:
        self._require(State.QUOTED, doing=Text("accept its quote"))
        return evolve(self, acceptance=acceptance, state=State.ACCEPTED)

    def scheduled(self, window: Window, customer_present: str, technician: ActorId) -> BreakGlass:
        """Plan the window, with the customer's person who will be present and the
        technician who will intervene (a scheduled window may be moved until it opens)."""
        self._require(State.ACCEPTED, State.SCHEDULED, doing=Text("schedule it"))
        if not customer_present.strip():
            raise InvalidInput(Text("must not be blank"), field="customer_present", text="")
        if not str(technician).strip():
            raise InvalidInput(Text("must not be blank"), field="technician", text="")
        return evolve(
            self,
            window=window,
            customer_present=customer_present.strip(),
            technician=technician,
            state=State.SCHEDULED,
        )

    def opened(self, now: datetime) -> BreakGlass:
        """The console session of the window begins (again, if it was already open)."""
        refusal = console_refusal(self, now)
        if refusal is not None:
            raise Conflict(refusal)
        if self.state is State.OPEN:
            return self
        return evolve(self, state=State.OPEN, opened_at=now)

    def acted(self, now: datetime) -> BreakGlass:
        """One more action taken in the window (journaled by the caller)."""
        self._require(State.OPEN, doing=Text("act in it"))
        refusal = console_refusal(self, now)
        if refusal is not None:
            raise Conflict(refusal)
        return evolve(self, actions=self.actions + 1)

    def closed(self, report: Report) -> BreakGlass:
        """Close with the end-of-intervention report sent to the customer."""
        self._require(State.SCHEDULED, State.OPEN, doing=Text("close it"))
        return evolve(self, report=report, state=State.CLOSED)


def console_refusal(record: BreakGlass | None, now: datetime) -> Text | None:
    """Why the console may not open at ``now`` through ``record``; ``None`` if it may."""
    require_aware(now, "now")
    if record is None:
        return Text(
            "after the transition the console opens only through a break-glass intervention: "
            "a written request, a paid ticket with an accepted quote, a scheduled window and "
            "a person of the customer present"
        )
    missing = [
        what
        for what, held in (
            (Text("a paid ticket with its quote"), record.quote is not None),
            (Text("the customer's acceptance of the quote"), record.acceptance is not None),
            (Text("a scheduled window"), record.window is not None),
            (Text("a person of the customer present"), bool(record.customer_present)),
            (Text("the technician"), record.technician is not None),
        )
        if not held
    ]
    if missing:
        listed = missing[0]
        for more in missing[1:]:
            listed = Text("{first}, {more}", first=listed, more=more)
        return Text("break-glass intervention {id} lacks {missing}", id=record.id, missing=listed)
    if record.state is State.CLOSED:
        return Text("break-glass intervention {id} is closed", id=record.id)
    window = record.window
    if window is not None and now not in window:
        return Text(
            "break-glass intervention {id} opens the console from {start} until {end} only",
            id=record.id,
            start=window.start.isoformat(),
            end=window.end.isoformat(),
        )
    return None
