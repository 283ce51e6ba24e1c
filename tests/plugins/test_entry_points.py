"""Plugins found through real entry points, in a child process with its own sys.path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = """
from caredomain import hookimpl
from caredomain.notifications.ports import SenderSpec

@hookimpl
def caredomain_senders(register):
    register(SenderSpec("pigeon", "mail", create=lambda settings: None))
"""
BROKEN = "import module_that_does_not_exist\n"
LIST_SENDERS = (
    "import os; from caredomain.plugins import load_plugins; "
    "print(sorted(load_plugins(os.environ).sender_specs()))"
)


def _distribution(site: Path, name: str, source: str) -> None:
    (site / f"{name}.py").write_text(source, encoding="utf-8")
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[caredomain]\n{name} = {name}\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    _distribution(tmp_path, "thirdparty_good", GOOD)
    _distribution(tmp_path, "thirdparty_broken", BROKEN)
    return tmp_path


def _run(site: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CAREDOMAIN_")}
    env["CAREDOMAIN_LANG"] = "en"  # the texts these tests assert
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env.update(variables)
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_a_plugin_registered_through_an_entry_point_is_found_and_called(site: Path) -> None:
    listed = _run(site, "-m", "caredomain", "plugins")
    assert "thirdparty_good 1.0  (thirdparty_good)\n    caredomain_senders" in listed.stdout
    called = _run(site, "-c", LIST_SENDERS)
    assert "'pigeon'" in called.stdout, called.stdout + called.stderr


def test_a_broken_plugin_is_reported_by_name_and_the_others_still_load(site: Path) -> None:
    listed = _run(site, "-m", "caredomain", "plugins")
    assert listed.returncode == 1
    assert "thirdparty_broken  NOT LOADED" in listed.stdout
    assert "module_that_does_not_exist" in listed.stdout
    assert "plugin not loaded: thirdparty_broken" in listed.stderr
    assert "caredomain_sqlite" in listed.stdout
    assert "thirdparty_good" in listed.stdout


def test_strict_mode_makes_a_broken_plugin_fatal(site: Path) -> None:
    listed = _run(site, "-m", "caredomain", "plugins", CAREDOMAIN_PLUGINS_STRICT="1")
    assert listed.returncode == 2
    assert "thirdparty_broken" in listed.stderr
    assert "Traceback" not in listed.stderr


def test_disabled_plugins_are_left_out(site: Path) -> None:
    listed = _run(
        site,
        "-m",
        "caredomain",
        "plugins",
        CAREDOMAIN_DISABLE_PLUGINS="thirdparty_broken, thirdparty_good",
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "thirdparty" not in listed.stdout + listed.stderr
