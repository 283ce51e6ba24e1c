"""Each story in examples/ runs to the end."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
# A story is a script; the other modules (such as the example plugin) are imported by them.
STORIES = sorted(
    p for p in EXAMPLES.glob("*.py") if 'if __name__ == "__main__":' in p.read_text("utf-8")
)

# What each story must print, so that a story silently doing nothing fails.
EXPECTED = {
    "several_instances_postgres.py": [
        "(schema version ",
        ": refused: [slot.full] every seat of the slot is booked",
        "the last seat asked by two instances at once: 1 booked",
        "the first instance reads what the others committed: ['AppointmentBooked']",
    ],
    "eig_administrator.py": [
        "ville-metz: bases ['metz-ccas', 'metz-etat-civil'], administrator Marie DUPONT",
        "2024-05-15 console password: Administrator mode opened (console-password)",
        "users: ['Jean-François KERSERHO', 'Marie DUPONT']",
        "2024-08-01 console password: refused: wrong password: since 2024-07-01 only the "
        "administrator's own password opens Administrator mode",
        "2024-08-01 her password: Administrator mode opened (administrator-password)",
        "Nancy's users: refused: mdupont may not act on configuration ville-nancy: it is not "
        "of mdupont's configuration",
        "console without a window: refused: after the transition the console opens only "
        "through a break-glass intervention",
        "console in the window until 07:35 UTC; actions journaled: 1",
        "break-glass closed, report sent to mdupont@metz.fr",
        "audit: 16 entries, verified: True",
        "after an edit: edited: entry 15 was edited",
    ],
    "write_a_plugin.py": [
        "plugin audit_trail: caredomain_feed_readers, caredomain_on_event, caredomain_senders",
        '"kind": "OrganisationConfigured"',
        "Subject: Plugin installed",
        "sent: ['sent']",
        "feed line 2: agent A12 on 2026-11-24 has code MAL",
    ],
    "embed_in_an_application.py": [
        "the same slot asked twice: 1 booked, 1 taken",
        "outbox: 1 pending",
        "audit trail: AppointmentBooked x1, OrganisationConfigured x1",
    ],
    "townhall_appointments.py": [
        "settings saved, 0 warning(s); planned on 2026-04-27",
        "nightly refresh: planned on 2026-04-28, 0 deprogrammed",
        "48 free slots from Tue 2026-04-28 09:10:",
        "  Tue 2026-04-28 09:10-09:30  Guichet 1",
        "booked: Camille Martin, Tue 2026-04-28 09:10, passeport",
        "why no slot on Fri 2026-05-01 at mairie: [day.public_holiday] public holiday: "
        "Fête du Travail",
        "rescheduled to Wed 2026-04-29 10:10 (previously Tue 2026-04-28 09:10)",
        "adding closure 2026-04-29 (Travaux) would deprogram 1 appointment(s)",
        "deprogrammed: Camille Martin, Wed 2026-04-29 10:10, passeport: [day.closure] "
        "closure 2026-04-29 (Travaux)",
        "Camille's appointment is kept, deprogrammed",
        "AppointmentBooked, AppointmentRescheduled, AppointmentDeprogrammed",
        "free slots on 2026-04-29 after the closure: 0",
    ],
    "notifications_outbox.py": [
        "refused: admin form: texts.appointment.created.sms.body: attribute or index access "
        "is not allowed in a field (line 1, column 6)",
        "  pending   appointment.reminder by sms, due Tue 03 08:30",
        "dispatched: 2 sent",
        "  SMS to +33612345678 (GSM-7, 1 segment): Marie Dupont, RDV Pièces d'identité le "
        "mardi 3 février 2026 à 14 h 30. Pensez a votre photo {format 35x45}.",
        "  mail file Mail/new/",
        "Cancelled; at the reminder's time 1 sent (the cancellation):",
        "  withdrawn appointment.reminder by sms, due Tue 03 08:30",
    ],
    "hospital_gtt_feed.py": [
        "ward loaded: 9 agents, 12 posts, feed every 2h (Europe/Paris)",
        "  unassigned: A1001 off cardio-2026-11-24-M-IDE on 2026-11-24 (MAL)",
        "  vacated: cardio-2026-11-24-M-IDE on 2026-11-24 0/1",
        "  candidate 1: A1007  0 h this week, no shift around",
        "  candidate 2: A1005  7 h 30 this week, rest 16 h 30",
        "assigned A1007: no vacancy left",
        "  local edit merged: A1005 2026-11-25: local CA (by cadre-cardio), GTT CA",
        "  local edit OVERWRITTEN: A1002 2026-11-24: local RTT (by cadre-cardio), GTT J",
        "pending local edits: none",
        "files applied: 4, in gtt-inbox/done",
    ],
    "daycare_pickup.py": [
        "CPE Soleil (America/Toronto): 4 children loaded",
        "  rosemont: soleil.rosemont@hophop.ca ok",
        "synced: {'rosemont': 3, 'villeray': 1}",
        "webhook delivery 1: pickups ['evt-marie-1:lea-tremblay']",
        "webhook delivery 2: pickups []",
        "15:39 alerts rung: 0",
        "15:40 alerts rung: 1",
        "the Poussins' tablet shows evt-marie-1:lea-tremblay, arrival 15:45",
        "HopHop told the parent of: ['lea-tremblay']",
        "departed at 15:46, released by sophie",
        "18:10 refused: [pickup.outside_window] HopHop is not used at 18:10: calls are taken "
        "15:30–18:00",
        "rosemont: 3 children, 1 orange",
        "  orange  Florence Roy-Côté: not activated by Mathieu Côté <mathieu.cote@example.ca>",
    ],
    "homecare_day.py": [
        "  marie pending; K1 not-transmitted (no intervention with a transmitted caregiver)",
        "  once the platform has her: marie transmitted, K1 pending",
        "  in I1 07:58 by badge-nfc: PunchRecorded, VisitStarted",
        "  out I1 08:57 by badge-nfc: PunchRecorded, VisitEnded (sent offline, received 09:21)",
        "  tasks refused: [visit.unknown_task] not a task of service AIDE: menage",
        "  visit data: 4.2 km, 1 comment, report 'RAS, repas pris.'",
        "  tasks done: repas, toilette",
        "  refused in I2 09:54 by badge-nfc: [punch.wrong_badge] badge 'TAG-VOISIN' is not a "
        "nfc badge of client K2",
        "  in I2 09:55 by manual: PunchRecorded, VisitStarted",
        "  +9 s: 0 fired",
        "  +10 s and +15 s: 1 fired; call +33140000000 (speaker on)",
        "    Intervenant : Marie Dupont (marie)",
        "    Déclenchement : lundi 2 mars 2026 à 10:12:30 (Europe/Paris)",
        "    Position théorique : chez Paul Petit, 3 rue du Pas-de-la-Mule, 75003 Paris "
        "(intervention I2, de 09:30 à 10:30)",
        "    Position réelle (GPS) : 48.855620,2.366350, précision 18",  # babel's no-break spaces
        "avant le déclenchement\n",
        "  anomaly I2 late-start: started 25 min late",
        "  anomaly I2 missing-clock-out: no clock-out 45 min after the planned end (10:30)",
        "  correction forgotten-clock-out: VisitCorrected, VisitEnded",
        "  the punch log keeps 4 punches (1 refused), 1 correction: nothing rewritten",
        "  apply to the planning: I2 planned 09:30-10:30, actual 09:55-10:40 (45 min)",
        "  read, not acknowledged: still blocked by 1",
        "  acknowledged: blocked by 0",
        "Rappelez-moi, s'il vous plaît.",
        "to chef-equipe, e-mail alert to chef.equipe@agence-marais.example",
        "a sixth: [emergency.too_many]",
        "  report from the iPhone: [device.not_supported_on_ios] the iOS app can only view the "
        "planning and clock in and out, not report",
        "  alert 5 min before the end on Marie's Android 14: "
        "[device.end_of_visit_alert_unavailable]",
        "  stolen at 13:05, blocked: planning-marie, m3 dropped",
        "  her token is refused: unknown or blocked device",
        "  queued for the blocked phone: 0",
    ],
}


def test_every_story_has_expectations() -> None:
    assert sorted(p.name for p in STORIES) == sorted(EXPECTED)


@pytest.mark.parametrize("story", STORIES, ids=lambda p: p.name)
def test_story_runs(story: Path, tmp_path: Path) -> None:
    if story.name.endswith("_postgres.py"):
        _require_postgres()
    result = subprocess.run(
        [sys.executable, str(story)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == [], "a story wrote in the current directory"
    for line in EXPECTED[story.name]:
        assert line in result.stdout, f"{line!r} missing from:\n{result.stdout}"


def _require_postgres() -> None:
    """Skip a PostgreSQL story where no server answers (fail under .ci/run, which sets
    CAREDOMAIN_REQUIRE_POSTGRES=1)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")
    server = os.environ.get("CAREDOMAIN_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        psycopg.connect(server, connect_timeout=3).close()
    except psycopg.Error as error:
        message = f"no PostgreSQL server at {server}: {str(error).strip().splitlines()[0]}"
        if os.environ.get("CAREDOMAIN_REQUIRE_POSTGRES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
