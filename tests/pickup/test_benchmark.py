"""The pickup benchmark runs on a few parents and reports its figures as JSON on its last
line: one alert per parent, the engine's ratio to a bare parse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "pickup.py"
KEYS = {"alerts", "engine_ratio", "bare_ms", "engine_ms", "parents", "updates"}


def run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BENCHMARK), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_benchmark_prints_its_figures_as_json() -> None:
    result = run("--parents", "100", "--updates", "1000", "--rounds", "2", "--json")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures.keys() >= KEYS
    assert (figures["parents"], figures["updates"], figures["alerts"]) == (100, 1000, 100)
    assert figures["bare_ms"] > 0
    ratio = figures["engine_ms"] / figures["bare_ms"]
    assert abs(figures["engine_ratio"] - ratio) < 0.01 * ratio + 0.01
    assert any(line.startswith("alerts 100 ") for line in lines[:-1])


def test_each_parent_alerts_once_when_updates_do_not_divide_evenly() -> None:
    result = run("--parents", "7", "--updates", "30", "--rounds", "1", "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert (figures["updates"], figures["alerts"]) == (30, 7)


def test_the_benchmark_refuses_fewer_updates_than_parents() -> None:
    result = run("--parents", "10", "--updates", "5")
    assert result.returncode == 2
    assert "--updates at least --parents" in result.stderr
