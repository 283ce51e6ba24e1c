"""``caredomain visits`` and the demo's home-care chapter, run as a user runs them: in a child
process."""

from __future__ import annotations

import subprocess
import sys
from email import message_from_bytes
from email.message import Message
from email.policy import default
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parents[2] / "src" / "caredomain" / "data" / "sample_agency.toml"


def _caredomain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("visits-demo")
    result = _caredomain("demo", "--db", "demo.db", "--days", "1", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout[result.stdout.index("== Home care") :]


def test_the_demo_plays_a_caregivers_morning(demo: tuple[Path, str]) -> None:
    _, chapter = demo
    assert "== Home care: Mairie de Sarreguemines (CCAS), Mon 2026-03-02" in chapter
    assert "Marie Dupont (cg-marie), 2026-03-02: 2 visit(s)" in chapter
    assert "    punch in  08:02 badge-nfc, badge 04A1B2C3D4: ok" in chapter
    assert "    punch in  09:47 manual, by hand (le badge NFC ne répond pas): ok" in chapter
    assert "tasks courses, repas; report: Repas pris, bonne humeur." in chapter
    assert "  iv-0302-jeanne  Marie Dupont  late-start: started 17 min late" in chapter
    assert (
        "  iv-0302-leon  Marie Dupont  planned 08:00-09:00  actual 08:02-08:58 (56 min)" in chapter
    )
    assert (
        "  iv-0302-jeanne  Marie Dupont  planned 09:30-10:30  actual 09:47-10:31 (44 min)"
        in chapter
    )


def test_the_demo_alarm_fires_after_its_countdown_and_its_mail_is_delivered(
    demo: tuple[Path, str],
) -> None:
    folder, chapter = demo
    assert "DATI alarm triggered by Marie at 10:15:00 (countdown 10 s)" in chapter
    assert "  tick at +5 s: nothing fired" in chapter
    assert "  tick at +10 s: fired: call +33387989300, speaker on" in chapter
    assert "fired at 2026-03-02 10:15:10" in chapter
    assert "E-mail (sent) to astreinte@ccas-sarreguemines.example, in the Maildir" in chapter
    assert "  Subject: Alerte DATI : Marie Dupont" in chapter
    assert "  Position théorique : chez Jeanne Petit, 3 rue Poincaré" in chapter
    mails = [_mail(path) for path in (folder / "demo-mail" / "new").iterdir()]
    alarms = [m for m in mails if m["Subject"] == "Alerte DATI : Marie Dupont"]
    assert len(alarms) == 1
    assert alarms[0]["To"] == "astreinte@ccas-sarreguemines.example"


def _mail(path: Path) -> Message:
    return message_from_bytes(path.read_bytes(), policy=default)


def test_visits_reconcile_after_the_demo(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain(
        "visits", "--db", "demo.db", "reconcile", "--date", "2026-03-02", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Mairie de Sarreguemines: visits of Mon 2026-03-02, as of ")
    assert "  iv-0302-andre  Karim Benali  no-visit: no visit clocked for 08:30-09:30" in out
    assert "  iv-0302-jeanne  Marie Dupont  late-start: started 17 min late" in out
    assert "Actual times to apply (2):" in out
    only_karim = _caredomain(
        "visits",
        "--db",
        "demo.db",
        "reconcile",
        "--date",
        "2026-03-02",
        "--caregiver",
        "cg-karim",
        cwd=folder,
    )
    assert "Marie" not in only_karim.stdout
    assert "Actual times to apply (0):\n  none" in only_karim.stdout


def test_visits_log_shows_a_caregivers_visits(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain(
        "visits",
        "--db",
        "demo.db",
        "log",
        "--caregiver",
        "cg-marie",
        "--date",
        "2026-03-02",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    assert "  09:30-10:30  iv-0302-jeanne  Jeanne Petit" in result.stdout
    assert "    visit 09:47-10:31" in result.stdout
    karim = _caredomain("visits", "--db", "demo.db", "log", "--caregiver", "cg-karim", cwd=folder)
    assert "  08:30-09:30  iv-0302-andre  André Moreau\n    not clocked" in karim.stdout


def test_visits_alarms_ticks_and_lists(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain("visits", "--db", "demo.db", "alarms", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Mairie de Sarreguemines: 0 alarm(s) fired now, 1 in all" in result.stdout
    assert (
        "  demo-dati-0302  Marie Dupont  triggered 2026-03-02 10:15:00, "
        "fired at 2026-03-02 10:15:10"
    ) in result.stdout


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["log", "--caregiver", "nobody"], "no caregiver 'nobody' in 'mairie-sarreguemines'"),
        (["reconcile", "--date", "2026-03-02", "--caregiver", "x y"], "no caregiver"),
        (["--organisation", "elsewhere", "alarms"], "--organisation: no such organisation"),
    ],
)
def test_visits_errors_are_one_line(
    demo: tuple[Path, str], arguments: list[str], error: str
) -> None:
    folder, _ = demo
    result = _caredomain("visits", "--db", "demo.db", *arguments, cwd=folder)
    assert result.returncode == 2
    assert result.stderr.startswith("caredomain: error: ")
    assert error in result.stderr
    assert "Traceback" not in result.stderr


def test_visits_load_saves_an_agency_then_reconcile_reads_it(tmp_path: Path) -> None:
    missing = _caredomain("visits", "--db", "none.db", "alarms", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such store file" in missing.stderr
    loaded = _caredomain("visits", "--db", "care.db", "load", str(SAMPLE), cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.startswith(
        "CCAS de Sarreguemines, aide à domicile (ccas-sarreguemines): 3 caregiver(s), "
        "3 client(s), 2 service(s), 4 planned intervention(s)"
    )
    result = _caredomain(
        "visits", "--db", "care.db", "reconcile", "--date", "2026-03-02", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Anomalies (4):" in result.stdout  # nothing was clocked, the day is over


def test_the_demo_runs_twice_and_the_alarm_fires_once(tmp_path: Path) -> None:
    for _ in range(2):
        result = _caredomain("demo", "--db", "twice.db", "--days", "1", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert "(it went off in an earlier run of the demo: it fires once)" in result.stdout
    assert "  iv-0302-jeanne  Marie Dupont  late-start: started 17 min late" in result.stdout
    mails = [_mail(path) for path in (tmp_path / "twice-mail" / "new").iterdir()]
    assert sum(m["Subject"] == "Alerte DATI : Marie Dupont" for m in mails) == 1


def test_visits_reconcile_in_french(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain(
        "visits", "--db", "demo.db", "reconcile", "--date", "2026-03-02", "--lang", "fr", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "  iv-0302-andre  Karim Benali  no-visit: aucune intervention pointée pour 08:30-09:30"
        in out
    )
    assert "  iv-0302-jeanne  Marie Dupont  late-start: commencée avec 17 min de retard" in out
    assert "started 17 min late" not in out


def test_visits_errors_in_french(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain(
        "visits", "--db", "demo.db", "log", "--caregiver", "nobody", "--lang", "fr", cwd=folder
    )
    assert result.returncode == 2
    assert result.stderr == (
        "caredomain : erreur : aucun intervenant 'nobody' dans 'mairie-sarreguemines'\n"
    )
