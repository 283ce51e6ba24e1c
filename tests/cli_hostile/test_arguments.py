"""The command line as the hostile world uses it, its arguments: days at the edge of the
calendar, numbers no timedelta holds, ids with control characters, a password asked with no
terminal, stores that are not stores (another file, a folder, a PostgreSQL server that refuses).

Each refusal is checked the same way: exit status 2, one line on standard error naming the
option and what was wrong, no traceback, nothing on standard output, the store's tables as
they were, and no secret shown. Most cases call :func:`caredomain.cli.main` in this process
(a subprocess costs ~0.3 s); those that depend on the process itself (its standard input, a
store URL's connection) run ``python -m caredomain`` as a user does. The files a command
reads are ``test_files.py``'s; what both share is in the ``conftest.py`` beside them.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from caredomain.cli import main

if TYPE_CHECKING:
    from conftest import Campaign


# -- arguments ----------------------------------------------------------------------------------

DATED = {
    "roster vacancies": ("roster", "vacancies", "--date", "DAY"),
    "roster edit": ("roster", "edit", "A1001", "DAY", "CA"),
    "slots free": ("slots", "free", "--type", "pieces-identite", "--from", "DAY"),
    "slots why": ("slots", "why", "--type", "pieces-identite", "--date", "DAY"),
    "visits reconcile": ("visits", "reconcile", "--date", "DAY"),
    "demo": ("demo", "--today", "DAY"),
}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("command", DATED.values(), ids=DATED.keys())
def test_a_day_at_the_edge_of_the_calendar_is_refused(
    campaign: Campaign, db: Path, command: tuple[str, ...], day: str
) -> None:
    """Days before and after them overflowed Python's dates (an OverflowError traceback)."""
    option = command[command.index("DAY") - 1] if command[1] != "edit" else "DAY"
    error = campaign.refused(db, *(day if word == "DAY" else word for word in command))
    assert error == f"{option}: expected a date from 1900-01-01 to 2999-12-31 (got '{day}')"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            ("roster", "vacancies", "--date", "2026-02-30"),
            "--date: expected a date as YYYY-MM-DD (got '2026-02-30')",
        ),
        (
            ("roster", "vacancies", "--date", "10000-01-01"),
            "--date: expected a date as YYYY-MM-DD (got '10000-01-01')",
        ),
        (
            ("demo", "--days", "100000000000"),
            "--days: expected a whole number from 1 to 3660 (got '100000000000')",
        ),
        (
            ("notify", "dispatch", "--interval", "nan"),
            "--interval: expected a finite number (got 'nan')",
        ),
        (
            ("notify", "dispatch", "--interval", "inf"),
            "--interval: expected a finite number (got 'inf')",
        ),
        (
            ("gtt", "watch", ".", "--every", "99999999999h", "--once"),
            "every: between every hour and once a day, in whole minutes (got '99999999999h')",
        ),
        (
            ("gtt", "watch", ".", "--at", "", "--once"),
            "at: expected a time of day HH:MM (got '')",
        ),
        (
            ("pickup", "serve", "--port", "99999"),
            "--port: expected a whole number from 0 to 65535 (got '99999')",
        ),
        (
            (
                "access",
                "breakglass",
                "quote",
                "i1",
                "--ticket",
                "T1",
                "--quote",
                "Q",
                "--amount",
                "1e400",
            ),
            "--amount: expected an amount such as 450.00 (got '1e400')",
        ),
        (
            ("events", "follow", "--from", "-1"),
            "--from: expected a whole number of at least 0 (got '-1')",
        ),
        (
            ("gtt", "apply", "x.csv", "--set", "delimiter=\n"),
            "delimiter: a delimiter is one character such as ; , | or tab (got '\\n')",
        ),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "",
)
def test_a_malformed_argument_is_refused_by_its_option(
    campaign: Campaign, db: Path, command: tuple[str, ...], expected: str
) -> None:
    assert campaign.refused(db, *command) == expected


@pytest.mark.parametrize(
    "command",
    [
        ("pickup", "call", "p1\nforged: line"),
        ("access", "users", "--configuration", "c1\nforged: line"),
        ("roster", "candidates", "post\x1b[2J"),
    ],
    ids=lambda command: command[1],
)
def test_an_id_with_control_characters_stays_on_its_line(
    campaign: Campaign, db: Path, command: tuple[str, ...]
) -> None:
    """An id echoed in an error cannot forge a second line, nor drive the terminal."""
    error = campaign.refused(db, *command)
    assert "\n" not in error
    assert "\x1b" not in error
    assert "forged: line" in error or "post\\x1b[2J" in error


def test_an_unknown_installation_is_refused_not_listed_empty(campaign: Campaign, db: Path) -> None:
    error = campaign.refused(db, "pickup", "alerts", "--installation", "nowhere")
    assert error.startswith("--installation: no such installation (known: rosemont, villeray")


def test_an_unknown_appointment_type_is_refused_not_previewed(campaign: Campaign, db: Path) -> None:
    error = campaign.refused(
        db, "notify", "preview", "--event", "appointment.created", "--type", "passport",
        "--organisation", "mairie-sarreguemines",
    )  # fmt: skip
    assert error.startswith("--type: no such appointment type (known: pieces-identite")


@pytest.mark.parametrize(
    "command",
    [("access", "enter", "console"), ("access", "password")],
    ids=lambda command: command[1],
)
def test_a_password_asked_of_an_empty_standard_input_is_refused(
    campaign: Campaign, db: Path, command: tuple[str, ...]
) -> None:
    """Without a terminal, getpass read standard input after two warnings, echoing the
    password, and ended in an EOFError's traceback when it was empty."""
    assert campaign.run_refused(db, *command) == (
        "no terminal to ask the password on; give it on standard input with --stdin"
    )
    stdin = campaign.run_refused(db, *command, "--stdin")
    assert stdin == "--stdin: standard input ended before the password"


# -- stores that are not stores -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://postgres:{secret}@127.0.0.1:1/test", "Connection refused"),
        ("postgresql://no_such_role:{secret}@127.0.0.1:5432/test", 'role "no_such_role"'),
    ],
    ids=["no server", "no such role"],
)
def test_a_database_that_refuses_the_connection_says_why_at_once(
    campaign: Campaign, tmp_path: Path, url: str, expected: str
) -> None:
    """The pool retried for 10 s, logged each attempt with libpq's two-line message, then
    blamed "another unit of work" holding a lock."""
    url = url.format(secret=campaign.secret)
    started = time.monotonic()
    result = campaign.run("roster", "vacancies", "--db", url, cwd=tmp_path)
    assert time.monotonic() - started < 5
    assert result.returncode == 2
    assert campaign.secret not in result.stderr
    error = campaign.one_error(result.stderr)
    assert error.startswith(url.replace(campaign.secret, "***") + ": connection failed: "), error
    assert expected in error


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        ("not-sqlite.db", "cannot open as a SQLite database (got 'file is not a database')"),
        ("folder", "--db: no such store file (run `caredomain demo` to create one)"),
        ("missing/care.db", "--db: no such store file (run `caredomain demo` to create one)"),
        ("postgresql://[::1/test", "postgresql://[::1/test: malformed URL: Invalid IPv6 URL"),
        ("postgresql://127.0.0.1:99999/test", "malformed URL: Port out of range 0-65535"),
        ("foo://bar", "url: no plugin opens stores of scheme 'foo'"),
    ],
)
def test_a_store_that_is_not_one_is_refused(
    campaign: Campaign, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str,
    expected: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-sqlite.db").write_bytes(b"not a database, " * 100)
    (tmp_path / "folder").mkdir()
    assert main(["roster", "vacancies", "--db", store]) == 2
    assert expected in campaign.error()
    assert (tmp_path / "not-sqlite.db").read_bytes() == b"not a database, " * 100
