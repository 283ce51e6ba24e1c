"""The command line as the hostile world uses it, its files: configuration files that are
not TOML, not UTF-8, of the wrong kinds, empty, huge or unreadable; secrets named by the
configuration and unset, empty or shown; GTT exports that are not exports; random bytes; and
the French help. The arguments are ``test_arguments.py``'s.

Each refusal is checked the same way: exit status 2, one line on standard error naming the
file and the key or line at fault and what was wrong, no traceback, nothing on standard
output, the store's tables as they were, and no secret shown.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.cli import main

if TYPE_CHECKING:
    from conftest import Campaign

DATA = importlib.resources.files("caredomain.data")
GTT_FILE = "GTT_20261123_100000.csv"


def _sample(name: str) -> bytes:
    return DATA.joinpath(name).read_bytes()


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
    campaign: Campaign, db: Path, command: tuple[str, ...], bad: tuple[bytes, str]
) -> None:
    data, expected = bad
    path = db.parent / "hostile.toml"
    path.write_bytes(data)
    error = campaign.refused(db, *(str(path) if word == "FILE" else word for word in command))
    assert error.startswith(f"{path}{expected}"), error


@pytest.mark.parametrize("where", ["a folder", "a missing folder"])
@pytest.mark.parametrize("command", LOADERS.values(), ids=LOADERS.keys())
def test_a_file_that_cannot_be_read_is_named(
    campaign: Campaign, db: Path, command: tuple[str, ...], where: str
) -> None:
    path = db.parent / ("folder" if where == "a folder" else "missing/x.toml")
    if where == "a folder":
        path.mkdir()
    reason = "Is a directory" if where == "a folder" else "No such file or directory"
    error = campaign.refused(db, *(str(path) if word == "FILE" else word for word in command))
    assert error == f"{path}: cannot read: {reason}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_named(campaign: Campaign, db: Path) -> None:
    path = db.parent / "ward.toml"
    path.write_bytes(_sample("sample_ward.toml"))
    path.chmod(0)
    error = campaign.refused(db, "roster", "load", str(path))
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
    campaign: Campaign, db: Path, appended: str, expected: str
) -> None:
    path = db.parent / "town.toml"
    path.write_text(f"{ORGANISATION_FILE}\n{appended}\n")
    error = campaign.refused(db, "notify", "dispatch", "--once", "--config", str(path))
    assert error.startswith(f"{path}: "), error
    assert expected in error


def test_a_required_table_missing_is_named(campaign: Campaign, db: Path) -> None:
    path = db.parent / "agency.toml"
    path.write_bytes(b"# 50 MB of nothing\n" + b"#" * 50_000_000 + b"\n")
    error = campaign.refused(db, "visits", "load", str(path))
    assert error == f"{path}: organisation: required but missing"


@pytest.mark.parametrize(
    "data", [b"", b"# 50 MB of nothing\n" + b"#" * 50_000_000 + b"\n"], ids=["empty", "50 MB"]
)
def test_a_ward_file_with_nothing_in_it_leaves_the_roster_as_it_was(
    campaign: Campaign, db: Path, data: bytes
) -> None:
    """It was loaded as a ward with every setting at its default: the roster's organisation
    and feed schedule were wiped, and the command said "loaded"."""
    path = db.parent / "ward.toml"
    path.write_bytes(data)
    error = campaign.refused(db, "roster", "load", str(path))
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
    campaign: Campaign, db: Path, table: str, expected: str
) -> None:
    path = db.parent / "hophop.toml"
    path.write_text(f'{table}\n[other]\ntoken = "{campaign.secret}"\n')
    error = campaign.refused(db, "pickup", "serve", "--settings", str(path))
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
    campaign: Campaign, db: Path, case: tuple[str, tuple[str, str], str]
) -> None:
    """Both ended in an OverflowError traceback."""
    sample, (old, new), expected = case
    text = _sample(sample).decode()
    assert old in text
    path = db.parent / sample
    path.write_text(text.replace(old, new, 1))
    command = "pickup" if "daycare" in sample else "roster"
    assert campaign.refused(db, command, "load", str(path)) == f"{path}: {expected}"


SMTP = (
    "\n[notifications.mail]\nsender = 'smtp'\n[notifications.mail.settings]\n"
    "host = '127.0.0.1'\nport = 1\nusername = 'u'\nfrom = 'a@b.example'\n"
    "password_env = 'CAMPAIGN_SMTP_PASSWORD'\n"
)


@pytest.mark.parametrize("value", [None, ""], ids=["unset", "empty"])
def test_a_secret_named_by_the_configuration_must_be_set(
    campaign: Campaign, db: Path, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    """Unset, the error did not name the file; empty, it was sent as the password."""
    if value is None:
        monkeypatch.delenv("CAMPAIGN_SMTP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", value)
    path = db.parent / "town.toml"
    path.write_text(ORGANISATION_FILE + SMTP)
    error = campaign.refused(db, "notify", "dispatch", "--once", "--config", str(path))
    state = "not set" if value is None else "empty"
    assert error == (
        f"{path}: notifications.mail.settings.password_env: the environment variable it names "
        f"is {state} (got 'CAMPAIGN_SMTP_PASSWORD')"
    )


def test_a_secret_is_never_shown(
    campaign: Campaign,
    capsys: pytest.CaptureFixture[str],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CAMPAIGN_SMTP_PASSWORD", campaign.secret)
    path = db.parent / "town.toml"
    path.write_text(ORGANISATION_FILE + SMTP)
    main(["notify", "dispatch", "--once", "-vv", "--config", str(path), "--db", str(db)])
    out, err = capsys.readouterr()
    assert "password=***" in out
    assert campaign.secret not in out + err


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
    campaign: Campaign, db: Path, data: bytes, expected: str
) -> None:
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(data)
    error = campaign.refused(db, "gtt", "apply", str(path))
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
    campaign: Campaign, capsys: pytest.CaptureFixture[str], db: Path, row: bytes, reason: str
) -> None:
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(EXPORT.replace(ROW, row, 1))
    before = campaign.tables(db)
    assert main(["gtt", "apply", str(path), "--db", str(db)]) == 2
    out, err = capsys.readouterr()
    assert "REFUSED, nothing applied" in out
    assert "rejected line 3: " in out, out
    assert reason in out, out
    assert "\x1b" not in out + err
    assert campaign.tables(db) == before


# -- French, and random bytes -------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    [{"CAREDOMAIN_LANG": "fr"}, {"CAREDOMAIN_LANG": "", "LANG": "fr_FR.UTF-8"}],
    ids=["env", "locale"],
)
def test_help_and_errors_in_french(campaign: Campaign, tmp_path: Path, how: dict[str, str]) -> None:
    help = campaign.run("roster", "vacancies", "--help", cwd=tmp_path, env=how)
    assert help.returncode == 0
    assert "le fichier SQLite du stockage" in help.stdout, help.stdout
    refused = campaign.run("roster", "vacancies", "--date", "9999-12-31", cwd=tmp_path, env=how)
    assert refused.returncode == 2
    assert refused.stderr.startswith("caredomain : erreur : --date : ")
    assert "Traceback" not in refused.stderr


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_random_bytes_as_a_ward_file_or_an_export(
    campaign: Campaign, capsys: pytest.CaptureFixture[str], db: Path, data: bytes
) -> None:
    """Whatever the bytes: saved (they may be a valid ward), or one error line."""
    path = db.parent / "GTT_20261124_100000.csv"
    path.write_bytes(data)
    for command in (["roster", "load", str(path)], ["gtt", "apply", str(path)]):
        status = main([*command, "--db", str(db)])
        _, err = capsys.readouterr()
        assert status in (0, 2)
        if status == 2 and err:
            campaign.one_error(err)
