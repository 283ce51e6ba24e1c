"""``caredomain pickup``: daycare pickups with HopHop (seed 001), the operator's side.

* ``pickup load DAYCARE.toml`` saves a daycare file (the pickups page of the documentation
  describes it): the organisation, its installations, groups, parents and children;
* ``pickup link INSTALLATION --email E --password-env VAR [--create]`` links an
  installation's HopHop account ("Activer"): green, or red with why;
* ``pickup sync`` sends each linked account what changed ("Synchroniser les données");
* ``pickup alerts --installation I [--group G]`` lists the alerts a tablet shows;
* ``pickup call|ready|depart PICKUP`` are the taps Appeler, Prêt (HopHop tells the parent)
  and Départ;
* ``pickup approve CHILD`` accepts the photo changes waiting on a child's file;
* ``pickup activations --installation I`` lists the children white or orange, and who is
  missing;
* ``pickup tick`` makes the alerts now due ring and the stale pickups expire;
* ``pickup serve`` receives HopHop's webhooks (uvicorn) and ticks every few seconds.

The commands that talk to HopHop (``link``, ``sync``, ``ready``, ``serve``) build the
platform a plugin offers (``--platform``, default ``hophop``) from its settings: the
``[hophop]`` table of ``--settings FILE`` and ``--set KEY=VALUE`` (``url``, ``token_env``,
``webhook_secret_env``…, as the HopHop page of the documentation lists them).

The command line acts as an administrator of the store it opens (``--db``); times are shown
on the daycare's wall clock.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

from attrs import field, frozen

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import (
    OPERATOR,
    Console,
    choose_organisation,
    existing_sqlite_url,
    operator,
    read_file,
    sqlite_url,
)
from caredomain.cli.i18n import N_, _, ngettext
from caredomain.cli.options import Shared, add_group_options, subcommand_maker, whole_number
from caredomain.errors import InvalidInput
from caredomain.events import Event
from caredomain.organisation import Organisation
from caredomain.pickup import Activation, Pickup, PickupEvent, View
from caredomain.pickup.daycare import Daycare, load_daycare
from caredomain.pickup.model import AccountSettings, Child, ChildId, GroupId, InstallationId, Parent
from caredomain.pickup.ports import HopHopPlatform, PickupPlatformSpec, pickup_unit_of_work
from caredomain.pickup.services import (
    HOPHOP_ACTOR,
    SyncReport,
    activations,
    approve_child,
    call_child,
    hophop_accounts,
    link_account,
    pickup_alerts,
    ready_child,
    release_child,
    set_up_daycare,
    sync_hophop,
    tick_pickups,
)
from caredomain.secret import Secret
from caredomain.serialization import parse_toml, structure
from caredomain.services import ServiceContext, configure_organisation

__all__ = [
    "add_parser",
    "daycare_counts",
    "show_activation",
    "show_alert",
    "show_sync",
]

log = logging.getLogger("caredomain.cli.pickup")

DEFAULT_PLATFORM = "hophop"
TICK_SECONDS = 5


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "pickup", help=COMMANDS["pickup"].help, description=COMMANDS["pickup"].help
    )
    shared = Shared(db=True, organisation=True)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="pickup_command", required=True, metavar="COMMAND")
    command = subcommand_maker(commands, shared)

    load = command("load", N_("save a daycare file: installations, groups, parents, children"))
    load.add_argument(
        "daycare",
        help=N_(
            "the daycare's TOML file: its installations with their HopHop accounts, groups, "
            "parents and children (the pickups page of the documentation describes it)"
        ),
    )
    load.set_defaults(run=_load)

    link = command("link", N_("link an installation to its HopHop account"))
    link.add_argument("installation", help=N_("the installation's id"))
    link.add_argument(
        "--email",
        help=N_("the account's e-mail (default: the one the daycare file gives, with --daycare)"),
    )
    link.add_argument(
        "--password-env",
        required=True,
        metavar="VAR",
        help=N_("the environment variable holding the account's password"),
    )
    link.add_argument(
        "--create", action="store_true", help=N_("create the account rather than link one")
    )
    link.add_argument(
        "--daycare",
        metavar="FILE",
        help=N_("the daycare file whose installation gives the e-mail and the settings"),
    )
    _platform_options(link)
    link.set_defaults(run=_link)

    accounts = command(
        "accounts", N_("each installation's HopHop account: green, or red and why"), json=True
    )
    accounts.set_defaults(run=_accounts)

    sync = command("sync", N_("send each linked HopHop account what changed"), json=True)
    _platform_options(sync)
    sync.set_defaults(run=_sync)

    alerts = command("alerts", N_("the alerts a tablet shows"), json=True)
    alerts.add_argument("--installation", required=True, help=N_("the installation's id"))
    alerts.add_argument("--group", help=N_("only this group's alerts: its id"))
    alerts.set_defaults(run=_alerts)

    for name, help, tap in (
        ("call", N_("Appeler: start preparing the child"), "call"),
        ("ready", N_("Prêt: the child is ready; HopHop tells the parent"), "ready"),
        ("depart", N_("Départ: the child left"), "depart"),
    ):
        sub = command(name, help)
        sub.add_argument("pickup", help=N_("the pickup's id, as `pickup alerts` lists it"))
        sub.add_argument(
            "--by",
            metavar="NAME",
            help=N_("who taps, kept in the journal (who released which child); default cli"),
        )
        if tap == "ready":
            _platform_options(sub)
        sub.set_defaults(run=_tap, tap=tap)

    approve = command("approve", N_("accept the photo changes waiting on a child's file"))
    approve.add_argument("child", help=N_("the child's id"))
    approve.set_defaults(run=_approve)

    listed = command(
        "activations", N_("the children white or orange, and the parents missing"), json=True
    )
    listed.add_argument("--installation", required=True, help=N_("the installation's id"))
    listed.set_defaults(run=_activations)

    tick = command("tick", N_("ring the alerts now due, expire the stale pickups"), json=True)
    tick.set_defaults(run=_tick)

    serve = command("serve", N_("receive HopHop's webhooks, and tick every few seconds"))
    serve.add_argument(
        "--host", default="127.0.0.1", help=N_("the address to listen on (default 127.0.0.1)")
    )
    serve.add_argument(
        "--port",
        type=whole_number("--port", least=0, most=65535),
        default=8000,
        help=N_("the port to listen on (default 8000)"),
    )
    serve.add_argument(
        "--every",
        type=whole_number("--every", least=1),
        default=TICK_SECONDS,
        metavar="SECONDS",
        help=N_("seconds between two ticks (default 5)"),
    )
    _platform_options(serve)
    serve.set_defaults(run=_serve)


def _platform_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--platform",
        default=DEFAULT_PLATFORM,
        help=N_("the pickup platform, by the name `caredomain plugins` shows (default hophop)"),
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help=N_(
            "a TOML file whose [hophop] table sets the platform (the HopHop page of the "
            "documentation lists the settings)"
        ),
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=N_("a platform setting (url=http://127.0.0.1:8080, token_env=HOPHOP_TOKEN…)"),
    )


# -- what the subcommands share ----------------------------------------------------------------


@frozen
class _SettingsFile:
    """A settings file: its ``[hophop]`` table; other tables are another tool's business."""

    hophop: dict[str, str] = field(factory=dict)


def platform_settings(args: argparse.Namespace) -> dict[str, str]:
    """The platform's settings: ``--set`` over the ``[hophop]`` table of ``--settings``."""
    values: dict[str, str] = {}
    if args.settings:
        document = parse_toml(read_file(args.settings), source=args.settings)
        table = {"hophop": document.get("hophop", {})}
        values = structure(table, _SettingsFile, source=args.settings).hophop
    for item in args.set:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise InvalidInput(_("expected KEY=VALUE"), field="--set", text=item)
        values[key.strip()] = value
    return values


def _located(error: InvalidInput, args: argparse.Namespace, given: Mapping[str, str]) -> NoReturn:
    """Raise ``error`` located in the settings file when the setting at fault came from it."""
    if (
        args.settings
        and error.field in given
        and not any(item.partition("=")[0].strip() == error.field for item in args.set)
    ):
        raise InvalidInput(
            error.message, source=args.settings, field=f"hophop.{error.field}", text=error.text
        ) from None
    raise error


def _spec(console: Console, args: argparse.Namespace) -> PickupPlatformSpec:
    specs = console.plugins().pickup_platform_specs()
    spec = specs.get(args.platform)
    if spec is None:
        offered = ", ".join(sorted(specs)) or _("none")
        refused = _("no plugin offers this pickup platform (offered: {offered})")
        raise InvalidInput(refused.format(offered=offered), field="--platform", text=args.platform)
    return spec


def _platform(console: Console, args: argparse.Namespace) -> HopHopPlatform:
    spec = _spec(console, args)
    settings = platform_settings(args)
    try:
        return spec.create(settings)
    except InvalidInput as error:
        _located(error, args, settings)


def _close(platform: object) -> None:
    close = getattr(platform, "close", None)
    if callable(close):
        close()


@contextmanager
def _context(console: Console, url: str) -> Iterator[ServiceContext]:
    plugins = console.plugins()
    store = plugins.open_store(url)
    try:
        yield ServiceContext(store=store, publish=plugins.publish)
    finally:
        store.close()


def _daycare(context: ServiceContext, wanted: str | None) -> Organisation:
    """The daycare to work on: an organisation with installations."""
    with pickup_unit_of_work(context.store, write=False) as uow:
        ids = [i for i in uow.organisations.ids() if uow.pickup.installations(i)]
        return uow.organisations.get(choose_organisation(ids, wanted))


@frozen
class _Files:
    children: dict[str, Child]
    parents: dict[str, Parent]
    groups: dict[str, str]  # id -> name


def _files(context: ServiceContext, organisation_id: str) -> _Files:
    with pickup_unit_of_work(context.store, write=False) as uow:
        return _Files(
            {c.id: c for c in uow.pickup.children(organisation_id)},
            {p.id: p for p in uow.pickup.parents(organisation_id)},
            {g.id: g.name for g in uow.pickup.groups(organisation_id)},
        )


def _clock(moment: datetime | None, organisation: Organisation) -> str:
    return "--:--" if moment is None else organisation.local(moment).strftime("%H:%M")


def daycare_counts(daycare: Daycare) -> str:
    """``2 installation(s), 3 group(s), 4 child(ren), 5 parent(s)``."""
    installations, groups = len(daycare.installations), len(daycare.groups)
    children, parents = len(daycare.children), len(daycare.parents)
    return ", ".join(
        (
            ngettext("{n} installation(s)", "{n} installation(s)", installations).format(
                n=installations
            ),
            ngettext("{n} group(s)", "{n} group(s)", groups).format(n=groups),
            ngettext("{n} child(ren)", "{n} child(ren)", children).format(n=children),
            ngettext("{n} parent(s)", "{n} parent(s)", parents).format(n=parents),
        )
    )


# -- the subcommands ---------------------------------------------------------------------------


def _load(args: argparse.Namespace, console: Console) -> int:
    path = Path(args.daycare)
    daycare = load_daycare(read_file(path), source=str(path))
    with _context(console, sqlite_url(args.db)) as context:
        configure_organisation(context, OPERATOR, daycare.organisation)
        set_up_daycare(
            context,
            OPERATOR,
            daycare.organisation.id,
            installations=daycare.installations,
            groups=daycare.groups,
            children=daycare.children,
            parents=daycare.parents,
        )
    organisation = daycare.organisation
    console.print(f"{organisation.name} ({organisation.id}): {daycare_counts(daycare)}")
    return 0


def _link(args: argparse.Namespace, console: Console) -> int:
    email: str | None = args.email
    settings: AccountSettings | None = None
    if args.daycare:
        held = load_daycare(read_file(args.daycare), source=args.daycare).account(args.installation)
        if held is None:
            refused = _("the daycare file names no HopHop account for this installation")
            raise InvalidInput(refused, source=args.daycare, text=args.installation)
        email, settings = email or held.email, held.settings
    if email is None:
        raise InvalidInput(_("give the account's e-mail, or the daycare file"), field="--email")
    password = console.environ.get(args.password_env, "")
    if not password:
        raise InvalidInput(
            _("the environment variable is not set"), field="--password-env", text=args.password_env
        )
    platform = _platform(console, args)
    try:
        with _context(console, existing_sqlite_url(args.db)) as context:
            organisation = _daycare(context, args.organisation)
            account = link_account(
                context,
                OPERATOR,
                organisation.id,
                InstallationId(args.installation),
                email=email,
                password=Secret(password),
                platform=platform,
                create=args.create,
                settings=settings,
            )
    finally:
        _close(platform)
    if account.problem is None:
        console.print(
            _("{installation}: {email} linked (green)").format(
                installation=account.installation, email=account.email
            )
        )
        return 0
    console.print(
        _("{installation}: {email} not linked (red): {problem}").format(
            installation=account.installation, email=account.email, problem=account.problem.value
        )
    )
    return 1


def _accounts(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        listed = hophop_accounts(context, OPERATOR, organisation.id)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "accounts": [
                    {
                        "installation": installation.id,
                        "display_name": installation.display_name,
                        "email": account.email if account else None,
                        "link": account.link.value if account else None,
                        "problem": account.problem.value if account and account.problem else None,
                    }
                    for installation, account in listed
                ],
            }
        )
        return 0
    console.print(_("{organisation}: HopHop accounts").format(organisation=organisation.name))
    for installation, account in listed:
        if account is None:
            line = _("{installation}: no account linked yet")
        elif account.problem is None:
            line = _("{installation}: {email} green")
        else:
            line = _("{installation}: {email} red ({problem})")
        console.print(
            "  "
            + line.format(
                installation=installation.id,
                email=account.email if account else "",
                problem=account.problem.value if account and account.problem else "",
            )
        )
    return 0


def show_sync(report: SyncReport) -> list[str]:
    """One line an installation: what was sent, or why it was skipped."""
    lines = []
    for installation, change in sorted(report.pushed.items()):
        lines.append(
            _("{installation}: {added} added, {changed} changed, {removed} removed").format(
                installation=installation,
                added=len(change.added),
                changed=len(change.changed),
                removed=len(change.removed),
            )
        )
    for installation, problem in sorted(report.skipped.items()):
        lines.append(
            _("{installation}: skipped, the link is red ({problem})").format(
                installation=installation, problem=problem.value
            )
        )
    return lines


def _sync(args: argparse.Namespace, console: Console) -> int:
    platform = _platform(console, args)
    try:
        with _context(console, existing_sqlite_url(args.db)) as context:
            organisation = _daycare(context, args.organisation)
            report = sync_hophop(context, OPERATOR, organisation.id, platform)
    finally:
        _close(platform)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "pushed": {
                    installation: {
                        "added": [record.reference for record in change.added],
                        "changed": [record.reference for record in change.changed],
                        "removed": list(change.removed),
                    }
                    for installation, change in sorted(report.pushed.items())
                },
                "skipped": {i: p.value for i, p in sorted(report.skipped.items())},
            }
        )
        return 0
    console.print(_("{organisation}: sync with HopHop").format(organisation=organisation.name))
    for line in show_sync(report):
        console.print("  " + line)
    return 0


def show_alert(pickup: Pickup, files: _Files, organisation: Organisation) -> str:
    """One alert: its id, when due, the child and her group, the parent, the arrival."""
    child = files.children.get(pickup.child)
    parent = files.parents.get(pickup.parent)
    group = files.groups.get(child.group, child.group) if child else "?"
    return _(
        "{id}  due {due}  {child} ({group}), {parent} arrives {arrival} ({mode}): {status}"
    ).format(
        id=pickup.id,
        due=_clock(pickup.due_at, organisation),
        child=child.full_name if child else pickup.child,
        group=group,
        parent=parent.full_name if parent else pickup.parent,
        arrival=_clock(pickup.arrival, organisation),
        mode=pickup.mode.value,
        status=pickup.status.value,
    )


def _alert_json(pickup: Pickup, files: _Files) -> dict[str, Any]:
    child = files.children.get(pickup.child)
    parent = files.parents.get(pickup.parent)
    return {
        "id": pickup.id,
        "child": pickup.child,
        "child_name": child.full_name if child else None,
        "group": child.group if child else None,
        "parent": pickup.parent,
        "parent_name": parent.full_name if parent else None,
        "mode": pickup.mode.value,
        "arrival": pickup.arrival,
        "due_at": pickup.due_at,
        "status": pickup.status.value,
        "sequence": pickup.alerts,
    }


def _installation(context: ServiceContext, organisation_id: str, wanted: str) -> InstallationId:
    """``--installation``, if the daycare has it: an unknown one would list nothing."""
    with pickup_unit_of_work(context.store, write=False) as uow:
        known = [installation.id for installation in uow.pickup.installations(organisation_id)]
    if wanted not in known:
        refused = _("no such installation (known: {known})").format(known=", ".join(known))
        raise InvalidInput(refused, field="--installation", text=wanted)
    return InstallationId(wanted)


def _alerts(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        installation = _installation(context, organisation.id, args.installation)
        view = View(installation, GroupId(args.group) if args.group else None)
        alerts = pickup_alerts(context, OPERATOR, organisation.id, view)
        files = _files(context, organisation.id)
        now = context.clock.now()
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "installation": view.installation,
                "group": view.group,
                "as_of": organisation.local(now),
                "alerts": [_alert_json(pickup, files) for pickup in alerts],
            }
        )
        return 0
    where = view.installation + (
        f" / {files.groups.get(view.group, view.group)}" if view.group else ""
    )
    heading = ngettext("{where}: {n} alert", "{where}: {n} alerts", len(alerts))
    console.print(heading.format(where=where, n=len(alerts)))
    for pickup in alerts:
        console.print("  " + show_alert(pickup, files, organisation))
    return 0


def _tap(args: argparse.Namespace, console: Console) -> int:
    actor = operator(args.by)
    platform = _platform(console, args) if args.tap == "ready" else None
    try:
        with _context(console, existing_sqlite_url(args.db)) as context:
            organisation = _daycare(context, args.organisation)
            if args.tap == "call":
                pickup = call_child(context, actor, organisation.id, args.pickup)
            elif args.tap == "ready" and platform is not None:
                pickup = ready_child(context, actor, organisation.id, args.pickup, platform)
            else:
                pickup = release_child(context, actor, organisation.id, args.pickup)
            files = _files(context, organisation.id)
            now = context.clock.now()
    finally:
        _close(platform)
    child = files.children.get(pickup.child)
    done = {
        "call": _("{child} called at {time}"),
        "ready": _("{child} ready at {time}; HopHop tells the parent"),
        "depart": _("{child} left at {time}, released by {actor}"),
    }[args.tap]
    line = done.format(
        child=child.full_name if child else pickup.child,
        time=_clock(now, organisation),
        actor=pickup.released_by,
    )
    console.print(f"{pickup.id}: {line}")
    return 0


def _approve(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        child = approve_child(context, OPERATOR, organisation.id, ChildId(args.child))
    console.print(_("{child}: photo changes approved").format(child=child.full_name))
    return 0


def show_activation(activation: Activation) -> str:
    """``white  Léa Tremblay`` or ``orange Florence Roy-Côté: missing Mathieu Côté (…)``,
    and whether a photo waits for the centre's approval."""
    child = activation.child
    waiting = "  " + _("(photo awaiting approval)") if child.awaiting_approval else ""
    if activation.complete:
        return _("white   {child}").format(child=child.full_name) + waiting
    missing = ", ".join(f"{p.full_name} <{p.email}>" for p in activation.not_activated)
    line = _("orange  {child}: not activated by {parents}").format(
        child=child.full_name, parents=missing
    )
    return line + waiting


def _activations(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        installation = _installation(context, organisation.id, args.installation)
        listed = activations(context, OPERATOR, organisation.id, installation)
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "installation": args.installation,
                "children": [
                    {
                        "child": a.child.id,
                        "name": a.child.full_name,
                        "colour": a.colour,
                        "awaiting_approval": sorted(a.child.awaiting_approval),
                        "missing": [
                            {"parent": p.id, "name": p.full_name, "email": p.email}
                            for p in a.not_activated
                        ],
                    }
                    for a in listed
                ],
            }
        )
        return 0
    orange = sum(1 for a in listed if not a.complete)
    heading = ngettext(
        "{installation}: {n} child, {orange} orange",
        "{installation}: {n} children, {orange} orange",
        len(listed),
    )
    console.print(heading.format(installation=args.installation, n=len(listed), orange=orange))
    for activation in listed:
        console.print("  " + show_activation(activation))
    return 0


def _event_json(event: Event) -> dict[str, Any]:
    pickup = event.pickup_id if isinstance(event, PickupEvent) else None
    return {"kind": event.kind, "pickup": pickup}


def _tick(args: argparse.Namespace, console: Console) -> int:
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        events = tick_pickups(context, HOPHOP_ACTOR, organisation.id)
        now = context.clock.now()
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "at": organisation.local(now),
                "events": [_event_json(event) for event in events],
            }
        )
        return 0
    heading = ngettext("{organisation}: {n} event", "{organisation}: {n} events", len(events))
    console.print(heading.format(organisation=organisation.name, n=len(events)))
    for event in events:
        console.print(f"  {event.kind} {_event_json(event)['pickup'] or ''}".rstrip())
    return 0


def _serve(args: argparse.Namespace, console: Console) -> int:
    spec = _spec(console, args)
    if spec.receiver is None:
        refused = _("this pickup platform sends no webhooks")
        raise InvalidInput(refused, field="--platform", text=args.platform)
    extra = _("serving HopHop's webhooks needs the hophop extra: pip install 'caredomain[hophop]'")
    try:
        import uvicorn
    except ImportError:
        raise InvalidInput(extra) from None
    given = platform_settings(args)
    with _context(console, existing_sqlite_url(args.db)) as context:
        organisation = _daycare(context, args.organisation)
        try:
            app = spec.receiver(context, given, console.environ)
        except ImportError:
            raise InvalidInput(extra) from None
        except InvalidInput as error:
            _located(error, args, given)
        stop = threading.Event()
        ticker = threading.Thread(
            target=_ticking,
            args=(context, organisation.id, timedelta(seconds=args.every), stop),
            name="pickup-tick",
            daemon=True,
        )
        config = uvicorn.Config(
            app, host=args.host, port=args.port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        path = spec.receiver_path.format(organisation=organisation.id)
        console.info(
            _("receiving HopHop's webhooks at http://{host}:{port}{path}; Ctrl-C stops").format(
                host=args.host, port=args.port, path=path
            )
        )
        console.out.flush()
        ticker.start()
        try:
            server.run()
        except KeyboardInterrupt:  # uvicorn shut down gracefully, then passes Ctrl-C on
            pass
        finally:
            stop.set()
            ticker.join(timeout=30)
    console.info(_("stopped"))
    return 0


def _ticking(
    context: ServiceContext, organisation_id: str, every: timedelta, stop: threading.Event
) -> None:
    """``tick_pickups`` every ``every`` until ``stop``; a failed tick is logged, not fatal."""
    while not stop.wait(every.total_seconds()):
        try:
            events = tick_pickups(context, HOPHOP_ACTOR, organisation_id)
        except Exception:
            log.exception("tick of %s failed", organisation_id)
            continue
        for event in events:
            log.info("%s %s", event.kind, _event_json(event)["pickup"] or "")
