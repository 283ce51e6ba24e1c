"""Where the support desk sends a call about a configuration's functions (seed 002, "Les
changements pour l'assistance"), as one pure decision: :func:`route_call`.

"Lors d'un appel téléphonique, le technicien EIG doit vérifier si l'appelant est
l'administrateur ou pas." A non-administrator whose request needs a manual intervention on
a function of Administrator mode is referred to the administrator, the ticket closed with
the template "Renvoi vers l'administrateur configurateur" and the administrator in copy if
known; the administrator herself is pointed to the wiki's supports; a function absent from
Administrator mode gets a new subject and sub-subject and goes N3 then R&D. When the
technician must intervene: during the transition the request is written first, and if
Administrator mode cannot do it, the ticket goes N3 and R&D under "Système applicatifs" /
"configurateur eig"; from July, with the administrator unavailable or not designated, a
written request becomes a paid SP ticket with a quote, then a scheduled intervention with a
person of the customer present, and a report.

The decision, first rule that applies (the whole table is in docs/access.md)::

    no manual intervention needed                 -> ANSWER
    function absent from Administrator mode:
        after the transition                      -> NEW_SUBJECT_ESCALATION
        transition, written request               -> CONFIGURATOR_ESCALATION
        transition, not written                   -> WRITTEN_REQUEST_REQUIRED
    the administrator calls                       -> WIKI_SUPPORT
    the administrator is available                -> REFER_TO_ADMINISTRATOR
    not written                                   -> WRITTEN_REQUEST_REQUIRED
    transition                                    -> TECHNICIAN_INTERVENES
    after the transition                          -> PAID_INTERVENTION

Where the seed is silent, the least surprising outcome, each a decision of ours:

* No manual intervention needed (a question): the desk answers, as it always has
  (``ANSWER``, ticket closed at N1). The seed's rules are all about manual interventions.
* A caller who says she is the administrator while none is designated cannot be verified
  as one: she is routed as any other caller.
* An administrator "designated" but calling is available: she is the one calling.
* During the transition, a request the administrator could do but she is unavailable or
  not designated: the technician carries out the written request himself, in
  Administrator mode, which the console password still opens (``TECHNICIAN_INTERVENES``,
  N2) — the free counterpart of July's paid intervention.
* Wherever the seed requires a written request and there is none, the desk asks for it
  (``WRITTEN_REQUEST_REQUIRED``): a ticket waits for it at N1; the call is routed again
  once it has come (the SP ticket is created "dès réception").
* After the transition, a function absent from Administrator mode follows the seed's
  general rule (new subject, N3 then R&D) whoever calls and whether or not it is written:
  the R&D decides whether to move it to Administrator mode.
* Before the transition, Administrator mode is not open and none of this applies: the desk
  works as it always has, so :class:`Period` names only the transition and after it.
* The desk's subjects and response templates are its own names, in French, never
  translated; "Mode Administrateur" for the new subject (its sub-subject the function) and
  the templates other than the seed's are ours.
* Every call opens a ticket, closed at once where the desk's part is over: the desk keeps a
  trace of every call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from attrs import field, frozen

from caredomain.access.catalogue import FunctionCatalogue, Release, release
from caredomain.access.modes import Mode
from caredomain.access.tickets import Level, Ticket, TicketId
from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "CONFIGURATOR_SUBJECT",
    "CONFIGURATOR_SUB_SUBJECT",
    "NEW_SUBJECT",
    "RESPONSE_ANSWERED",
    "RESPONSE_REFERRED",
    "RESPONSE_WIKI",
    "AdministratorStatus",
    "Outcome",
    "Period",
    "Routing",
    "SupportCall",
    "outcome_text",
    "route_call",
]

CONFIGURATOR_SUBJECT = "Système applicatifs"
CONFIGURATOR_SUB_SUBJECT = "configurateur eig"
NEW_SUBJECT = "Mode Administrateur"
RESPONSE_REFERRED = "Renvoi vers l'administrateur configurateur"
RESPONSE_WIKI = "Orientation vers les supports wiki"
RESPONSE_ANSWERED = "Réponse apportée à l'appelant"


class Period(StrEnum):
    TRANSITION = "transition"  # Administrator mode opens with the console password too
    AFTER = "after"  # only the administrator's password; the console by break-glass only


class AdministratorStatus(StrEnum):
    NONE = "none"  # not designated yet
    DESIGNATED = "designated"  # designated, but not available for this request
    AVAILABLE = "available"  # designated and available


class Outcome(StrEnum):
    ANSWER = "answer"
    REFER_TO_ADMINISTRATOR = "refer_to_administrator"
    WIKI_SUPPORT = "wiki_support"
    NEW_SUBJECT_ESCALATION = "new_subject_escalation"
    CONFIGURATOR_ESCALATION = "configurator_escalation"
    WRITTEN_REQUEST_REQUIRED = "written_request_required"
    TECHNICIAN_INTERVENES = "technician_intervenes"
    PAID_INTERVENTION = "paid_intervention"


_OUTCOME_TEXTS = {
    Outcome.ANSWER: Text("the desk answers the caller; ticket closed at N1"),
    Outcome.REFER_TO_ADMINISTRATOR: Text(
        "refer the caller to the administrator; ticket closed, the administrator in copy"
    ),
    Outcome.WIKI_SUPPORT: Text("point the administrator to the wiki's supports; ticket closed"),
    Outcome.NEW_SUBJECT_ESCALATION: Text(
        "new subject and sub-subject; ticket escalated N3 then R&D"
    ),
    Outcome.CONFIGURATOR_ESCALATION: Text(
        "ticket escalated N3 then R&D under Système applicatifs / configurateur eig"
    ),
    Outcome.WRITTEN_REQUEST_REQUIRED: Text(
        "ask for a written request; the ticket waits for it, then the call is routed again"
    ),
    Outcome.TECHNICIAN_INTERVENES: Text(
        "a technician carries out the written request in Administrator mode (N2)"
    ),
    Outcome.PAID_INTERVENTION: Text(
        "paid SP ticket: a quote, then a scheduled intervention with a person of the "
        "customer present, then a report"
    ),
}


def outcome_text(outcome: Outcome) -> Text:
    """What ``outcome`` produces, in words."""
    return _OUTCOME_TEXTS[outcome]


def _period(value: object) -> Period:
    return member_of(Period, value, "period")


def _administrator(value: object) -> AdministratorStatus:
    return member_of(AdministratorStatus, value, "administrator")


def _release(value: str) -> Release:
    return release(value)


def _optional_name(instance: object, attribute: object, value: str | None) -> None:
    if value is not None and not value.strip():
        raise InvalidInput(Text("must not be blank"), field="administrator_name", text=value)


@frozen(kw_only=True, field_transformer=checked_fields)
class SupportCall:
    """A call to the desk, as the technician has understood it.

    ``in_administrator_mode`` is whether the function is available in Administrator mode
    at ``release`` (:meth:`about` reads it from the catalogue); ``manual`` whether the
    answer needs a manual intervention; ``administrator_name`` the administrator to put in
    copy, when the desk knows her. ``ticket_id`` and ``at`` are the ticket's id and the
    call's time (the core makes neither)."""

    ticket_id: TicketId = field(validator=identifier)
    at: datetime
    caller: str = field(validator=non_blank)
    caller_is_administrator: bool
    function: str = field(validator=non_blank)
    release: Release = field(converter=_release)
    in_administrator_mode: bool
    manual: bool
    period: Period = field(converter=_period)
    administrator: AdministratorStatus = field(converter=_administrator)
    administrator_name: str | None = field(default=None, validator=_optional_name)
    written: bool = False

    def __attrs_post_init__(self) -> None:
        if self.administrator is AdministratorStatus.NONE and self.administrator_name is not None:
            raise InvalidInput(
                Text("no administrator is designated: there is no one to name"),
                field="administrator_name",
                text=self.administrator_name,
            )

    @classmethod
    def about(
        cls,
        catalogue: FunctionCatalogue,
        *,
        function: str,
        release: str,
        ticket_id: str,
        at: datetime,
        caller: str,
        caller_is_administrator: bool,
        manual: bool,
        period: Period | str,
        administrator: AdministratorStatus | str,
        administrator_name: str | None = None,
        written: bool = False,
    ) -> SupportCall:
        """A call about ``function``, whether it is in Administrator mode at ``release``
        read from ``catalogue`` (NotFound for a function it does not list)."""
        return cls(
            ticket_id=TicketId(ticket_id),
            at=at,
            caller=caller,
            caller_is_administrator=caller_is_administrator,
            function=function,
            release=Release(release),
            in_administrator_mode=catalogue.available(function, Mode.ADMINISTRATOR, release),
            manual=manual,
            period=period,
            administrator=administrator,
            administrator_name=administrator_name,
            written=written,
        )

    @property
    def copy(self) -> tuple[str, ...]:
        """The administrator, when she is designated and the desk knows her name."""
        known = self.administrator is not AdministratorStatus.NONE
        return (self.administrator_name,) if known and self.administrator_name else ()


@frozen
class Routing:
    """Where a call goes: the outcome, the ticket it opens, why, the subject and
    sub-subjects the desk must first create (``creates``), and what comes next."""

    outcome: Outcome
    ticket: Ticket
    reason: str
    creates: tuple[str, ...] = ()
    next_step: str | None = None


def _absent(call: SupportCall) -> bool:
    return not call.in_administrator_mode


def _verified_administrator(call: SupportCall) -> bool:
    return call.caller_is_administrator and call.administrator is not AdministratorStatus.NONE


_RULES: tuple[tuple[Callable[[SupportCall], bool], Outcome], ...] = (
    (lambda call: not call.manual, Outcome.ANSWER),
    (lambda call: _absent(call) and call.period is Period.AFTER, Outcome.NEW_SUBJECT_ESCALATION),
    (lambda call: _absent(call) and call.written, Outcome.CONFIGURATOR_ESCALATION),
    (_absent, Outcome.WRITTEN_REQUEST_REQUIRED),
    (_verified_administrator, Outcome.WIKI_SUPPORT),
    (
        lambda call: call.administrator is AdministratorStatus.AVAILABLE,
        Outcome.REFER_TO_ADMINISTRATOR,
    ),
    (lambda call: not call.written, Outcome.WRITTEN_REQUEST_REQUIRED),
    (lambda call: call.period is Period.TRANSITION, Outcome.TECHNICIAN_INTERVENES),
    (lambda call: True, Outcome.PAID_INTERVENTION),
)
"""The decision, in the module's order: the first rule whose test holds gives the outcome."""


def route_call(call: SupportCall) -> Routing:
    """The one decision (see the module) and the ticket it opens."""
    outcome = next(outcome for applies, outcome in _RULES if applies(call))
    return _PRODUCE[outcome](call)


def _opened(
    call: SupportCall,
    level: Level = Level.N1,
    *,
    subject: str = CONFIGURATOR_SUBJECT,
    sub_subject: str | None = None,
    copied: bool = True,
    written: bool = True,
) -> Ticket:
    return Ticket.open(
        call.ticket_id,
        caller=call.caller,
        subject=subject,
        sub_subject=sub_subject or CONFIGURATOR_SUB_SUBJECT,
        at=call.at,
        level=level,
        copy=call.copy if copied else (),
        written=written,
    )


def _answer(call: SupportCall) -> Routing:
    return Routing(
        Outcome.ANSWER,
        _opened(call).close(RESPONSE_ANSWERED, call.at),
        Text("{function}: no manual intervention is needed", function=call.function),
    )


def _refer(call: SupportCall) -> Routing:
    return Routing(
        Outcome.REFER_TO_ADMINISTRATOR,
        _opened(call).close(RESPONSE_REFERRED, call.at),
        Text(
            "{function} is available in Administrator mode at {release}: the "
            "configuration's administrator does it",
            function=call.function,
            release=call.release,
        ),
    )


def _wiki(call: SupportCall) -> Routing:
    return Routing(
        Outcome.WIKI_SUPPORT,
        _opened(call, copied=False).close(RESPONSE_WIKI, call.at),
        Text(
            "the administrator does {function} herself in Administrator mode; the wiki's "
            "supports show how",
            function=call.function,
        ),
    )


def _new_subject(call: SupportCall) -> Routing:
    ticket = _opened(call, Level.N3, subject=NEW_SUBJECT, sub_subject=call.function)
    return Routing(
        Outcome.NEW_SUBJECT_ESCALATION,
        ticket.escalate(Level.RD, call.at),
        Text(
            "{function} is not available in Administrator mode at {release}",
            function=call.function,
            release=call.release,
        ),
        creates=(NEW_SUBJECT, call.function),
        next_step=Text("the R&D decides whether to declare it in Administrator mode"),
    )


def _configurator(call: SupportCall) -> Routing:
    return Routing(
        Outcome.CONFIGURATOR_ESCALATION,
        _opened(call, Level.N3).escalate(Level.RD, call.at),
        Text(
            "written request of the transition: {function} is not possible in "
            "Administrator mode at {release}",
            function=call.function,
            release=call.release,
        ),
        next_step=Text("the R&D carries out the request"),
    )


def _written_request(call: SupportCall) -> Routing:
    paid = call.period is Period.AFTER and call.in_administrator_mode
    return Routing(
        Outcome.WRITTEN_REQUEST_REQUIRED,
        _opened(call, written=False),
        Text("a technician's intervention on the configurator needs a written request"),
        next_step=(
            Text("on receipt, a paid SP ticket with a quote")
            if paid
            else Text("on receipt, route the call again as written")
        ),
    )


def _technician(call: SupportCall) -> Routing:
    return Routing(
        Outcome.TECHNICIAN_INTERVENES,
        _opened(call, Level.N2),
        Text(
            "transition: the administrator is not available; the console password opens "
            "Administrator mode, where {function} is available",
            function=call.function,
        ),
        next_step=Text("the technician carries out the request and closes the ticket"),
    )


def _paid(call: SupportCall) -> Routing:
    return Routing(
        Outcome.PAID_INTERVENTION,
        _opened(call, Level.SP),
        Text(
            "after the transition the administrator is not available for {function}: a "
            "technician's intervention is a paid service",
            function=call.function,
        ),
        next_step=Text(
            "send the quote; once accepted, schedule the intervention with a person of the "
            "customer present; send the report"
        ),
    )


_PRODUCE: Mapping[Outcome, Callable[[SupportCall], Routing]] = MappingProxyType(
    {
        Outcome.ANSWER: _answer,
        Outcome.REFER_TO_ADMINISTRATOR: _refer,
        Outcome.WIKI_SUPPORT: _wiki,
        Outcome.NEW_SUBJECT_ESCALATION: _new_subject,
        Outcome.CONFIGURATOR_ESCALATION: _configurator,
        Outcome.WRITTEN_REQUEST_REQUIRED: _written_request,
        Outcome.TECHNICIAN_INTERVENES: _technician,
        Outcome.PAID_INTERVENTION: _paid,
    }
)
