"""The command line, run as a user runs it: in a child process."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from caredomain import Actor, Organisation, OrganisationId, __version__
from caredomain.access import Everywhere
from caredomain.cli.demo_run import sample_configuration
from caredomain.services import ServiceContext, configure_organisation
from caredomain.slots.services import configure_slots
from caredomain_sqlite import SqliteStore


def _caredomain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    result = _caredomain("--version", cwd=tmp_path)
    assert result.stdout.strip() == f"caredomain {__version__}"


def test_only_the_chosen_subcommand_is_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from caredomain.cli import main\n"
        "main(['plugins'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('caredomain.cli.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = result.stdout.strip().splitlines()[-1]
    assert "caredomain.cli.plugins_command" in loaded
    for other in ("demo", "slots_command", "notify", "roster", "gtt", "visits"):
        assert f"caredomain.cli.{other}'" not in loaded


def test_plugins_lists_the_sqlite_store_and_its_hook(tmp_path: Path) -> None:
    result = _caredomain("plugins", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "caredomain_sqlite" in result.stdout
    assert "    caredomain_open_store" in result.stdout


def test_demo_prints_the_calendar_with_closed_days_and_their_reasons(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    result = _caredomain("demo", "--db", str(db), "--today", "2026-12-20", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"store    sqlite:///{db}" in out
    assert "Sun 2026-12-20  closed  closed on Sundays" in out
    assert "Mon 2026-12-21  open" in out
    assert "Fri 2026-12-25  closed  public holiday: Noël" in out
    # Alsace-Moselle: 26 December is a public holiday there.
    assert "Sat 2026-12-26  closed  public holiday: Saint-Étienne" in out
    # The demo's exceptional closure: the first open day a week after "today".
    assert "Mon 2026-12-28  closed  closure 2026-12-28 (Inventaire des archives)" in out
    assert "Fri 2027-01-01  closed  public holiday: Jour de l'an" in out
    assert "Next public holidays:" in out
    assert "Fri 2027-03-26  Vendredi saint" in out
    assert db.exists()


def test_demo_runs_twice_on_the_same_file(tmp_path: Path) -> None:
    for _ in range(2):
        result = _caredomain("demo", "--db", "again.db", "--days", "3", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "again.db").exists()


def test_demo_defaults_to_a_file_in_the_current_directory(tmp_path: Path) -> None:
    result = _caredomain("demo", "--days", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "caredomain-demo.db").exists()


def test_bad_input_is_one_line_and_no_traceback(tmp_path: Path) -> None:
    result = _caredomain("demo", "--db", "x.db", "--days", "0", cwd=tmp_path)
    assert result.returncode == 2
    assert (
        result.stderr
        == "caredomain: error: --days: expected a whole number of at least 1 (got '0')\n"
    )
    assert "Traceback" not in result.stderr


def test_output_closed_early_ends_quietly(tmp_path: Path) -> None:
    """`caredomain demo | head -0`: the reader is gone before the first line is written."""
    with subprocess.Popen(
        [sys.executable, "-m", "caredomain", "demo", "--db", "pipe.db"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        process.stdout.close()
        errors = process.stderr.read()
        status = process.wait(timeout=120)
    assert status == 141
    assert "Traceback" not in errors
    assert "BrokenPipeError" not in errors
    assert "Exception ignored" not in errors


# -- caredomain slots ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once, pretending it is Sunday 20 December 2026 (08:00 in Paris)."""
    folder = tmp_path_factory.mktemp("demo")
    result = _caredomain("demo", "--today", "2026-12-20", "--days", "1", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_demo_books_a_slot_then_a_closure_deprograms_it(demo_run: tuple[Path, str]) -> None:
    _, out = demo_run
    assert "== Appointment slots of Mairie de Sarreguemines" in out
    assert (
        "type Pièces d'identité: 20-minute slots, window 2m, notice 60m, "
        "options CNI, passeport, on the portal"
    ) in out
    assert "    saturday  09h00-12h00" in out
    assert "  Mon 2026-12-21 08:30-08:50  Guichet des titres, Hôtel de ville" in out
    assert "Camille Martin books on the portal: Mon 2026-12-21 08:30, Guichet des titres" in out
    closure = "closure 2026-12-21 (Fermeture exceptionnelle : formation des agents)"
    assert f"Before saving {closure}: it would deprogram 1 appointment(s)" in out
    assert (
        f"  Camille Martin, Mon 2026-12-21 08:30, Guichet des titres: [day.closure] {closure}"
    ) in out
    assert "  status deprogrammed, id " in out


def test_slots_why_after_the_demo_names_each_reason(demo_run: tuple[Path, str]) -> None:
    folder, _ = demo_run
    result = _caredomain(
        "slots", "why", "--type", "pieces-identite", "--date", "2026-12-21", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    assert "Pièces d'identité (pieces-identite) on Mon 2026-12-21" in result.stdout
    assert "Hôtel de ville (hotel-de-ville): 0 of 20 slots free" in result.stdout
    assert (
        "    08:30-11:50   10 slots  [day.closure] closure 2026-12-21 "
        "(Fermeture exceptionnelle : formation des agents)"
    ) in result.stdout
    christmas = _caredomain(
        "slots", "why", "--type", "pieces-identite", "--date", "2026-12-25", cwd=folder
    )
    assert "[day.public_holiday] public holiday: Noël" in christmas.stdout
    sunday = _caredomain(
        "slots", "why", "--type", "pieces-identite", "--date", "2026-12-27", cwd=folder
    )
    assert "opens no slot on sundays" in sunday.stdout


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (
            ["free", "--type", "passports"],
            "--type: no such appointment type (known: pieces-identite)",
        ),
        (["free", "--type", "pieces-identite", "--place", "annexe"], "--place: no such place"),
        (["free", "--type", "pieces-identite", "--days", "0"], "--days: a whole number of days"),
        (["free", "--type", "pieces-identite", "--from", "21/12/2026"], "--from: expected a date"),
        (["why", "--type", "pieces-identite", "--date", "2026-02-30"], "--date: expected a date"),
        (["refresh", "--organisation", "lyon"], "--organisation: no such organisation"),
        (["refresh", "--db", "missing.db"], "--db: no such store file"),
    ],
)
def test_slots_bad_input_is_one_line_and_no_traceback(
    demo_run: tuple[Path, str], arguments: list[str], error: str
) -> None:
    folder, _ = demo_run
    result = _caredomain("slots", *arguments, cwd=folder)
    assert result.returncode == 2
    assert result.stderr.startswith(f"caredomain: error: {error}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_slots_refresh_then_free_as_of_today(tmp_path: Path) -> None:
    assert _caredomain("demo", "--days", "1", cwd=tmp_path).returncode == 0
    refresh = _caredomain("slots", "refresh", cwd=tmp_path)
    assert refresh.returncode == 0, refresh.stderr
    assert re.match(r"mairie-sarreguemines: slots planned as of \d{4}-\d\d-\d\d\n", refresh.stdout)
    assert "  appointments deprogrammed: 0" in refresh.stdout
    free = _caredomain(
        "slots", "free", "--type", "pieces-identite", "--place", "hotel-de-ville", cwd=tmp_path
    )
    assert free.returncode == 0, free.stderr
    header = re.match(
        r"Pièces d'identité \(pieces-identite\) at Hôtel de ville: (\d+) free 20-minute slots "
        r"over 14 days\n",
        free.stdout,
    )
    assert header is not None, free.stdout
    assert int(header.group(1)) > 0
    assert re.search(
        r"^\w{3} \d{4}-\d\d-\d\d  Guichet des titres, Hôtel de ville$", free.stdout, re.M
    )
    assert re.search(r"^    (\d\d:\d\d ?)+$", free.stdout, re.M)


def test_slots_choose_among_several_organisations(tmp_path: Path) -> None:
    sample = sample_configuration()
    with SqliteStore(tmp_path / "two.db") as store:
        context = ServiceContext(store=store)
        admin = Actor.administrator(
            configuration=Everywhere("the test sets up several configurations")
        )
        configure_organisation(context, admin, sample.organisation)
        configure_organisation(context, admin, Organisation(OrganisationId("lyon"), "Lyon"))
        configure_slots(context, admin, sample.organisation.id, sample.slots)
        configure_slots(context, admin, OrganisationId("lyon"), sample.slots)
    result = _caredomain("slots", "refresh", "--db", "two.db", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "caredomain: error: the store holds several organisations; choose with --organisation "
        "(known: lyon, mairie-sarreguemines)\n"
    )
    chosen = _caredomain(
        "slots", "refresh", "--db", "two.db", "--organisation", "mairie-sarreguemines", cwd=tmp_path
    )
    assert chosen.returncode == 0, chosen.stderr
    assert chosen.stdout.startswith("mairie-sarreguemines: slots planned as of ")


def test_slots_choose_the_only_organisation_with_appointment_slots(tmp_path: Path) -> None:
    sample = sample_configuration()
    with SqliteStore(tmp_path / "two.db") as store:
        context = ServiceContext(store=store)
        admin = Actor.administrator(
            configuration=Everywhere("the test sets up several configurations")
        )
        configure_organisation(context, admin, sample.organisation)
        configure_organisation(context, admin, Organisation(OrganisationId("cpe"), "CPE"))
        configure_slots(context, admin, sample.organisation.id, sample.slots)
    result = _caredomain("slots", "refresh", "--db", "two.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mairie-sarreguemines: slots planned as of ")


def test_after_the_demo_each_module_command_works_on_its_store(tmp_path: Path) -> None:
    assert _caredomain("demo", "--days", "1", cwd=tmp_path).returncode == 0
    vacancies = _caredomain("roster", "vacancies", cwd=tmp_path)
    assert "0/1" in vacancies.stdout, vacancies.stdout + vacancies.stderr
    outbox = _caredomain("notify", "outbox", cwd=tmp_path)
    assert "sent" in outbox.stdout, outbox.stdout + outbox.stderr
    free = _caredomain("slots", "free", "--type", "pieces-identite", cwd=tmp_path)
    assert free.returncode == 0, free.stderr
    assert not (tmp_path / "caredomain.db").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("roster", "vacancies"),
        ("roster", "pending"),
        ("gtt", "history"),
        ("visits", "alarms"),
        ("slots", "free", "--type", "pieces-identite"),
    ],
    ids=" ".join,
)
def test_a_mistyped_store_is_an_error_not_a_new_empty_store(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = _caredomain(*command, "--db", "mistyped.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such store file" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "mistyped.db").exists()


def test_the_demo_writes_its_sample_files_for_a_pip_user(tmp_path: Path) -> None:
    result = _caredomain("demo", "--samples", "samples", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert written == [
        "GTT_20261122_180000.csv",
        "GTT_20261123_100000.csv",
        "access_catalogue.toml",
        "gtt_codes_fr.toml",
        "sample_agency.toml",
        "sample_daycare.toml",
        "sample_organisation.toml",
        "sample_ward.toml",
    ]
    assert not (tmp_path / "caredomain-demo.db").exists()  # it stopped there
    loaded = _caredomain("roster", "load", "samples/sample_ward.toml", "--db", "w.db", cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    again = _caredomain("demo", "--samples", "samples", cwd=tmp_path)
    assert again.returncode == 2
    assert "already exists; not overwritten" in again.stderr
