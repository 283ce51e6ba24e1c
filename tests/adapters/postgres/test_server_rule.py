"""Where no PostgreSQL server answers, the PostgreSQL tests are skipped with a one-line
reason; with ``CAREDOMAIN_REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets it) they fail instead."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ONE_TEST = f"{HERE / 'test_url.py'}::test_a_store_shows_its_url_masked"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def _run(require: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CAREDOMAIN_TEST_POSTGRES": f"postgresql://postgres@127.0.0.1:{_closed_port()}/test",
    }
    env.pop("CAREDOMAIN_REQUIRE_POSTGRES", None)
    if require is not None:
        env["CAREDOMAIN_REQUIRE_POSTGRES"] = require
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:randomly", ONE_TEST],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=HERE.parents[2],
    )


@pytest.mark.parametrize("require", [None, "0"])
def test_without_a_server_the_tests_are_skipped_with_a_reason(require: str | None) -> None:
    result = _run(require)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "no PostgreSQL server at postgresql://postgres@127.0.0.1:" in result.stdout


def test_without_a_server_the_tests_fail_when_required() -> None:
    result = _run("1")
    assert result.returncode != 0, result.stdout
    assert "CAREDOMAIN_REQUIRE_POSTGRES=1" in result.stdout
    assert "1 passed" not in result.stdout
