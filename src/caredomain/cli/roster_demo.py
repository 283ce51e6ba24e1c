"""The roster chapter of ``caredomain demo`` (seed 000, FAQ 1): a cardiology ward with a
published planning; the GTT feed, dropped in a folder, puts a nurse on sick leave; she is
unassigned automatically, her post shows ``0/1``, and its candidates are listed."""

from __future__ import annotations

import importlib.resources
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from attrs import evolve

from caredomain.cli.demo_run import DemoRun
from caredomain.cli.i18n import _, ngettext, shown
from caredomain.cli.roster import show_candidates, show_post
from caredomain.clock import FixedClock
from caredomain.organisation import PARIS, Organisation, OrganisationId
from caredomain.roster import load_ward
from caredomain.roster import services as roster_services
from caredomain.roster.ports import FolderReader, roster_unit_of_work
from caredomain.services import configure_organisation

__all__ = ["SAMPLE_EXPORTS", "SAMPLE_WARD", "roster_chapter"]

SAMPLE_WARD = "sample_ward.toml"
SAMPLE_EXPORTS = ("GTT_20261122_180000.csv", "GTT_20261123_100000.csv")
SAMPLE_NOW = datetime(2026, 11, 23, 12, tzinfo=PARIS)
"""When the sample exports are applied: the feed refuses dates far from its clock's (see
:mod:`caredomain.roster.plausible`), and the story is that of 23 November 2026."""


def roster_chapter(demo: DemoRun) -> None:
    """Load the sample ward, then apply the two sample GTT exports through the folder
    source, and show the vacancy the second one opens, with its candidates."""
    console, context = demo.console, demo.context
    data = importlib.resources.files("caredomain.data")
    ward = load_ward(data.joinpath(SAMPLE_WARD).read_text("utf-8"), source=SAMPLE_WARD)
    with roster_unit_of_work(context.store) as uow:
        uow.roster.clear()  # each run of the demo starts from the sample ward
        uow.commit()
    hospital = Organisation(
        OrganisationId("ch-sarreguemines"),
        "Centre hospitalier de Sarreguemines",
        configuration=demo.organisation.configuration,  # a base beside the town hall's
    )
    configure_organisation(context, demo.admin, hospital)
    roster_services.set_up_ward(context, demo.admin, ward, source=SAMPLE_WARD)
    (planning,) = ward.plannings
    heading = _("Roster: {unit}, planning {planning} ({status})").format(
        unit=planning.unit, planning=planning.id, status=planning.status
    )
    console.print(f"== {heading}")
    agents = ngettext("{n} agents", "{n} agents", len(ward.agents)).format(n=len(ward.agents))
    posts = ngettext("{n} posts", "{n} posts", len(ward.posts)).format(n=len(ward.posts))
    feed = _("feed {schedule}").format(schedule=shown(str(ward.settings.feed_schedule)))
    console.print(f"{agents}, {posts}; {feed}")

    spec = demo.plugins.feed_reader_specs().get("gtt-csv")
    reader = spec.create({}) if spec is not None else None
    if not isinstance(reader, FolderReader):
        console.print(_("no GTT reader plugin (caredomain_gtt) is loaded: the feed is skipped"))
        return
    with tempfile.TemporaryDirectory(prefix="caredomain-gtt-") as inbox:
        for name in SAMPLE_EXPORTS:
            with importlib.resources.as_file(data.joinpath(name)) as sample:
                shutil.copy(sample, Path(inbox) / name)
        dropped = _("GTT exports dropped in the feed folder: {files}")
        console.print(dropped.format(files=", ".join(SAMPLE_EXPORTS)))
        replay = evolve(context, clock=FixedClock(SAMPLE_NOW))
        runs = roster_services.process_folder(replay, reader.folder(inbox))
    for run in runs:
        console.print()
        zone = ward.settings.zone
        for line in run.run.lines(zone) if run.run else [f"{run.source}: {shown(run.error or '')}"]:
            console.print(shown(line).replace(str(Path(run.source).parent) + "/", ""))
    with roster_unit_of_work(context.store, write=False) as uow:
        roster = roster_services.load_roster(uow)
    console.print()
    console.print(_("Vacant posts and their candidates:"))
    for post in roster_services.vacancies(context, demo.admin):
        console.print("  " + show_post(post, roster.unit_of(post), roster.settings.zone))
        found = roster_services.find_candidates(context, demo.admin, post.id, limit=3, explain=True)
        show_candidates(console, found, "    ", roster)
