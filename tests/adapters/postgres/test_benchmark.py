"""The stores benchmark runs, small, on both stores, and prints its figures as JSON on its
last line: no double booking, no duplicate, a GTT ratio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import Server

SCRIPT = Path(__file__).parents[3] / "benchmarks" / "stores.py"


def test_the_stores_benchmark_reports_its_figures(postgres: Server, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *("--counters", "10", "--attempts", "5", "--messages", "30"),
            *("--rows", "2000", "--repeat", "1", "--json"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "CAREDOMAIN_BENCH_POSTGRES": postgres.url},
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["double_bookings"] == 0
    assert figures["duplicates"] == 0
    assert figures["gtt_copy_ratio"] > 0
    for kind in ("sqlite", "postgresql"):
        assert figures[kind]["bookings"]["booked"] > 0
        assert figures[kind]["outbox"]["received"] == 30
    assert "load average before" in result.stdout
