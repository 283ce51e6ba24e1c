"""``caredomain gtt``: apply GTT export files, watch a drop folder on the feed schedule, and
list the files applied.

The reader comes from the plugins (``gtt-csv``, from ``caredomain_gtt``, by default); its
settings from ``--settings FILE`` (a TOML file with a ``[gtt]`` table) and ``--set KEY=VALUE``.
These, and the common options (``--db``, ``-v``, ``-q``, ``--json``), go after the
subcommand's word; before it, where earlier versions took them, they are still accepted.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from attrs import field, frozen

from caredomain.cli import roster_json
from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import OPERATOR, Console, existing_sqlite_url, key_values, read_file
from caredomain.cli.i18n import N_, _, shown
from caredomain.cli.options import (
    Shared,
    add_group_options,
    subcommand_maker,
    whole_number,
)
from caredomain.cli.progress import Progress
from caredomain.cli.roster import roster_zone, show_candidates, show_post
from caredomain.errors import InvalidInput
from caredomain.roster import FeedReport, FeedSchedule, RosterSettings
from caredomain.roster import services as roster_services
from caredomain.roster.ports import FeedReader, FeedReaderSpec, FolderReader, roster_unit_of_work
from caredomain.roster.services.feed import FeedRun, FolderRun
from caredomain.serialization import parse_toml, structure
from caredomain.services import ServiceContext

__all__ = ["add_parser"]

log = logging.getLogger(__name__)

DEFAULT_READER = "gtt-csv"
DEFAULT_SCHEDULE = "every 1h"


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "gtt", help=COMMANDS["gtt"].help, description=COMMANDS["gtt"].help
    )
    shared = Shared(db=True)
    add_group_options(parser, shared)
    _reader_options(parser, suppress=False)
    commands = parser.add_subparsers(dest="gtt_command", required=True, metavar="COMMAND")

    with_options = subcommand_maker(commands, shared)

    def command(name: str, help: str, *, json: bool = False) -> argparse.ArgumentParser:
        sub = with_options(name, help, json=json)
        _reader_options(sub, suppress=True)
        return sub

    apply = command("apply", N_("apply export files, in the order given"), json=True)
    apply.add_argument("files", nargs="+", metavar="FILE", help=N_("a GTT export file"))
    apply.add_argument(
        "--candidates",
        type=whole_number("--candidates"),
        default=3,
        help=N_("candidates shown per post left vacant (default 3; 0: none)"),
    )
    apply.set_defaults(run=_apply)

    watch = command("watch", N_("apply the files dropped in a folder"))
    watch.add_argument("folder", metavar="DIR", help=N_("the folder the GTT drops its exports in"))
    when = watch.add_mutually_exclusive_group()
    when.add_argument("--every", help=N_("every so many hours: 2h (default: the roster's, or 1h)"))
    when.add_argument("--at", help=N_("at set times of day: 06:00,12:00,18:00"))
    watch.add_argument("--once", action="store_true", help=N_("process the folder once and stop"))
    watch.add_argument(
        "--runs", type=whole_number("--runs", least=1), help=N_("stop after this many runs")
    )
    watch.set_defaults(run=_watch)

    history = command("history", N_("the files the folder source applied"), json=True)
    history.add_argument(
        "--limit", type=whole_number("--limit"), default=20, help=N_("files listed (default 20)")
    )
    history.set_defaults(run=_history)


def _reader_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The reader's options, before the subcommand word (with their defaults) and after it
    (without: a value given there replaces the one given before)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--reader",
        default=default(DEFAULT_READER),
        help=N_("the feed reader, by the name `caredomain plugins` shows (default gtt-csv)"),
    )
    parser.add_argument(
        "--settings",
        default=default(None),
        help=N_(
            "a TOML file whose [gtt] table sets the reader (the roster page of the "
            "documentation lists the settings)"
        ),
    )
    parser.add_argument(
        "--set",
        action="append",
        default=default([]),
        metavar="KEY=VALUE",
        help=N_("a reader setting (encoding=cp1252, delimiter=',', policy=lenient…)"),
    )


@frozen
class _SettingsFile:
    """A settings file: its ``[gtt]`` table; other tables are another tool's business."""

    gtt: dict[str, str] = field(factory=dict)


@frozen
class _Session:
    context: ServiceContext
    reader: FeedReader


def _file_settings(path: str) -> dict[str, str]:
    """The ``[gtt]`` table of the TOML file ``path``, text values only (as ``--set`` gives
    them); other tables are left to the tools that read them."""
    document = parse_toml(read_file(path), source=path)
    return structure({"gtt": document.get("gtt", {})}, _SettingsFile, source=path).gtt


def _set_settings(args: argparse.Namespace) -> dict[str, str]:
    return key_values(args.set)


def _reader(spec: FeedReaderSpec, args: argparse.Namespace) -> FeedReader:
    """The reader from its settings, ``--set`` over the file's; a setting the reader
    refuses from the file is located there, with its path (``gtt.trim``)."""
    from_file = _file_settings(args.settings) if args.settings else {}
    given = _set_settings(args)
    try:
        return spec.create({**from_file, **given})
    except InvalidInput as error:
        if error.field not in from_file or error.field in given:
            raise
        raise InvalidInput(
            error.message, source=args.settings, field=f"gtt.{error.field}", text=error.text
        ) from None


@contextmanager
def _session(args: argparse.Namespace, console: Console) -> Iterator[_Session]:
    plugins = console.plugins()
    specs = plugins.feed_reader_specs()
    spec = specs.get(args.reader)
    if spec is None:
        offered = ", ".join(sorted(specs)) or _("none")
        refused = _("no plugin offers this feed reader (offered: {offered})")
        raise InvalidInput(refused.format(offered=offered), field="--reader", text=args.reader)
    reader = _reader(spec, args)
    store = plugins.open_store(existing_sqlite_url(args.db))  # the ward is loaded first
    try:
        yield _Session(ServiceContext(store=store, publish=plugins.publish), reader)
    finally:
        store.close()


def _vacancies(console: Console, session: _Session, report: FeedReport, limit: int) -> None:
    if not report.vacated:
        return
    with roster_unit_of_work(session.context.store, write=False) as uow:
        roster = roster_services.load_roster(uow)
    console.print("  " + _("vacant posts:"))
    for post in report.vacated:
        current = roster.post(post.id)
        console.print("    " + show_post(current, roster.unit_of(current), roster.settings.zone))
        if limit > 0:
            found = roster_services.find_candidates(session.context, OPERATOR, post.id, limit=limit)
            show_candidates(console, found, "      ", roster)


def _apply(args: argparse.Namespace, console: Console) -> int:
    failed = False
    documents: list[dict[str, Any]] = []
    with _session(args, console) as session, console.progress() as progress:
        zone = roster_zone(session.context)
        for number, source in enumerate(args.files, start=1):
            applying = _("applying {file} (file {number} of {count})")
            progress.show(applying.format(file=source, number=number, count=len(args.files)))
            started = time.monotonic()
            try:
                run = roster_services.apply_gtt_file(
                    session.context,
                    session.reader.read,
                    source,
                    recognise=roster_services.recognising(session.reader),
                    chunks=roster_services.chunking(session.reader),
                )
            except InvalidInput as error:
                progress.clear()
                console.error(str(error))
                documents.append({"file": source, "error": str(error)})
                failed = True
                continue
            progress.clear()
            log.info("%s: applied in %.1f s", source, time.monotonic() - started)
            report = run.report
            failed = failed or (report is not None and report.refused)
            if console.json:
                documents.append(_applied_document(session, source, run, args.candidates))
                continue
            for line in run.lines(zone):
                console.print(line)
            if report is not None and not report.refused:
                _vacancies(console, session, report, args.candidates)
    if console.json:
        console.emit({"files": documents})
    return 2 if failed else 0


def _applied_document(
    session: _Session, source: str, run: FeedRun, candidates: int
) -> dict[str, Any]:
    """A file's outcome, its posts left vacant with their candidates."""
    with roster_unit_of_work(session.context.store, write=False) as uow:
        roster = roster_services.load_roster(uow)
    zone = roster.settings.zone
    vacancies = []
    for post in run.report.vacated if run.report and not run.report.refused else ():
        current = roster.post(post.id)
        vacancy = roster_json.post(current, roster.unit_of(current), zone)
        if candidates > 0:
            found = roster_services.find_candidates(
                session.context, OPERATOR, post.id, limit=candidates
            )
            vacancy.update(roster_json.candidate_list(found, roster))
        vacancies.append(vacancy)
    return {
        "file": source,
        "error": None,
        **roster_json.feed_run(run, zone),
        "vacancies": vacancies,
    }


def _schedule(args: argparse.Namespace, session: _Session) -> FeedSchedule:
    with roster_unit_of_work(session.context.store, write=False) as uow:
        settings = uow.roster.settings()
    zone = (settings or RosterSettings()).zone
    if args.every is not None:
        return FeedSchedule.parse(f"every {args.every}", zone)
    if args.at is not None:
        return FeedSchedule.parse(f"at {args.at}", zone)
    if settings is not None and settings.feed_schedule is not None:
        return settings.feed_schedule
    return FeedSchedule.parse(DEFAULT_SCHEDULE, zone)


def _watch(args: argparse.Namespace, console: Console) -> int:
    with _session(args, console) as session:
        reader = session.reader
        if not isinstance(reader, FolderReader):
            refused = _("this feed reader cannot watch a folder")
            raise InvalidInput(refused, field="--reader", text=args.reader)
        folder = reader.folder(args.folder)
        schedule = _schedule(args, session)
        console.info(
            _("watching {folder} {schedule}").format(
                folder=args.folder, schedule=shown(str(schedule))
            )
        )
        done = 0
        try:
            while True:
                with console.progress() as progress:
                    progress.show(_("applying the files in {folder}").format(folder=args.folder))
                    outcomes = roster_services.process_folder(session.context, folder)
                    _show_outcomes(console, progress, outcomes, schedule)
                done += 1
                if args.once or (args.runs is not None and done >= args.runs):
                    return 0
                now = session.context.clock.now()
                (next_run,) = schedule.next_runs(now, 1)
                at = next_run.isoformat(timespec="minutes")
                console.info(_("next run at {time}").format(time=at))
                time.sleep(max(0.0, (next_run - now).total_seconds()))
        except KeyboardInterrupt:
            console.info(_("stopped"))
            return 0


def _show_outcomes(
    console: Console, progress: Progress, outcomes: Iterable[FolderRun], schedule: FeedSchedule
) -> None:
    for outcome in outcomes:
        progress.clear()
        console.print(f"{outcome.source} -> {outcome.moved_to}")
        if outcome.error:
            console.print(f"  {shown(outcome.error)}")
        elif outcome.run is not None:
            for line in outcome.run.lines(schedule.zone)[1:]:
                console.print(line)


def _history(args: argparse.Namespace, console: Console) -> int:
    with _session(args, console) as session:
        batches = roster_services.applied_batches(session.context, OPERATOR, args.limit)
        zone = roster_zone(session.context)
    if console.json:
        console.emit({"files": [roster_json.applied_batch(batch, zone) for batch in batches]})
        return 0
    if not batches:
        console.print(_("no file applied yet"))
    for batch in batches:
        applied = batch.applied_at.astimezone(zone).isoformat(timespec="seconds")
        extracted = batch.extracted_at.astimezone(zone).isoformat(timespec="minutes")
        line = _("{applied}  {file} (extracted {extracted}): {summary}").format(
            applied=applied, file=batch.source, extracted=extracted, summary=batch.summary
        )
        console.print(line)
    return 0
