"""The dispatch benchmark runs, small, and prints its figures as JSON on its last line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "dispatch.py"


def test_the_dispatch_benchmark_reports_its_figures(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--messages", "60", "--batch", "25", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"messages", "outbox_per_s", "bare_per_s", "ratio"} <= set(figures)
    assert figures["messages"] == 60
    assert figures["received"] == 120  # every mail reached the server, both ways
    assert figures["outbox_per_s"] > 0
    assert figures["bare_per_s"] > 0
    assert abs(figures["ratio"] - figures["outbox_per_s"] / figures["bare_per_s"]) < 0.01
    assert figures["rounds"] == 3  # 25, 25 and 10 mails each way, in turns
    low, high = figures["round_ratios"]
    assert low - 0.001 <= figures["ratio"] <= high + 0.001  # a mean of the rounds' ratios
