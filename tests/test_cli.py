"""The command line, run as a user runs it: in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from caredomain import __version__


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
    assert result.stderr.startswith("caredomain: error: days: at least one day")
    assert "Traceback" not in result.stderr
