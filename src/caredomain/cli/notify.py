"""``caredomain notify``: dispatch the outbox, look into it, preview the texts.

* ``notify dispatch [--once]`` sends the due messages; without ``--once`` it keeps
  watching the outbox (every ``--interval`` seconds) until interrupted;
* ``notify outbox`` counts the messages by status and lists each dead letter with its error;
* ``notify requeue (--all | KEY…)`` puts dead letters back to pending, due now, with their
  attempts counted from zero (all of them or none);
* ``notify preview --event KIND [--type TYPE]`` renders a kind's texts with sample values.

Senders come from the ``[notifications]`` section of ``--config`` (an organisation's
configuration file); a channel it leaves out goes to the embedded default next to the
database: a Maildir folder ``<db>-mail/`` and a JSON-lines file ``<db>-sms.jsonl``.

The common options (``--db``, ``-v``, ``-q``, ``--json``, and ``--organisation`` for
``preview``) go after the action's word.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import (
    Console,
    choose_organisation,
    existing_sqlite_url,
    read_file,
)
from caredomain.cli.i18n import N_, _, ngettext
from caredomain.cli.options import Shared, add_command_options, add_group_options, whole_number
from caredomain.cli.progress import Progress
from caredomain.clock import Clock
from caredomain.configuration import Configuration, load_configuration
from caredomain.errors import InvalidInput
from caredomain.interventions.ports import interventions_unit_of_work
from caredomain.notifications.configuration import NotificationConfiguration, SenderChoice
from caredomain.notifications.outbox import OutboxStatus
from caredomain.notifications.ports import Sender, notifications_unit_of_work
from caredomain.notifications.services import (
    NOTIFIER_ACTOR,
    DispatchReport,
    OutboxSummary,
    dispatch_notifications,
    outbox_summary,
    preview_notifications,
    requeue_dead_letters,
    senders_for,
)
from caredomain.organisation import Organisation, OrganisationId
from caredomain.plugins import Plugins
from caredomain.ports import Store
from caredomain.serialization import unstructure
from caredomain.services import ServiceContext
from caredomain.slots.ports import slots_unit_of_work

__all__ = ["add_parser", "embedded_senders", "run_dispatch", "sender_paths"]


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "notify", help=COMMANDS["notify"].help, description=COMMANDS["notify"].help
    )
    shared = Shared(db=True)
    add_group_options(parser, shared)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(
        sub: argparse.ArgumentParser, *, json: bool = True, organisation: bool = False
    ) -> None:
        add_command_options(sub, shared, json=json, organisation=organisation)
        sub.add_argument(
            "--config",
            help=N_(
                "an organisation's configuration file (TOML) whose [notifications] section "
                "chooses the senders; default: the embedded Maildir and SMS file next to --db"
            ),
        )

    dispatch = actions.add_parser("dispatch", help=N_("send the due messages"))
    common(dispatch)
    dispatch.add_argument("--once", action="store_true", help=N_("one pass, then exit"))
    dispatch.add_argument(
        "--interval", type=float, default=30.0, help=N_("seconds between passes (default 30)")
    )
    dispatch.set_defaults(run=_dispatch)

    outbox = actions.add_parser("outbox", help=N_("messages by status, and the dead letters"))
    common(outbox)
    outbox.add_argument(
        "--limit",
        type=whole_number("--limit"),
        default=50,
        help=N_("dead letters shown (default 50)"),
    )
    outbox.set_defaults(run=_outbox)

    requeue = actions.add_parser("requeue", help=N_("put dead letters back to pending"))
    common(requeue)
    requeue.add_argument("keys", nargs="*", metavar="KEY", help=N_("a dead letter's key"))
    requeue.add_argument("--all", action="store_true", help=N_("every dead letter"))
    requeue.set_defaults(run=_requeue)

    preview = actions.add_parser("preview", help=N_("a kind's texts with sample values"))
    common(preview, organisation=True)
    preview.add_argument(
        "--event",
        required=True,
        help=N_("a kind such as appointment.created, or AppointmentBooked"),
    )
    preview.add_argument("--type", help=N_("an appointment type id: its own settings, if any"))
    preview.set_defaults(run=_preview)


# -- shared -----------------------------------------------------------------------------------


def sender_paths(db: str | Path) -> dict[str, Path]:
    """Where the embedded senders write for the store ``db``: ``<db>-mail/`` (a Maildir)
    and ``<db>-sms.jsonl``, next to it."""
    path = Path(db).resolve()
    return {
        "mail": path.with_name(f"{path.stem}-mail"),
        "sms": path.with_name(f"{path.stem}-sms.jsonl"),
    }


def embedded_senders(db: str | Path) -> dict[str, SenderChoice]:
    """The embedded default sender of each channel for the store ``db``."""
    paths = sender_paths(db)
    return {
        "mail": SenderChoice("maildir", {"path": str(paths["mail"])}),
        "sms": SenderChoice("sms-file", {"path": str(paths["sms"])}),
    }


def _configuration(path: str | None) -> Configuration | None:
    if path is None:
        return None
    return load_configuration(read_file(path), source=path)


def _senders(
    plugins: Plugins,
    db: str,
    configuration: NotificationConfiguration,
    environ: Mapping[str, str],
    source: str | None,
) -> dict[str, Sender]:
    choices = {**embedded_senders(db), **configuration.senders()}
    return senders_for(plugins, choices, environ, source=source)


def _describe(report: DispatchReport) -> str:
    lost = _(", {n} taken over by another dispatcher") if report.lost else ""
    deferred = ""
    if report.deferred:
        deferred = _(", {n} not offered (the connection failed; no attempt charged)")
    counts = _("{claimed} claimed: {sent} sent, {retried} to retry, {dead} dead-lettered").format(
        claimed=report.claimed, sent=report.sent, retried=report.retried, dead=report.dead
    )
    return counts + deferred.format(n=report.deferred) + lost.format(n=report.lost)


def run_dispatch(
    context: ServiceContext,
    senders: Mapping[str, Sender],
    configuration: NotificationConfiguration,
) -> DispatchReport:
    """One pass over the due messages with the configuration's batch size and retries."""
    return dispatch_notifications(
        context,
        NOTIFIER_ACTOR,
        senders,
        retry=configuration.retry,
        batch_size=configuration.batch_size,
        lease=configuration.lease,
    )


def _open(console: Console, db: str) -> tuple[Plugins, Store]:
    plugins = console.plugins()
    return plugins, plugins.open_store(existing_sqlite_url(db))


# -- the actions -------------------------------------------------------------------------------


def _dispatch(args: argparse.Namespace, console: Console) -> int:
    if not math.isfinite(args.interval):
        refused = _("expected a finite number")
        raise InvalidInput(refused, field="--interval", text=str(args.interval))
    if args.interval <= 0:
        refused = _("must be more than zero seconds")
        raise InvalidInput(refused, field="--interval", text=str(args.interval))
    configuration = _configuration(args.config)
    settings = configuration.notifications if configuration else NotificationConfiguration()
    plugins, store = _open(console, args.db)
    try:
        senders = _senders(plugins, args.db, settings, console.environ, args.config)
        for channel, sender in sorted(senders.items()):
            console.info(f"{channel:<5} {sender!r}")
        context = ServiceContext(store=store)
        with console.progress() as progress:
            return _passes(
                args,
                console,
                progress,
                lambda: run_dispatch(context, senders, settings),
                context.clock,
            )
    finally:
        store.close()


def _passes(
    args: argparse.Namespace,
    console: Console,
    progress: Progress,
    dispatch: Callable[[], DispatchReport],
    clock: Clock,
) -> int:
    """Dispatch passes until ``--once`` is done or the user interrupts; with ``--json``, one
    document a pass, on one line each (a single document with ``--once``)."""
    number = 0
    while True:
        number += 1
        progress.show(_("dispatching the outbox, pass {number}").format(number=number))
        report = dispatch()
        at = clock.now().astimezone()
        if report.claimed or args.once:
            progress.clear()
            if console.json:
                console.emit({"at": at, **unstructure(report)}, one_line=not args.once)
            else:
                console.print(f"{at:%Y-%m-%d %H:%M:%S}  {_describe(report)}")
        if args.once:
            return 0
        pause = _("pass {number} done, next in {seconds} s")
        progress.show(pause.format(number=number, seconds=f"{args.interval:g}"))
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            progress.clear()
            console.info(_("stopped"))
            return 0


def _outbox(args: argparse.Namespace, console: Console) -> int:
    if args.limit < 0:
        raise InvalidInput(_("must be zero or more"), field="--limit", text=str(args.limit))
    _plugins, store = _open(console, args.db)
    try:
        summary = outbox_summary(ServiceContext(store=store), NOTIFIER_ACTOR, dead_limit=args.limit)
    finally:
        store.close()
    if console.json:
        console.emit(_outbox_document(store.url, summary))
        return 0
    console.print(_("outbox of {url}").format(url=store.url))
    for status in OutboxStatus:
        console.print(f"  {status.value:<10} {summary.counts.get(status, 0)}")
    if summary.next_due is not None:
        console.print(_("next due   {time}").format(time=summary.next_due.isoformat()))
    dead = summary.counts.get(OutboxStatus.DEAD, 0)
    if dead:
        console.print(_("dead letters ({n}):").format(n=dead))
        for message in summary.dead:
            line = ngettext(
                "{key}  {kind} by {channel} to {recipient}, {n} attempt(s)",
                "{key}  {kind} by {channel} to {recipient}, {n} attempt(s)",
                message.attempts,
            )
            console.print(
                "  "
                + line.format(
                    key=message.key,
                    kind=message.kind,
                    channel=message.channel,
                    recipient=message.recipient or "-",
                    n=message.attempts,
                )
            )
            console.print(f"      {message.last_error}")
    return 0


def _outbox_document(url: str, summary: OutboxSummary) -> dict[str, Any]:
    return {
        "store": url,
        "counts": {status.value: summary.counts.get(status, 0) for status in OutboxStatus},
        "next_due": summary.next_due,
        "dead": [
            {
                "key": message.key,
                "kind": message.kind,
                "channel": message.channel,
                "recipient": message.recipient,
                "attempts": message.attempts,
                "last_error": message.last_error,
            }
            for message in summary.dead
        ],
    }


def _requeue(args: argparse.Namespace, console: Console) -> int:
    if args.all == bool(args.keys):
        refused = _("name the dead letters to requeue by key, or give --all (not both)")
        raise InvalidInput(refused, field="requeue", text=" ".join(args.keys))
    _plugins, store = _open(console, args.db)
    try:
        keys = None if args.all else list(dict.fromkeys(args.keys))
        requeued = requeue_dead_letters(ServiceContext(store=store), NOTIFIER_ACTOR, keys)
    finally:
        store.close()
    if console.json:
        console.emit({"requeued": requeued})
        return 0
    if not requeued:
        console.print(_("no dead letter to requeue"))
        return 0
    requeued_text = ngettext(
        "requeued {n} dead letter(s), due now:",
        "requeued {n} dead letter(s), due now:",
        len(requeued),
    )
    console.print(requeued_text.format(n=len(requeued)))
    for key in requeued:
        console.print(f"  {key}")
    return 0


def _preview(args: argparse.Namespace, console: Console) -> int:
    configuration = _configuration(args.config)
    _plugins, store = _open(console, args.db)
    try:
        context = ServiceContext(store=store)
        organisation = _organisation(store, configuration, args.organisation)
        if args.type is not None:
            _known_type(store, configuration, organisation, args.type)
        previews = preview_notifications(
            context, NOTIFIER_ACTOR, organisation, args.event, args.type
        )
    finally:
        store.close()
    first = previews[0]
    if console.json:
        console.emit(
            {
                "organisation": organisation.id,
                "kind": first.kind,
                "label": first.label,
                "type": args.type,
                "previews": [
                    {
                        "channel": preview.channel,
                        "enabled": preview.enabled,
                        "subject": preview.subject,
                        "body": preview.body,
                    }
                    for preview in previews
                ],
            }
        )
        return 0
    scope = _(" for type {type}").format(type=args.type) if args.type else ""
    console.print(
        _("{kind} ({label}){scope}, {organisation}, sample values").format(
            kind=first.kind, label=first.label, scope=scope, organisation=organisation.name
        )
    )
    for preview in previews:
        state = _("sent") if preview.enabled else _("not sent")
        console.print()
        console.print(f"-- {preview.channel} ({state})")
        if preview.subject:
            console.print(_("Subject: {subject}").format(subject=preview.subject))
        for line in preview.body.splitlines():
            console.print(f"  {line}".rstrip())
    return 0


def _organisation(
    store: Store, configuration: Configuration | None, wanted: str | None
) -> Organisation:
    if configuration is not None and wanted in (None, configuration.organisation.id):
        return configuration.organisation
    chosen = choose_organisation(_ids(store), wanted, holding=_notifying(store))
    with store.unit_of_work(write=False) as uow:
        return uow.organisations.get(chosen)


def _known_type(
    store: Store, configuration: Configuration | None, organisation: Organisation, wanted: str
) -> None:
    """Refuse ``--type`` unless the organisation has that appointment type: the global
    settings previewed for a type misspelt would pass for its own."""
    if configuration is not None and configuration.organisation.id == organisation.id:
        types = configuration.slots.types
    else:
        with slots_unit_of_work(store, write=False) as uow:
            settings = uow.slots.settings(organisation.id)
        types = settings.types if settings is not None else ()
    known = [kind.id for kind in types]
    if wanted not in known:
        refused = _("no such appointment type (known: {known})")
        raise InvalidInput(
            refused.format(known=", ".join(known) or _("none")), field="--type", text=wanted
        )


def _ids(store: Store) -> list[str]:
    with store.unit_of_work(write=False) as uow:
        return list(uow.organisations.ids())


def _notifying(store: Store) -> list[str]:
    """The organisations whose events are notified: those with notification settings, with
    appointment slots, or with home care (a daycare's pickups send no notification)."""
    with notifications_unit_of_work(store, write=False) as uow:
        ids = uow.organisations.ids()
        configured = {i for i in ids if uow.notifications.settings_data(i) is not None}
    with slots_unit_of_work(store, write=False) as uow:
        booking = {i for i in ids if uow.slots.settings(OrganisationId(i)) is not None}
    with interventions_unit_of_work(store, write=False) as uow:
        caring = set(uow.interventions.agencies())
    return [i for i in ids if i in configured | booking | caring]
