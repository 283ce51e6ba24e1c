"""The access chapter of ``caredomain demo`` (seed 002): a customer's configuration with two
bases, its administrator through the transition, and a break-glass intervention.

The town of Metz has one configuration with two bases, its registry office and its social
action centre; the vendor's operator sets it up with the console password and records Marie
DUPONT, whom the town designated ("MDU (Marie DUPONT)" is shown "Marie DUPONT"). On
2024-05-15, in the transition, the console password opens Administrator mode; Marie sets her
own password. On 2024-08-01 the console password opens it no more; hers does. On
2024-08-01 a clerk who is not the administrator asks the desk to create a user: Administrator
mode does it, so the ticket is closed referring her to Marie, in copy. On
2024-08-08 a technician intervenes in console mode: a written request, a paid SP ticket and
its quote, the town's acceptance, a window with Marie present, one action journaled, the
report sent. The audit journal that recorded it all is verified.

The chapter's clock is fixed; a second run adds a second story to the journal (the journal
never forgets), with Marie's own password where the first run set it. Metz is a customer of
its own, beside the demo's town hall: its bases are two organisations of its configuration.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from attrs import evolve

from caredomain.access import Actor, ActorId, Everywhere, Role
from caredomain.access import services as access
from caredomain.access.breakglass import Acceptance, Quote, Window, WrittenRequest
from caredomain.access.catalogue import load_catalogue
from caredomain.access.configurations import UserId
from caredomain.access.modes import Mode
from caredomain.access.ports import access_unit_of_work
from caredomain.access.routing import AdministratorStatus, Period, SupportCall, route_call
from caredomain.cli.access_support import show_routing
from caredomain.cli.demo_run import DemoRun
from caredomain.cli.i18n import _, shown
from caredomain.clock import FixedClock
from caredomain.errors import Forbidden
from caredomain.organisation import PARIS, ConfigurationId, Organisation, OrganisationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext

__all__ = ["access_chapter"]

METZ = ConfigurationId("ville-metz")
MARIE = UserId("mdupont")
CONSOLE = Secret("pupitre-demo-2024")
OWN = Secret("marie-a-choisi-2024")
OPERATOR = Actor(
    ActorId("eig-operator"),
    {Role.TECHNICIAN},
    name="EIG",
    configuration=Everywhere("the vendor's operator provisions every customer's configuration"),
)
LUC = Actor(ActorId("tech-luc"), {Role.TECHNICIAN}, name="Luc", configuration=METZ)
MARIE_ACTOR = Actor(ActorId(MARIE), {Role.ADMINISTRATOR}, name="Marie DUPONT", configuration=METZ)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


def access_chapter(demo: DemoRun) -> None:
    """Play the configuration's transition and a break-glass intervention."""
    console = demo.console
    clock = FixedClock(_at(date(2024, 3, 1), time(9, 0)))
    context = evolve(demo.context, clock=clock)
    settings = access.AccessSettings()
    console.print("== " + _("Access: a configuration, its administrator, the transition"))
    access.configure_configuration(
        context,
        OPERATOR,
        METZ,
        name="Ville de Metz",
        bases=[
            Organisation(OrganisationId("metz-etat-civil"), "Metz — État civil"),
            Organisation(OrganisationId("metz-ccas"), "Metz — CCAS"),
        ],
        console_password=CONSOLE,
        settings=settings,
    )
    access.designate_administrator(
        context, OPERATOR, METZ, MARIE, full_name="MDU (Marie DUPONT)", settings=settings
    )
    [view] = [
        v for v in access.configurations_overview(context, OPERATOR) if v.configuration.id == METZ
    ]
    console.print(
        _("{name}: bases {bases}; administrator {who}").format(
            name=view.configuration.name, bases=", ".join(view.bases), who=view.administrator_name
        )
    )

    clock.set(_at(date(2024, 5, 15), time(10, 0)))
    with access_unit_of_work(context.store, write=False) as uow:
        has_own = uow.access.configuration(METZ).administrator_password is not None
    session = access.enter(
        context, MARIE_ACTOR, METZ, Mode.ADMINISTRATOR, CONSOLE, settings=settings
    )
    console.print(
        _("2024-05-15, transition: the console password opens Administrator mode ({via})").format(
            via=session.via.value
        )
    )
    access.change_administrator_password(
        context, MARIE_ACTOR, METZ, current=OWN if has_own else CONSOLE, new=OWN, settings=settings
    )
    console.print(_("Marie DUPONT sets her own password (never shown, stored as argon2id)"))

    clock.set(_at(date(2024, 8, 1), time(10, 0)))
    try:
        access.enter(context, MARIE_ACTOR, METZ, Mode.ADMINISTRATOR, CONSOLE, settings=settings)
    except Forbidden as refused:
        console.print(
            _("2024-08-01: the console password is refused: {reason}").format(
                reason=shown(str(refused))
            )
        )
    session = access.enter(context, MARIE_ACTOR, METZ, Mode.ADMINISTRATOR, OWN, settings=settings)
    console.print(_("2024-08-01: her own password opens it ({via})").format(via=session.via.value))

    _support_call(demo)
    _breakglass(demo, context, clock, settings)

    checked = access.verify_audit(context, MARIE_ACTOR, METZ)
    console.print(
        _("Audit journal: {n} entries, chain verified ({head})").format(
            n=checked.count, head=str(checked.head)[:20] + "…"
        )
        if checked.ok
        else _("Audit journal: verification failed: {reason}").format(
            reason=shown(str(checked.reason))
        )
    )


def _support_call(demo: DemoRun) -> None:
    """Seed 002's desk: a caller who is not the administrator asks for what Administrator
    mode does; the ticket is closed, referring her to Marie, in copy."""
    call = SupportCall.about(
        load_catalogue(),
        function="configurator.users",
        release="2024.07",
        ticket_id="T-2024-0801",
        at=_at(date(2024, 8, 1), time(14, 30)),
        caller="Paul MARTIN",
        caller_is_administrator=False,
        manual=True,
        period=Period.AFTER,
        administrator=AdministratorStatus.AVAILABLE,
        administrator_name="Marie DUPONT",
    )
    demo.console.print(
        _("2024-08-01: {caller} calls the desk to create a user").format(caller=call.caller)
    )
    show_routing(demo.console, route_call(call))


def _breakglass(
    demo: DemoRun, context: ServiceContext, clock: FixedClock, settings: access.AccessSettings
) -> None:
    console = demo.console
    clock.set(_at(date(2024, 8, 2), time(11, 0)))
    try:
        access.enter(context, LUC, METZ, Mode.CONSOLE, CONSOLE, settings=settings)
    except Forbidden as refused:
        console.print(
            _("2024-08-02: console mode refused: {reason}").format(reason=shown(str(refused)))
        )
    record = access.request_breakglass(
        context, LUC, METZ, WrittenRequest("LR-2024-081", date(2024, 8, 2))
    )
    access.quote_breakglass(
        context, LUC, METZ, record.id, Quote("SP-4471", "DEV-2024-190", Decimal("450.00"))
    )
    access.accept_breakglass(
        context, LUC, METZ, record.id, Acceptance(date(2024, 8, 5), "Marie DUPONT")
    )
    start = _at(date(2024, 8, 8), time(9, 0))
    access.schedule_breakglass(
        context,
        LUC,
        METZ,
        record.id,
        Window(start, start + timedelta(hours=2)),
        customer_present="Marie DUPONT",
        technician=LUC.id,
    )
    console.print(
        _(
            "break-glass {id}: written request LR-2024-081, ticket SP-4471 quoted 450.00 EUR, "
            "accepted, window 2024-08-08 09:00–11:00 with Marie DUPONT present"
        ).format(id=record.id)
    )
    clock.set(start + timedelta(minutes=10))
    session = access.enter(
        context, LUC, METZ, Mode.CONSOLE, CONSOLE, window=record.id, settings=settings
    )
    access.act_in_window(context, LUC, METZ, session.id, "rights of the CCAS users repaired")
    clock.set(start + timedelta(minutes=50))
    closed = access.close_breakglass(
        context,
        LUC,
        METZ,
        record.id,
        report="Rights of the CCAS users repaired, Marie DUPONT present.",
        sent_to="mdupont@metz.fr",
    )
    console.print(
        _(
            "09:10 console opened in the window; 1 action journaled; "
            "09:50 closed, report sent to {to}"
        ).format(to=closed.report.sent_to if closed.report else "")
    )
