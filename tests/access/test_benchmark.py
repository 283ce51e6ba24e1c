"""The access benchmark runs small and reports its figures as JSON on its last line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).parents[2] / "benchmarks" / "access.py"
KEYS = {"tenancy_ratio", "audit_ratio", "audit_per_s", "argon2id_verify_ms", "load_1m"}


def test_the_benchmark_prints_its_figures_as_json(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARK), "--entries", "300", "--rounds", "1", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures.keys() >= KEYS
    assert figures["audit_entries"] == 300
    assert all(figures[key] > 0 for key in KEYS)
