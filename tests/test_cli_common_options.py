"""The options every command shares: in the same place in every group (after the last
subcommand word, and before it where earlier versions took them), ``--json`` documents with
the keys the command-line page lists, ``-q`` and ``-v``, one message for a bad date, and a
progress line only on a terminal."""

from __future__ import annotations

import importlib.resources
import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caredomain.cli import main

DATA = importlib.resources.files("caredomain.data")
GTT_FILE = "GTT_20261123_100000.csv"
ORGANISATION = ("--organisation", "mairie-sarreguemines")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's store as ``care.db`` (not the default name, so that a ``--db`` not
    honoured shows), and a GTT export beside it."""
    folder = tmp_path_factory.mktemp("common-options")
    result = _run("demo", "--db", "care.db", "--today", "2026-12-20", "--days", "1", cwd=folder)
    assert result.returncode == 0, result.stderr
    with importlib.resources.as_file(DATA.joinpath(GTT_FILE)) as path:
        shutil.copy(path, folder / GTT_FILE)
    return folder


@pytest.fixture
def here(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(folder)
    return folder


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# Each command that lists or reports: its words, its arguments, the keys of its document.
REPORTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], set[str]]] = {
    "slots refresh": (
        ("slots", "refresh"),
        ORGANISATION,
        {"organisation", "day", "replanned", "deprogrammed"},
    ),
    "slots free": (
        ("slots", "free"),
        ("--type", "pieces-identite", "--from", "2026-12-22", "--days", "2", *ORGANISATION),
        {"organisation", "type", "place", "days", "slots"},
    ),
    "slots why": (
        ("slots", "why"),
        ("--type", "pieces-identite", "--date", "2026-12-21", *ORGANISATION),
        {"organisation", "type", "date", "places"},
    ),
    "notify outbox": (("notify", "outbox"), (), {"store", "counts", "next_due", "dead"}),
    "notify preview": (
        ("notify", "preview"),
        ("--event", "appointment.created", *ORGANISATION),
        {"organisation", "kind", "label", "type", "previews"},
    ),
    "notify dispatch": (
        ("notify", "dispatch"),
        ("--once",),
        {"at", "claimed", "sent", "retried", "dead", "lost", "batches", "deferred"},
    ),
    "notify requeue": (("notify", "requeue"), ("--all",), {"requeued"}),
    "roster vacancies": (("roster", "vacancies"), (), {"date", "vacancies"}),
    "roster candidates": (
        ("roster", "candidates"),
        ("cardio-2026-11-24-M-IDE", "--explain"),
        {"post", "candidates", "excluded"},
    ),
    "roster pending": (("roster", "pending"), (), {"edits"}),
    "roster codes": (
        ("roster", "codes"),
        ("A1001", "2026-11-23", "2026-11-25"),
        {"agent", "first", "last", "codes"},
    ),
    "gtt apply": (("gtt", "apply"), (GTT_FILE,), {"files"}),
    "gtt history": (("gtt", "history"), (), {"files"}),
    "visits reconcile": (
        ("visits", "reconcile"),
        ("--date", "2026-03-02", *ORGANISATION),
        {"organisation", "date", "as_of", "anomalies", "actuals"},
    ),
    "visits log": (
        ("visits", "log"),
        ("--caregiver", "cg-karim", *ORGANISATION),
        {"organisation", "date", "caregiver", "records"},
    ),
    "visits alarms": (("visits", "alarms"), ORGANISATION, {"organisation", "fired", "alarms"}),
    "pickup alerts": (
        ("pickup", "alerts"),
        ("--installation", "rosemont", "--organisation", "cpe-soleil"),
        {"organisation", "installation", "group", "as_of", "alerts"},
    ),
    "pickup activations": (
        ("pickup", "activations"),
        ("--installation", "rosemont"),
        {"organisation", "installation", "children"},
    ),
    "pickup tick": (("pickup", "tick"), (), {"organisation", "at", "events"}),
    "pickup accounts": (("pickup", "accounts"), (), {"organisation", "accounts"}),
}


def _document(capsys: pytest.CaptureFixture[str], words: list[str]) -> dict[str, object]:
    assert main(words) == 0, capsys.readouterr().err
    out, err = capsys.readouterr()
    assert err == ""
    document = json.loads(out)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("name", REPORTS)
def test_the_common_options_after_the_last_word_and_json_parses(
    name: str, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    words, arguments, keys = REPORTS[name]
    document = _document(capsys, [*words, *arguments, "--db", "care.db", "--json", "-q"])
    assert set(document) == keys


@pytest.mark.parametrize("name", REPORTS)
def test_the_group_options_still_before_the_subcommand(
    name: str, here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (group, command), arguments, keys = REPORTS[name]
    document = _document(capsys, [group, "--db", "care.db", "-q", command, *arguments, "--json"])
    assert set(document) == keys


def test_a_db_given_after_the_subcommand_wins_over_one_given_before(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ["visits", "--db", "missing.db", "reconcile", "--date", "2026-03-02"]
    document = _document(capsys, [*before, "--db", "care.db", "--json"])
    assert document["anomalies"]
    found = _document(
        capsys, ["roster", "--db", "missing.db", "vacancies", "--db", "care.db", "--json"]
    )
    assert found["vacancies"]  # the demo's store, not a new empty one


def test_the_roster_documents_hold_the_vacancy_and_its_candidates(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _document(capsys, ["roster", "vacancies", "--db", "care.db", "--json"])
    (vacancy, *_) = document["vacancies"]  # type: ignore[misc]
    assert vacancy["post"] == "cardio-2026-11-24-M-IDE"
    assert vacancy["fill"] == "0/1"
    assert vacancy["start"] == "2026-11-24T06:45:00+01:00"
    assert {"agent", "name", "week_hours", "rest_before_hours", "rest_after_hours"} == set(
        vacancy["candidates"][0]
    )


def test_plugins_json(capsys: pytest.CaptureFixture[str]) -> None:
    document = _document(capsys, ["plugins", "--json", "-v"])
    assert set(document) == {"plugins", "failures"}
    sqlite = next(p for p in document["plugins"] if p["name"] == "caredomain_sqlite")  # type: ignore[attr-defined]
    assert set(sqlite) == {"name", "version", "module", "hooks"}
    assert "caredomain_open_store" in sqlite["hooks"]


def test_quiet_hides_the_banners_not_the_result(folder: Path) -> None:
    loud = _run("demo", "--db", "care.db", "--today", "2026-12-20", "--days", "1", cwd=folder)
    quiet = _run(
        "demo", "--db", "care.db", "--today", "2026-12-20", "--days", "1", "-q", cwd=folder
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "plugins  caredomain" in loud.stdout
    assert "plugins  " not in quiet.stdout
    assert "== Mairie de Sarreguemines" in quiet.stdout
    dispatch = _run("notify", "dispatch", "--once", "--db", "care.db", cwd=folder)
    hushed = _run("notify", "dispatch", "--once", "--db", "care.db", "-q", cwd=folder)
    assert any(line.startswith("mail ") for line in dispatch.stdout.splitlines())
    assert not any(line.startswith("mail ") for line in hushed.stdout.splitlines())
    assert "claimed" in hushed.stdout


def test_verbose_logs_on_standard_error(folder: Path) -> None:
    result = _run("plugins", "-v", cwd=folder)
    assert "INFO caredomain.cli: plugins loaded: " in result.stderr
    assert "DEBUG" not in result.stderr
    detailed = _run("gtt", "apply", GTT_FILE, "--db", "care.db", "-vv", "--json", cwd=folder)
    assert "DEBUG caredomain.cli: plugin caredomain_sqlite" in detailed.stderr
    json.loads(detailed.stdout)
    assert "INFO" not in _run("plugins", cwd=folder).stderr


BAD_DATES = [
    ("slots", "why", "--type", "pieces-identite", "--date", "2026-02-30"),
    ("slots", "free", "--type", "pieces-identite", "--from", "2026-02-30"),
    ("roster", "vacancies", "--date", "2026-02-30"),
    ("roster", "edit", "A1001", "2026-02-30", "CA"),
    ("roster", "codes", "A1001", "2026-11-23", "2026-02-30"),
    ("roster", "swap", "A1001", "A1002", "2026-11-23", "2026-02-30"),
    ("visits", "reconcile", "--date", "2026-02-30"),
    ("visits", "log", "--caregiver", "cg-karim", "--date", "2026-02-30"),
    ("demo", "--today", "2026-02-30"),
]


@pytest.mark.parametrize("words", BAD_DATES, ids=" ".join)
def test_a_bad_date_is_one_line_with_the_one_message(
    words: tuple[str, ...], here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*words, "--db", "care.db"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("caredomain: error: ")
    assert err.endswith(": expected a date as YYYY-MM-DD (got '2026-02-30')\n"), err


def test_a_bad_argument_is_one_line_with_exit_status_2(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["roster", "vacancies", "--candidates", "many"]) == 2
    assert capsys.readouterr().err == (
        "caredomain: error: --candidates: expected a whole number of at least 0 (got 'many')\n"
    )
    with pytest.raises(SystemExit) as exit:
        main(["gtt", "history", "--colour"])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("caredomain: error: unrecognized arguments: --colour")
    assert err.count("\n") == 1, err


def test_no_progress_when_standard_error_is_not_a_terminal(folder: Path) -> None:
    result = _run("gtt", "apply", GTT_FILE, "--db", "care.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def _on_a_terminal(*args: str, cwd: Path) -> tuple[int, str]:
    """Run with standard error on a pseudo-terminal; what the terminal received."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "caredomain", *args],
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=follower,
        )
    finally:
        os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    return process.wait(timeout=120), received.decode()


def test_progress_on_a_terminal_only_without_quiet_or_json(folder: Path) -> None:
    status, seen = _on_a_terminal("gtt", "apply", GTT_FILE, "--db", "care.db", cwd=folder)
    assert status == 0
    assert f"applying {GTT_FILE} (file 1 of 1)" in seen
    assert seen.endswith("\r\x1b[K")  # the line is taken away at the end
    for hush in ("-q", "--json"):
        status, seen = _on_a_terminal("gtt", "apply", GTT_FILE, "--db", "care.db", hush, cwd=folder)
        assert status == 0
        assert seen == ""
    status, seen = _on_a_terminal("notify", "dispatch", "--once", "--db", "care.db", cwd=folder)
    assert status == 0
    assert "dispatching the outbox, pass 1" in seen
