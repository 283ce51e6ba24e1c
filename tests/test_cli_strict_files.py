"""Configuration files through the command line: a value of the wrong type, or a byte that
is not UTF-8, is one error line naming the file, the field path and what was expected,
with exit status 2 — never a traceback, never a value read with another meaning."""

from __future__ import annotations

import importlib.resources
from pathlib import Path

import pytest

from caredomain.cli import main
from caredomain.configuration import load_configuration
from caredomain.errors import InvalidInput
from caredomain.roster import load_ward

DATA = importlib.resources.files("caredomain.data")


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command's default store is created, if at all, in the test's own folder."""
    monkeypatch.chdir(tmp_path)


def _sample(name: str) -> str:
    return DATA.joinpath(name).read_text("utf-8")


def _refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, data: bytes, *command: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_bytes(data)
    assert main([part.replace("FILE", str(path)) for part in command]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"caredomain: error: {path}"), err
    return err.removeprefix(f"caredomain: error: {path}").strip()


def _replace(text: str, old: str, new: str) -> bytes:
    assert old in text
    return text.replace(old, new, 1).encode()


# -- the four values the campaign saw read with another meaning ----------------------------------


def test_on_portal_written_as_text_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _replace(_sample("sample_organisation.toml"), "on_portal = true", 'on_portal = "false"')
    error = _refused(capsys, tmp_path, data, "notify", "dispatch", "--once", "--config", "FILE")
    assert error == (
        ": slots.types[0].on_portal: expected a boolean (true or false), not text (got 'false')"
    )


def test_transmit_written_as_text_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _replace(_sample("sample_agency.toml"), "transmit = true", 'transmit = "false"')
    error = _refused(capsys, tmp_path, data, "visits", "load", "FILE")
    assert error == (
        ": caregivers[0].transmit: expected a boolean (true or false), not text (got 'false')"
    )
    assert not (tmp_path / "caredomain-demo.db").exists()


def test_skills_written_as_text_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _replace(_sample("sample_ward.toml"), 'skills = ["IDE"]', 'skills = "IDE"')
    error = _refused(capsys, tmp_path, data, "roster", "load", "FILE")
    assert error == ": agents[0].skills: expected an array (a list in [ ]), not text (got 'IDE')"


def test_a_name_written_as_a_table_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = _sample("sample_ward.toml")
    data = _replace(text, 'name = "Claire Martin"', "name = {a=1}")
    error = _refused(capsys, tmp_path, data, "roster", "load", "FILE")
    assert error == ": agents[0].name: expected text, not a table (got \"{'a': 1}\")"


# -- numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ("duration_minutes = 20", "duration_minutes = 20.0", "slots.types[0].duration_minutes",
         "expected a whole number (an integer), not a float"),
        ("seats = 1", "seats = true", "slots.counters[0].seats",
         "expected a whole number (an integer), not a boolean"),
        ("seats = 1", 'seats = "1"', "slots.counters[0].seats",
         "expected a whole number (an integer), not text"),
    ],
)  # fmt: skip
def test_a_whole_number_is_an_integer(old: str, new: str, path: str, expected: str) -> None:
    data = _replace(_sample("sample_organisation.toml"), old, new)
    with pytest.raises(InvalidInput) as refused:
        load_configuration(data, source="town.toml")
    assert (refused.value.source, refused.value.field) == ("town.toml", path)
    assert refused.value.message == expected


def test_a_float_setting_takes_an_integer_but_no_boolean_nor_infinity() -> None:
    text = _sample("sample_ward.toml")
    ward = load_ward(_replace(text, "minimum_rest_hours = 11", "minimum_rest_hours = 9"))
    assert ward.settings.minimum_rest.total_seconds() == 9 * 3600
    for bad, message in [("true", "not a boolean"), ("inf", "finite"), ("nan", "finite")]:
        data = _replace(text, "minimum_rest_hours = 11", f"minimum_rest_hours = {bad}")
        with pytest.raises(InvalidInput, match=message) as refused:
            load_ward(data, source="ward.toml")
        assert refused.value.field == "roster.minimum_rest_hours"


def test_a_weekday_is_named_not_numbered() -> None:
    text = _sample("sample_organisation.toml")
    data = _replace(text, 'open_weekdays = ["monday"', "open_weekdays = [0")
    with pytest.raises(InvalidInput, match="weekday name") as refused:
        load_configuration(data, source="town.toml")
    assert refused.value.field == "organisation.calendar.open_weekdays[0]"


# -- hostile files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "[roster]\nminimum_rest_hours = " + "9" * 400,
            ": roster.minimum_rest_hours: expected a finite number (got '999",
            id="an integer no float holds",
        ),
        pytest.param(
            "[roster]\nminimum_rest_hours = 1e999",
            ": roster.minimum_rest_hours: expected a finite number (got 'inf')",
            id="a float that is infinite",
        ),
        pytest.param(
            "[roster]\nminimum_rest_hours = " + "1" * 5000,
            ": not valid TOML: Exceeds the limit (4300 digits) for integer string conversion",
            id="an integer of 5000 digits",
        ),
        pytest.param(
            "agents = " + "[" * 5000 + "]" * 5000,
            ": not valid TOML: arrays or tables nested too deeply",
            id="arrays nested 5000 deep",
        ),
    ],
)
def test_a_hostile_file_is_one_error_line(
    text: str, expected: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    error = _refused(capsys, tmp_path, text.encode(), "roster", "load", "FILE")
    assert error.startswith(expected), error
    assert len(error) < 200


# -- bytes that are not UTF-8 ---------------------------------------------------------------------

NOT_UTF8 = [
    pytest.param("sample_ward.toml", ("roster", "load", "FILE"), id="roster load"),
    pytest.param("sample_agency.toml", ("visits", "load", "FILE"), id="visits load"),
    pytest.param("sample_ward.toml", ("gtt", "--settings", "FILE", "history"), id="gtt --settings"),
    pytest.param(
        "sample_organisation.toml",
        ("notify", "dispatch", "--once", "--config", "FILE"),
        id="notify --config",
    ),
]


@pytest.mark.parametrize(("sample", "command"), NOT_UTF8)
def test_a_byte_that_is_not_utf8_is_refused_with_its_line(
    sample: str, command: tuple[str, ...], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = _sample(sample).encode().split(b"\n")
    lines[6] += b" # caf\xe9 in latin-1"
    offset = sum(len(line) + 1 for line in lines[:6]) + lines[6].index(b"\xe9")
    error = _refused(capsys, tmp_path, b"\n".join(lines), *command)
    assert error == f":7: not UTF-8: byte 0xe9 at offset {offset} (save the file as UTF-8)"


def test_gtt_settings_errors_name_the_file_and_the_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wrong_type = b'[gtt]\nencoding = "cp1252"\ntrim = true\n'
    error = _refused(capsys, tmp_path, wrong_type, "gtt", "--settings", "FILE", "history")
    assert error == ": gtt.trim: expected text, not a boolean (got 'true')"
    wrong_value = b'[gtt]\npolicy = "lax"\n'
    error = _refused(capsys, tmp_path, wrong_value, "gtt", "--settings", "FILE", "history")
    assert error == ": gtt.policy: expected strict or lenient (got 'lax')"
    unknown = b'[gtt]\nencodage = "cp1252"\n'
    error = _refused(capsys, tmp_path, unknown, "gtt", "--settings", "FILE", "history")
    assert error.startswith(": gtt.encodage: unknown setting (known: ")
