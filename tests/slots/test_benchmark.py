"""The slot benchmark runs on a small town and reports its figures as JSON on its last line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "slots.py"
KEYS = {"slots", "slots_per_s", "naive_slots_per_s", "speedup", "query_ms", "refresh_one_ratio"}


def test_the_benchmark_prints_its_figures_as_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--counters", "12", "--repeat", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    figures = json.loads(lines[-1])
    assert figures.keys() >= KEYS
    assert figures["counters"] == 12
    # The planner and the naive loop cut the same slots (no change of offset in the window).
    assert figures["slots"] == figures["naive_slots"] > 10_000
    ratio = figures["slots_per_s"] / figures["naive_slots_per_s"]
    assert abs(figures["speedup"] - ratio) < 0.01 * ratio
    assert figures["query_ms"] > 0
    assert figures["query_slots"] > 0
    assert 0 < figures["refresh_one_ratio"] < 1
    assert any(line.startswith("plan ") for line in lines[:-1])


def test_the_benchmark_refuses_a_town_without_counters(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--counters", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--counters and --repeat must be at least 1" in result.stderr
