"""The service-path benchmark runs on a small town and reports its figures as JSON last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "service_path.py"
KEYS = {
    "booking_ratio",
    "query_ratio",
    "lock_hold_ms",
    "cold_booking_ms",
    "statements_per_booking",
    "sqlite_booking_ms",
    "sqlite_ratio",
    "outside_sqlite_ratio",
    "load",
    "synchronous",
}


def test_the_benchmark_prints_its_figures_as_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARK),
            *("--counters", "24", "--bookings", "10", "--rounds", "2", "--operations", "3"),
            "--json",
        ],
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
    assert figures["counters"] == 24
    # Every operation was timed on both sides, and the ratios are the medians' ratios.
    assert figures["timed"] == {"booking": 6, "query": 6}
    ratio = figures["store_booking_ms"] / figures["core_booking_ms"]
    assert abs(figures["booking_ratio"] - ratio) <= 0.01 * ratio + 0.01
    assert figures["lock_hold_ms"] > 0
    # BEGIN IMMEDIATE; the base, the settings' version, the plan basis, the slot's seats;
    # the appointment, its event; COMMIT. A ninth statement is work every booking pays for.
    assert 2 <= figures["statements_per_booking"] <= 8
    assert len(figures["load"]["before"]) == len(figures["load"]["after"]) == 3
    assert any(line.startswith("  booking ") for line in lines[:-1])
    assert any("load average" in line for line in lines[:-1])


def test_the_benchmark_refuses_an_empty_town(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--counters", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "must be at least 1" in result.stderr
