"""The subcommands: the module that builds each, and the line ``caredomain --help`` shows.

Only the chosen subcommand's module is imported, so that ``caredomain --version`` and a
subcommand's start do not pay for the others.
"""

from __future__ import annotations

from attrs import frozen

from caredomain.cli.i18n import N_

__all__ = ["COMMANDS", "Command"]


@frozen
class Command:
    module: str
    help: str  # English, marked for the catalogue; the help formatter translates it


COMMANDS: dict[str, Command] = {
    "plugins": Command(
        "caredomain.cli.plugins_command", N_("list the plugins found and the hooks each implements")
    ),
    "demo": Command(
        "caredomain.cli.demo", N_("run the sample organisation on the embedded SQLite store")
    ),
    "events": Command(
        "caredomain.cli.events", N_("follow the event journal: print events as they commit")
    ),
    "slots": Command(
        "caredomain.cli.slots_command",
        N_("appointment slots: nightly refresh, free slots, why no slot"),
    ),
    "notify": Command(
        "caredomain.cli.notify",
        N_("send the outbox's due notifications, inspect it, preview texts"),
    ),
    "roster": Command(
        "caredomain.cli.roster", N_("plannings, vacancies, candidates, day swaps and local edits")
    ),
    "gtt": Command("caredomain.cli.gtt", N_("apply GTT export files, or watch a folder for them")),
    "visits": Command(
        "caredomain.cli.visits", N_("home care: reconcile visits, a caregiver's log, DATI alarms")
    ),
    "pickup": Command(
        "caredomain.cli.pickup",
        N_("daycare pickups with HopHop: link, sync, alerts, Call, Ready, Departure, webhooks"),
    ),
    "access": Command(
        "caredomain.cli.access",
        N_(
            "access rights: configurations and their administrator, modes, break-glass "
            "interventions, audit, the function catalogue, support call routing"
        ),
    ),
}
