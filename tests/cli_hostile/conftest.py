"""What the command line's hostile-input campaign shares: the demo's store (made once, a
copy for each test) and :class:`Campaign`, which runs a command and checks a refusal the
same way everywhere — exit status 2, one line on standard error and no traceback, nothing
on standard output, the store's tables as they were, and the campaign's secret not shown."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from caredomain.cli import main


class Campaign:
    """Runs commands of the campaign; its refusals are checked as the module says."""

    secret = "pw-5ecret-for-the-campaign"
    """Put in configurations and URLs: never to be shown."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    @staticmethod
    def run(
        *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        """``python -m caredomain`` as a user runs it (with ``env`` added to the
        environment), as ``tests/test_cli.py`` does."""
        return subprocess.run(
            [sys.executable, "-m", "caredomain", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, **(env or {})},
            input=stdin,
        )

    @staticmethod
    def tables(db: Path) -> str:
        """A digest of every row of every table."""
        with sqlite3.connect(db) as connection:
            return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()

    @staticmethod
    def one_error(err: str) -> str:
        """The one error line of ``err``, without its prefix."""
        assert "Traceback" not in err
        assert err.count("\n") == 1, err
        assert err.startswith("caredomain: error: "), err
        return err.removeprefix("caredomain: error: ").rstrip("\n")

    def error(self) -> str:
        """The one error line a command run in this process wrote, nothing on standard
        output."""
        out, err = self._capsys.readouterr()
        assert out == ""
        return self.one_error(err)

    def refused(self, db: Path, *argv: str) -> str:
        """Run ``argv`` in this process on ``db``; the one error line, without its prefix."""
        before = self.tables(db)
        assert main([*argv, "--db", str(db)]) == 2
        error = self.error()
        assert self.secret not in error
        assert self.tables(db) == before
        return error

    def run_refused(
        self, db: Path, *argv: str, env: dict[str, str] | None = None, stdin: str = ""
    ) -> str:
        """Run ``argv`` as a user does, on ``db``; the one error line, without its prefix."""
        before = self.tables(db)
        result = self.run(*argv, "--db", str(db), cwd=db.parent, env=env, stdin=stdin)
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        assert self.secret not in result.stderr
        assert self.tables(db) == before
        return self.one_error(result.stderr)


@pytest.fixture
def campaign(capsys: pytest.CaptureFixture[str]) -> Campaign:
    return Campaign(capsys)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's store, made once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("hostile")
    result = Campaign.run(
        "demo", "--db", "care.db", "--today", "2026-12-20", "--days", "1", "-q", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    return folder / "care.db"


@pytest.fixture
def db(demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "care.db"
    shutil.copy(demo_store, copy)
    return copy
