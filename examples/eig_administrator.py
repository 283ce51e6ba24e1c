"""Story: a customer's administrator through the transition (seed 002).

The vendor hosts the town of Metz: one configuration, two bases. In December 2023 the town
designates Marie DUPONT as its administrator.

1. On 2024-05-15, during the transition, the console password opens Administrator mode;
   Marie sets her own password, and creates a user ("JFK (Jean-François KERSERHO)" is
   shown by name only).
2. On 2024-08-01 the console password no longer opens it; hers does. An application that
   logs Marie in maps her to an ``Actor`` of her configuration (``User.actor()``): she reads
   her users, and nothing of the town of Nancy.
3. A technician needs the console: written request, paid ticket, accepted quote, a window
   with Marie present, one action, the report. Outside the window: refused, with why.
4. The audit journal verifies; an entry edited behind the store's back is found.

Everything is written under a temporary folder, removed at the end.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from caredomain import Actor, ActorId, FixedClock, Forbidden, Organisation, Role
from caredomain.access import Everywhere
from caredomain.access import services as access
from caredomain.access.breakglass import Acceptance, Quote, Window, WrittenRequest
from caredomain.access.configurations import User, UserId
from caredomain.access.modes import Mode
from caredomain.access.passwords import Hasher
from caredomain.access.ports import access_unit_of_work
from caredomain.organisation import ConfigurationId, OrganisationId
from caredomain.secret import Secret
from caredomain.services import ServiceContext
from caredomain_sqlite import SqliteStore

METZ = ConfigurationId("ville-metz")
NANCY = ConfigurationId("ville-nancy")
CONSOLE = Secret("pupitre-2024-secret")
OWN = Secret("marie-a-choisi-2024")
# Cheap argon2id parameters keep the story quick; a deployment keeps the library's defaults.
SETTINGS = access.AccessSettings(hasher=Hasher.cheap())
VENDOR = Actor(
    ActorId("eig-operator"),
    {Role.TECHNICIAN},
    configuration=Everywhere("the vendor's operator provisions every customer's configuration"),
)
LUC = Actor(ActorId("tech-luc"), {Role.TECHNICIAN}, configuration=METZ)


def logged_in(context: ServiceContext, configuration: ConfigurationId, user: str) -> Actor:
    """What an embedding application does once its own login succeeded: the user's actor,
    scoped to her configuration."""
    with access_unit_of_work(context.store, write=False) as uow:
        return uow.access.user(configuration, UserId(user)).actor()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "access.db"
        store = SqliteStore(path)
        clock = FixedClock(datetime(2023, 12, 4, 9, tzinfo=UTC))
        ids = (f"id-{n}" for n in itertools.count(1))
        context = ServiceContext(store=store, clock=clock, new_id=lambda: next(ids))
        try:
            story(context, clock, path)
        finally:
            store.close()


def story(context: ServiceContext, clock: FixedClock, path: Path) -> None:
    bases = [
        Organisation(OrganisationId("metz-etat-civil"), "État civil"),
        Organisation(OrganisationId("metz-ccas"), "CCAS"),
    ]
    access.configure_configuration(
        context,
        VENDOR,
        METZ,
        name="Ville de Metz",
        bases=bases,
        console_password=CONSOLE,
        settings=SETTINGS,
    )
    access.configure_configuration(context, VENDOR, NANCY, name="Ville de Nancy", settings=SETTINGS)
    access.designate_administrator(
        context, VENDOR, METZ, UserId("mdupont"), full_name="MDU (Marie DUPONT)", settings=SETTINGS
    )
    for view in access.configurations_overview(context, VENDOR, settings=SETTINGS):
        print(
            f"{view.configuration.id}: bases {view.bases}, administrator {view.administrator_name}"
        )

    clock.set(datetime(2024, 5, 15, 8, tzinfo=UTC))
    marie = logged_in(context, METZ, "mdupont")
    session = access.enter(context, marie, METZ, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    print(f"2024-05-15 console password: Administrator mode opened ({session.via.value})")
    access.change_administrator_password(
        context, marie, METZ, current=CONSOLE, new=OWN, settings=SETTINGS
    )
    print("Marie set her own password")
    jfk = User(UserId("jfk"), METZ, "JFK (Jean-François KERSERHO)", {Role.MANAGER})
    access.add_user(context, marie, METZ, jfk, session=session.id)
    print("users:", [u.full_name for u in access.users(context, marie, METZ)])

    clock.set(datetime(2024, 8, 1, 8, tzinfo=UTC))
    try:
        access.enter(context, marie, METZ, Mode.ADMINISTRATOR, CONSOLE, settings=SETTINGS)
    except Forbidden as refused:
        print(f"2024-08-01 console password: refused: {refused}")
    session = access.enter(context, marie, METZ, Mode.ADMINISTRATOR, OWN, settings=SETTINGS)
    print(f"2024-08-01 her password: Administrator mode opened ({session.via.value})")
    try:
        access.users(context, marie, NANCY)
    except Forbidden as refused:
        print(f"Nancy's users: refused: {refused}")

    try:
        access.enter(context, LUC, METZ, Mode.CONSOLE, CONSOLE, settings=SETTINGS)
    except Forbidden as refused:
        print(f"console without a window: refused: {refused}")
    record = access.request_breakglass(
        context, LUC, METZ, WrittenRequest("LR-081", date(2024, 8, 1))
    )
    access.quote_breakglass(
        context, LUC, METZ, record.id, Quote("SP-4471", "DEV-190", Decimal("450"))
    )
    access.accept_breakglass(
        context, LUC, METZ, record.id, Acceptance(date(2024, 8, 5), "Marie DUPONT")
    )
    start = datetime(2024, 8, 8, 7, tzinfo=UTC)
    access.schedule_breakglass(
        context,
        LUC,
        METZ,
        record.id,
        Window(start, start + timedelta(hours=2)),
        customer_present="Marie DUPONT",
        technician=LUC.id,
    )
    clock.set(start + timedelta(minutes=5))
    console = access.enter(
        context, LUC, METZ, Mode.CONSOLE, CONSOLE, window=record.id, settings=SETTINGS
    )
    done = access.act_in_window(context, LUC, METZ, console.id, "CCAS rights repaired")
    until = f"{console.expires_at:%H:%M}"
    print(f"console in the window until {until} UTC; actions journaled: {done.actions}")
    closed = access.close_breakglass(
        context, LUC, METZ, record.id, report="CCAS rights repaired.", sent_to="mdupont@metz.fr"
    )
    sent_to = closed.report.sent_to if closed.report else "?"
    print(f"break-glass {closed.state.value}, report sent to {sent_to}")

    checked = access.verify_audit(context, marie, METZ)
    print(f"audit: {checked.count} entries, verified: {checked.ok}")
    with sqlite3.connect(path) as raw:  # someone edits the file behind the store's back
        raw.execute("DROP TRIGGER access_audit_no_update")
        raw.execute(
            "UPDATE access_audit SET document = replace(document, 'CCAS rights', 'nothing') "
            "WHERE kind = 'window-action'"
        )
    tampered = access.verify_audit(context, marie, METZ)
    print(
        f"after an edit: {tampered.problem.value if tampered.problem else 'ok'}: {tampered.reason}"
    )


if __name__ == "__main__":
    main()
