"""The command line as the hostile world uses it: files that are not what they claim, stores
that are not stores, arguments at the edges of what Python represents.

Each refusal is checked the same way: exit status 2, one line on standard error naming the
file, the field or the option and what was wrong, no traceback, nothing on standard output,
the store's tables as they were, and no secret of the configuration shown.
Most cases call :func:`caredomain.cli.main` in this process (a subprocess costs ~0.3 s);
those that depend on the process itself (its standard input, a store URL's connection,
the console script) run ``python -m caredomain`` as a user does.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.cli import main

DATA = importlib.resources.files("caredomain.data")
GTT_FILE = "GTT_20261123_100000.csv"
SECRET = "pw-5ecret-for-the-campaign"


def _caredomain(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """As ``tests/test_cli.py`` runs it (with ``env`` added to the environment)."""
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


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's store, made once; each test works on a copy."""
    folder = tmp_path_factory.mktemp("hostile")
    result = _caredomain(
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


def _tables(db: Path) -> str:
    """A digest of every row of every table."""
    with sqlite3.connect(db) as connection:
        return hashlib.sha256("\n".join(connection.iterdump()).encode()).hexdigest()


def _sample(name: str) -> bytes:
    return DATA.joinpath(name).read_bytes()


def _one_error(err: str) -> str:
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    assert err.startswith("caredomain: error: "), err
    return err.removeprefix("caredomain: error: ").rstrip("\n")


def _refused(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> str:
    """Run ``argv`` in this process on ``db``; the one error line, without its prefix."""
    before = _tables(db)
    assert main([*argv, "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert SECRET not in err
    assert _tables(db) == before
    return _one_error(err)


def _run_refused(db: Path, *argv: str, env: dict[str, str] | None = None, stdin: str = "") -> str:
    """Run ``argv`` as a user does, on ``db``; the one error line, without its prefix."""
    before = _tables(db)
    result = _caredomain(*argv, "--db", str(db), cwd=db.parent, env=env, stdin=stdin)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert SECRET not in result.stderr
    assert _tables(db) == before
    return _one_error(result.stderr)


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
    capsys: pytest.CaptureFixture[str], db: Path, command: tuple[str, ...], day: str
) -> None:
    """Days before and after them overflowed Python's dates (an OverflowError traceback)."""
    option = command[command.index("DAY") - 1] if command[1] != "edit" else "DAY"
    error = _refused(capsys, db, *(day if word == "DAY" else word for word in command))
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
    capsys: pytest.CaptureFixture[str], db: Path, command: tuple[str, ...], expected: str
) -> None:
    assert _refused(capsys, db, *command) == expected


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
    capsys: pytest.CaptureFixture[str], db: Path, command: tuple[str, ...]
) -> None:
    """An id echoed in an error cannot forge a second line, nor drive the terminal."""
    error = _refused(capsys, db, *command)
    assert "\n" not in error
    assert "\x1b" not in error
    assert "forged: line" in error or "post\\x1b[2J" in error


def test_an_unknown_installation_is_refused_not_listed_empty(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    error = _refused(capsys, db, "pickup", "alerts", "--installation", "nowhere")
    assert error.startswith("--installation: no such installation (known: rosemont, villeray")


def test_an_unknown_appointment_type_is_refused_not_previewed(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    error = _refused(
        capsys, db, "notify", "preview", "--event", "appointment.created", "--type", "passport",
        "--organisation", "mairie-sarreguemines",
    )  # fmt: skip
    assert error.startswith("--type: no such appointment type (known: pieces-identite")


@pytest.mark.parametrize(
    "command",
    [("access", "enter", "console"), ("access", "password")],
    ids=lambda command: command[1],
)
def test_a_password_asked_of_an_empty_standard_input_is_refused(
    db: Path, command: tuple[str, ...]
) -> None:
    """Without a terminal, getpass read standard input after two warnings, echoing the
    password, and ended in an EOFError's traceback when it was empty."""
    assert _run_refused(db, *command) == (
        "no terminal to ask the password on; give it on standard input with --stdin"
    )
    stdin = _run_refused(db, *command, "--stdin")
    assert stdin == "--stdin: standard input ended before the password"


# -- stores that are not stores -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"postgresql://postgres:{SECRET}@127.0.0.1:1/test", "Connection refused"),
        (f"postgresql://no_such_role:{SECRET}@127.0.0.1:5432/test", 'role "no_such_role"'),
    ],
    ids=["no server", "no such role"],
)
def test_a_database_that_refuses_the_connection_says_why_at_once(
    tmp_path: Path, url: str, expected: str
) -> None:
    """The pool retried for 10 s, logged each attempt with libpq's two-line message, then
    blamed "another unit of work" holding a lock."""
    started = time.monotonic()
    result = _caredomain("roster", "vacancies", "--db", url, cwd=tmp_path)
    assert time.monotonic() - started < 5
    assert result.returncode == 2
    assert SECRET not in result.stderr
    error = _one_error(result.stderr)
    assert error.startswith(url.replace(SECRET, "***") + ": connection failed: "), error
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
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    store: str, expected: str,
) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "not-sqlite.db").write_bytes(b"not a database, " * 100)
    (tmp_path / "folder").mkdir()
    assert main(["roster", "vacancies", "--db", store]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert expected in _one_error(err)
    assert (tmp_path / "not-sqlite.db").read_bytes() == b"not a database, " * 100


# -- configuration files ------------------------------------------------------------------------

LOADERS = {
    "roster load": ("roster", "load", "FILE"),
    "visits load": ("visits", "load", "FILE"),
    "pickup load": ("pickup", "load", "FILE"),
    "notify --config": ("notify", "dispatch", "--once", "--config", "FILE"),
    "gtt --settings": ("gtt", "history", "--settings", "FILE"),
}
BAD_FILES = {
    "not TOML": (b"this is = = not toml\n", ":1: not valid TOML: "),
    "a NUL byte": (b"[roster]\x00\n", ":1: not valid TOML: "),
    "latin-1": (b"# caf\xe9\n", ":1: not UTF-8: byte 0xe9 at offset 5 (save the file as UTF-8)"),
    "UTF-16": ("[roster]\n".encode("utf-16"), ":1: not UTF-8: byte 0xff at offset 0"),
    "binary": (bytes(range(256)), ":2: not UTF-8: byte 0x80 at offset 128"),
}


@pytest.mark.parametrize("bad", BAD_FILES.values(), ids=BAD_FILES.keys())
@pytest.mark.parametrize("command", LOADERS.values(), ids=LOADERS.keys())
def test_a_file_that_is_not_toml_names_its_line(
    capsys: pytest.CaptureFixture[str], db: Path, command: tuple[str, ...], bad: tuple[bytes, str]
) -> None:
    data, expected = bad
    path = db.parent / "hostile.toml"
    path.write_bytes(data)
    error = _refused(capsys, db, *(str(path) if word == "FILE" else word for word in command))
    assert error.startswith(f"{path}{expected}"), error


@pytest.mark.parametrize("where", ["a folder", "a missing folder"])
@pytest.mark.parametrize("command", LOADERS.values(), ids=LOADERS.keys())
def test_a_file_that_cannot_be_read_is_named(
    capsys: pytest.CaptureFixture[str], db: Path, command: tuple[str, ...], where: str
) -> None:
    path = db.parent / ("folder" if where == "a folder" else "missing/x.toml")
    if where == "a folder":
        path.mkdir()
    reason = "Is a directory" if where == "a folder" else "No such file or directory"
    error = _refused(capsys, db, *(str(path) if word == "FILE" else word for word in command))
    assert error == f"{path}: cannot read: {reason}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_named(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    path = db.parent / "ward.toml"
    path.write_bytes(_sample("sample_ward.toml"))
    path.chmod(0)
    error = _refused(capsys, db, "roster", "load", str(path))
    assert error == f"{path}: cannot read: Permission denied"


ORGANISATION_FILE = _sample("sample_organisation.toml").decode()
ATTEMPTS = "notifications.max_attempts"
FROM_1_TO_100 = "expected a whole number from 1 to 100"
AN_INTEGER = "expected a whole number (an integer)"


@pytest.mark.parametrize(
    ("appended", "expected"),
    [
        ("[notifications]\nmax_attempts = 'ten'", f"{ATTEMPTS}: {AN_INTEGER}, not text"),
        ("[notifications]\nmax_attempts = -1", f"{ATTEMPTS}: {FROM_1_TO_100}"),
        ("[notifications]\nmax_attempts = 9223372036854775807", f"{ATTEMPTS}: {FROM_1_TO_100}"),
        ("[notifications]\nmail = ['smtp']", "notifications.mail: expected a table, not an array"),
        ("[notifications]\nreminder_leed = '6h'", "notifications: unknown keys: reminder_leed"),
        ("[bogus]\nx = 1", "unknown keys: bogus"),
    ],
    ids=["text for a number", "negative", "huge", "a list for a table", "misspelt", "unknown"],
)  # fmt: skip
def test_a_value_of_the_wrong_kind_is_named_by_its_path(
    capsys: pytest.CaptureFixture[str], db: Path, appended: str, expected: str
) -> None:
    path = db.parent / "town.toml"
    path.write_text(f"{ORGANISATION_FILE}\n{appended}\n")
    error = _refused(capsys, db, "notify", "dispatch", "--once", "--config", str(path))
    assert error.startswith(f"{path}: "), error
    assert expected in error


def test_a_required_table_missing_is_named(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    path = db.parent / "agency.toml"
    path.write_bytes(b"# 50 MB of nothing\n" + b"#" * 50_000_000 + b"\n")
    error = _refused(capsys, db, "visits", "load", str(path))
    assert error == f"{path}: organisation: required but missing"


@pytest.mark.parametrize(
    "data", [b"", b"# 50 MB of nothing\n" + b"#" * 50_000_000 + b"\n"], ids=["empty", "50 MB"]
)
def test_a_ward_file_with_nothing_in_it_leaves_the_roster_as_it_was(
    capsys: pytest.CaptureFixture[str], db: Path, data: bytes
) -> None:
    """It was loaded as a ward with every setting at its default: the roster's organisation
    and feed schedule were wiped, and the command said "loaded"."""
    path = db.parent / "ward.toml"
    path.write_bytes(data)
    error = _refused(capsys, db, "roster", "load", str(path))
    assert error == (
        f"{path}: nothing to load: expected [roster], [[codes]], [[agents]], [[plannings]] "
        "or [[posts]]"
    )


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("hophop = [1]", "hophop: expected a table, not an array (got '[1]')"),
        ("[hophop]\ntimeout = [1]", "hophop.timeout: expected text, not an array (got '[1]')"),
    ],
    ids=["a list for the table", "a list for a setting"],
)
def test_a_platform_settings_file_is_named_in_its_errors(
    capsys: pytest.CaptureFixture[str], db: Path, table: str, expected: str
) -> None:
    path = db.parent / "hophop.toml"
    path.write_text(f'{table}\n[other]\ntoken = "{SECRET}"\n')
    error = _refused(capsys, db, "pickup", "serve", "--settings", str(path))
    assert error == f"{path}: {expected}"


OUT_OF_TIMEDELTA = {
    "pickup load": (
        "sample_daycare.toml",
        ("preparation_minutes = 5", "preparation_minutes = 99999999999999"),
        "installations[0].hophop.preparation: a preparation time is more than zero and at "
        "most two hours (got '99999999999999')",
    ),
    "roster load": (
        "sample_ward.toml",
        ("minimum_rest_hours = 11", "minimum_rest_hours = 1e300"),
        "roster.minimum_rest_hours: must be between 0 and 48 hours (got '1e+300')",
    ),
}


@pytest.mark.parametrize("case", OUT_OF_TIMEDELTA.values(), ids=OUT_OF_TIMEDELTA.keys())
def test_a_duration_no_timedelta_holds_is_refused_by_its_key(
    capsys: pytest.CaptureFixture[str], db: Path, case: tuple[str, tuple[str, str], str]
) -> None:
    """Both ended in an OverflowError traceback."""
    sample, (old, new), expected = case
    text = _sample(sample).decode()
    assert old in text
    path = db.parent / sample
    path.write_text(text.replace(old, new, 1))
    command = "pickup" if "daycare" in sample else "roster"
    assert _refused(capsys, db, command, "load", str(path)) == f"{path}: {expected}"


SMTP = (
    "\n[notifications.mail]\nsender = 'smtp'\n[notifications.mail.settings]\n"
    "host = '127.0.0.1'\nport = 1\nusername = 'u'\nfrom = 'a@b.example'\n"
    "password_env = 'CAMPAIGN_SMTP_PASSWORD'\n"
)


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_secret_named_by_the_configuration_must_be_set(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("CAMPAIGN_SMTP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", value)
    path = db.parent / "town.toml"
    path.write_text(ORGANISATION_FILE + SMTP)
    error = _refused(capsys, db, "notify", "dispatch", "--once", "--config", str(path))
    state = "not set" if value is None else "empty"
    assert error == (
        f"notifications.mail.settings.password_env: the environment variable it names is {state} "
        "(got 'CAMPAIGN_SMTP_PASSWORD')"
    )


def test_a_secret_is_never_shown(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", SECRET)
    path = db.parent / "town.toml"
    path.write_text(ORGANISATION_FILE + SMTP)
    main(["notify", "dispatch", "--once", "-vv", "--config", str(path), "--db", str(db)])
    out, err = capsys.readouterr()
    assert "password=***" in out
    assert SECRET not in out + err


# -- GTT exports --------------------------------------------------------------------------------

EXPORT = _sample(GTT_FILE)
ROW = EXPORT.split(b"\n")[2]  # A1001;Martin;Claire;23/11/2026;M


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", ":1: no extraction time: expected 'Extraction;%d/%m/%Y %H:%M'"),
        (EXPORT.replace(b";", b","), ":1: no extraction time: expected"),
        (EXPORT.replace(b";", b"\x00;", 1), ":1: no extraction time: expected"),
        (b"\x93\xff" + bytes(range(256)), ":1: byte 0x93 cannot be read as utf-8-sig"),
        (EXPORT[:60] + b"A1001;" + b"x" * 2_000_000 + b"\n", ": not readable as CSV: field larger"),
    ],
    ids=["empty", "wrong delimiter", "NUL byte", "binary", "an enormous line"],
)  # fmt: skip
def test_an_export_that_is_not_one_is_refused_whole(
    capsys: pytest.CaptureFixture[str], db: Path, data: bytes, expected: str
) -> None:
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(data)
    error = _refused(capsys, db, "gtt", "apply", str(path))
    assert error.startswith(f"{path}{expected}"), error


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (b"A1001;Martin;Claire;23/11/0000;M", "not a day: '23/11/0000'"),
        (b"A1001;Martin;Claire;23/11/10000;M", "not a day: '23/11/10000'"),
        (b"A1001;Martin;Claire;30/02/2026;M", "not a day: '30/02/2026'"),
        (b"A10\x1b[2J01;Martin;Claire;23/11/2026;M", "unknown agent"),
    ],
    ids=["year 0", "year 10000", "30 February", "an id with an escape"],
)
def test_a_bad_row_refuses_a_strict_export_and_applies_nothing(
    capsys: pytest.CaptureFixture[str], db: Path, row: bytes, reason: str
) -> None:
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(EXPORT.replace(ROW, row, 1))
    before = _tables(db)
    assert main(["gtt", "apply", str(path), "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert "REFUSED, nothing applied" in out
    assert "rejected line 3: " in out, out
    assert reason in out, out
    assert "\x1b" not in out + err
    assert _tables(db) == before


# -- French, and random bytes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [{"CAREDOMAIN_LANG": "fr"}, {"CAREDOMAIN_LANG": "", "LANG": "fr_FR.UTF-8"}],
    ids=["env", "locale"],
)
def test_help_and_errors_in_french(tmp_path: Path, how: dict[str, str]) -> None:
    help = _caredomain("roster", "vacancies", "--help", cwd=tmp_path, env=how)
    assert help.returncode == 0
    assert "le fichier SQLite du stockage" in help.stdout, help.stdout
    refused = _caredomain("roster", "vacancies", "--date", "9999-12-31", cwd=tmp_path, env=how)
    assert refused.returncode == 2
    assert refused.stderr.startswith("caredomain : erreur : --date : ")
    assert "Traceback" not in refused.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_ward_file_or_an_export(
    capsys: pytest.CaptureFixture[str], db: Path, data: bytes
) -> None:
    """Whatever the bytes: saved (they may be a valid ward), or one error line."""
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(data)
    for command in (["roster", "load", str(path)], ["gtt", "apply", str(path)]):
        status = main([*command, "--db", str(db)])
        _, err = capsys.readouterr()
        assert status in (0, 2)
        if status == 2 and err:
            _one_error(err)
