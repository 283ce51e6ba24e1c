"""Story: a cardiology ward fed by its hospital's GTT (seed 000, both FAQ cases).

The ward's published planning is loaded into the embedded SQLite store. The GTT drops its
exports (CSV, Windows-1252, ``;``) in a folder, which the feed takes in extraction-time order:

1. FAQ 1 — a nurse posted on Tuesday morning falls sick. The manager changes her code in the
   GTT; the next export brings ``MAL``; she is unassigned with no manual step, the post
   shows ``0/1``, and the manager finds who is available, competent and not posted.
2. FAQ 2 — a code changed in the scheduling tool is never sent to the GTT. Changed in the GTT
   too before the feed runs, the two merge; not changed there, the feed overwrites it, and
   the report says so.

Run it:  python examples/hospital_gtt_feed.py [FOLDER]

It writes ``hospital.db`` and ``gtt-inbox/`` in FOLDER, a new temporary folder by default.
"""

from __future__ import annotations

import importlib.resources
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from caredomain import Actor, ActorId, FixedClock, Role
from caredomain.organisation import ConfigurationId, Organisation, OrganisationId
from caredomain.plugins import load_plugins
from caredomain.roster import NOT_SENT_UPSTREAM, load_ward
from caredomain.roster import services as roster
from caredomain.roster.ports import FolderReader, roster_unit_of_work
from caredomain.services import ServiceContext, configure_organisation

PARIS = ZoneInfo("Europe/Paris")
MON, TUE, WED = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
CODES = {  # what the GTT says of each agent on Monday, Tuesday, Wednesday
    ("A1001", "Martin", "Claire"): ["M", "M", "RH"],
    ("A1002", "Bernard", "Julie"): ["S", "J", "S"],
    ("A1003", "Petit", "Thomas"): ["N", "N", "RH"],
    ("A1004", "Durand", "Sophie"): ["RH", "S", "RH"],
    ("A1005", "Leroy", "Nicolas"): ["RH", "J", "M"],
    ("A1006", "Moreau", "Camille"): ["CA", "RH", "N"],
    ("A1007", "Roux", "Emma"): ["RH", "J", "RH"],
    ("A2001", "Fournier", "Léa"): ["M", "RH", "M"],
    ("A2002", "Girard", "Hugo"): ["RH", "M", "RH"],
}


def gtt_export(inbox: Path, extracted: datetime, changes: dict[tuple[str, date], str]) -> None:
    """Write an export as the GTT does: its extraction time first, then one row per
    agent-day, in Windows-1252."""
    lines = [f"Extraction;{extracted:%d/%m/%Y %H:%M}", "Matricule;Nom;Prénom;Date;Code"]
    for (agent, name, first_name), codes in CODES.items():
        for day, usual in zip((MON, TUE, WED), codes, strict=True):
            code = changes.get((agent, day), usual)
            lines.append(f"{agent};{name};{first_name};{day:%d/%m/%Y};{code}")
    path = inbox / f"GTT_{extracted:%Y%m%d_%H%M%S}.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


def feed(context: ServiceContext, reader: FolderReader, inbox: Path) -> None:
    for outcome in roster.process_folder(context, reader.folder(str(inbox))):
        report = outcome.run.lines(PARIS) if outcome.run else [str(outcome.error)]
        print(report[0].replace(str(inbox) + os.sep, ""))
        for line in report[1:]:
            print(line)


HOSPITAL = ConfigurationId("sarreguemines")


def main() -> None:
    workdir = Path(sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="caredomain-gtt-"))
    plugins = load_plugins(os.environ)
    store = plugins.open_store(f"sqlite:///{workdir / 'hospital.db'}")
    clock = FixedClock(datetime(2026, 11, 22, 20, tzinfo=PARIS))
    context = ServiceContext(store=store, clock=clock, publish=plugins.publish)
    admin = Actor.administrator("admin", "Administrator", configuration=HOSPITAL)
    manager = Actor(
        ActorId("cadre-cardio"),
        {Role.MANAGER},
        services={"Cardiologie"},
        name="Cadre",
        configuration=HOSPITAL,
    )
    reader = plugins.feed_reader_specs()["gtt-csv"].create({"encoding": "cp1252"})
    assert isinstance(reader, FolderReader)
    inbox = workdir / "gtt-inbox"
    inbox.mkdir(exist_ok=True)

    with roster_unit_of_work(store) as uow:  # start the story afresh each time it runs
        uow.roster.clear()
        uow.commit()
    ward_text = importlib.resources.files("caredomain.data").joinpath("sample_ward.toml")
    ward = load_ward(ward_text.read_text("utf-8"), source="sample_ward.toml")
    # The ward names its hospital, a base of the customer's configuration (seed 002): only
    # the actors of that configuration act on its roster.
    hospital = Organisation(
        OrganisationId("ch-sarreguemines"), "Centre hospitalier", configuration=HOSPITAL
    )
    configure_organisation(context, admin, hospital)
    roster.set_up_ward(context, admin, ward)
    schedule = ward.settings.feed_schedule
    print(f"ward loaded: {len(ward.agents)} agents, {len(ward.posts)} posts, feed {schedule}")

    print("\n-- FAQ 1: a nurse posted on a published planning falls sick")
    gtt_export(inbox, datetime(2026, 11, 22, 18, tzinfo=PARIS), {})
    gtt_export(inbox, datetime(2026, 11, 23, 10, tzinfo=PARIS), {("A1001", TUE): "MAL"})
    feed(context, reader, inbox)
    for post in roster.vacancies(context, manager):
        found = roster.find_candidates(context, manager, post.id, limit=3)
        print(f"vacant: {post.id} {post.fill}")
        for number, candidate in enumerate(found.candidates, start=1):
            print(f"  candidate {number}: {candidate}")
        chosen = found.candidates[0].agent
        roster.assign(context, manager, post.id, chosen)
        print(f"assigned {chosen}: {roster.vacancies(context, manager) or 'no vacancy left'}")

    print("\n-- FAQ 2, case 1: changed in the tool, then the same change in the GTT")
    clock.set(datetime(2026, 11, 23, 11, tzinfo=PARIS))
    roster.edit_code_locally(context, manager, "A1005", WED, "CA")
    print(f"local edit A1005 {WED}: CA ({NOT_SENT_UPSTREAM})")
    pending = roster.pending_local_edits(context, manager)
    print(f"pending local edits: {', '.join(str(edit) for edit in pending)}")
    gtt_export(
        inbox,
        datetime(2026, 11, 23, 12, tzinfo=PARIS),
        {("A1001", TUE): "MAL", ("A1005", WED): "CA"},
    )
    feed(context, reader, inbox)

    print("\n-- FAQ 2, case 2: changed in the tool, the feed runs before the GTT is changed")
    roster.edit_code_locally(context, manager, "A1002", TUE, "RTT")
    pending = roster.pending_local_edits(context, manager)
    print(f"pending local edits: {', '.join(str(edit) for edit in pending)}")
    gtt_export(
        inbox,
        datetime(2026, 11, 23, 14, tzinfo=PARIS),
        {("A1001", TUE): "MAL", ("A1005", WED): "CA"},
    )
    feed(context, reader, inbox)
    print(f"pending local edits: {roster.pending_local_edits(context, manager) or 'none'}")
    applied = len(roster.applied_batches(context, admin))
    print(f"files applied: {applied}, in gtt-inbox/done under {workdir}")
    store.close()


if __name__ == "__main__":
    main()
