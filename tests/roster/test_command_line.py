"""``caredomain roster`` and ``caredomain gtt`` as a user runs them, the demo's roster
chapter, and the benchmark script on a small export."""

from __future__ import annotations

import importlib.resources
import json
import shutil
import subprocess
import sys
from pathlib import Path

DATA = importlib.resources.files("caredomain.data")
ROOT = Path(__file__).parents[2]
FIRST, SECOND = "GTT_20261122_180000.csv", "GTT_20261123_100000.csv"


def caredomain(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def sample(name: str, folder: Path) -> Path:
    with importlib.resources.as_file(DATA.joinpath(name)) as path:
        return Path(shutil.copy(path, folder / name))


def test_load_apply_and_see_the_vacancy_with_its_candidates(tmp_path: Path) -> None:
    ward = sample("sample_ward.toml", tmp_path)
    loaded = caredomain("roster", "load", str(ward), cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr
    assert "9 agents, 1 plannings, 12 posts" in loaded.stdout
    applied = caredomain(
        "gtt", "apply", str(sample(FIRST, tmp_path)), str(sample(SECOND, tmp_path)), cwd=tmp_path
    )
    assert applied.returncode == 0, applied.stderr
    out = applied.stdout
    assert "  rows read 27, applied 27, unchanged 0, stale 0, rejected 0" in out
    assert "  unassigned: A1001 off cardio-2026-11-24-M-IDE on 2026-11-24 (MAL)" in out
    assert "    cardio-2026-11-24-M-IDE  Cardiologie  2026-11-24 06h45-14h15  0/1" in out
    assert "      1. A1007 Emma Roux: 0 h this week, no shift around" in out
    vacancies = caredomain("roster", "vacancies", "--date", "2026-11-24", cwd=tmp_path)
    assert vacancies.stdout.splitlines()[0] == (
        "cardio-2026-11-24-M-IDE  Cardiologie  2026-11-24 06h45-14h15  0/1"
    )
    assert caredomain("roster", "vacancies", "--date", "2026-11-25", cwd=tmp_path).stdout == (
        "no vacant post on 2026-11-25\n"
    )
    explained = caredomain(
        "roster", "candidates", "cardio-2026-11-24-M-IDE", "--explain", cwd=tmp_path
    )
    assert "   excluded A1001 Claire Martin: absent: MAL" in explained.stdout
    refused = caredomain("roster", "assign", "cardio-2026-11-24-M-IDE", "A1002", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith("caredomain: error: [roster.cannot_assign] A1002 cannot take")
    assert "Traceback" not in refused.stderr
    edited = caredomain("roster", "edit", "A1005", "2026-11-25", "CA", cwd=tmp_path)
    assert "not sent to the GTT" in edited.stdout
    assert "event AgentUnassigned" in edited.stdout
    pending = caredomain("roster", "pending", cwd=tmp_path)
    assert "A1005 2026-11-25 CA (was M) by cli" in pending.stdout
    codes = caredomain("roster", "codes", "A1005", "2026-11-24", "2026-11-25", cwd=tmp_path)
    assert "2026-11-25  CA    local edit by cli, GTT says M" in codes.stdout


def test_a_bad_file_is_one_line_of_error_and_the_others_still_apply(tmp_path: Path) -> None:
    caredomain("roster", "load", str(sample("sample_ward.toml", tmp_path)), cwd=tmp_path)
    broken = tmp_path / "broken.csv"
    broken.write_text("Matricule;Date;Code\n", encoding="utf-8")
    result = caredomain("gtt", "apply", str(broken), str(sample(FIRST, tmp_path)), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"caredomain: error: {broken}:1: no extraction time")
    assert "applied 27" in result.stdout
    lenient = caredomain(
        "gtt", "--set", "policy=lenient", "--set", "oops", "apply", str(broken), cwd=tmp_path
    )
    assert lenient.returncode == 2
    assert "expected KEY=VALUE" in lenient.stderr


def test_watch_a_folder_once_and_list_the_files_applied(tmp_path: Path) -> None:
    caredomain("roster", "load", str(sample("sample_ward.toml", tmp_path)), cwd=tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sample(SECOND, inbox)
    sample(FIRST, inbox)
    watched = caredomain("gtt", "watch", "inbox", "--once", cwd=tmp_path)
    assert watched.returncode == 0, watched.stderr
    lines = watched.stdout.splitlines()
    assert lines[0] == "watching inbox every 2h (Europe/Paris)"
    assert lines[1] == f"inbox/{FIRST} -> inbox/done/{FIRST}"  # the older extraction first
    assert f"inbox/{SECOND} -> inbox/done/{SECOND}" in lines
    history = caredomain("gtt", "history", cwd=tmp_path)
    assert history.stdout.count("inbox/GTT_") == 2


def test_the_demo_tells_the_story_of_faq_1(tmp_path: Path) -> None:
    result = caredomain("demo", "--db", "demo.db", "--days", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "== Roster: Cardiologie, planning cardio-s48 (published)" in out
    assert "GTT_20261123_100000.csv (extracted 2026-11-23T10:00+01:00)" in out
    assert "  unassigned: A1001 off cardio-2026-11-24-M-IDE on 2026-11-24 (MAL)" in out
    assert "  cardio-2026-11-24-M-IDE  Cardiologie  2026-11-24 06h45-14h15  0/1" in out
    assert "    1. A1007 Emma Roux: 0 h this week, no shift around" in out
    assert (
        caredomain("demo", "--db", "demo.db", "--days", "1", cwd=tmp_path).stdout.count("0/1") >= 2
    )


def test_the_benchmark_runs_on_a_small_export() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "gtt_feed.py"),
            "--rows",
            "2000",
            "--agents-for-candidates",
            "2000",
            "--queries",
            "20",
            "--repeat",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["rows"] == 2000
    for key in ("apply_ratio", "reapply_ratio", "candidates_ms", "peak_ratio"):
        assert figures[key] > 0
    assert figures["peak_rows"] == [2000, 10000]
    assert len(figures["peak_mb"]) == 2
    assert "bare csv.reader pass" in result.stdout
    assert "peak memory of an apply" in result.stdout
    assert "load average" in result.stdout
