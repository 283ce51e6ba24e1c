"""The texts the core and caredomain_sqlite build, shown in French by the command line: the
type and parse errors of a configuration file, a store that cannot be opened, a plugin's
failure, a use case's refused argument."""

from __future__ import annotations

import importlib.resources
from datetime import date
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

from caredomain.arguments import checked
from caredomain.cli import i18n, main
from caredomain.cli.i18n import shown
from caredomain.errors import InvalidInput
from caredomain.plugins import ENTRY_POINT_GROUP, Plugins

DATA = importlib.resources.files("caredomain.data")


@pytest.fixture(autouse=True)
def _in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each command's default store is created, if at all, in the test's own folder."""
    monkeypatch.chdir(tmp_path)


def _refused_in_french(
    capsys: pytest.CaptureFixture[str], path: Path, data: bytes, *command: str
) -> str:
    """The one error line of ``command`` run in French on a file holding ``data``, after
    the file's name."""
    path.write_bytes(data)
    words = [part.replace("FILE", str(path)) for part in command]
    assert main([*words, "--lang", "fr"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith(f"caredomain : erreur : {path}"), err
    return err.removeprefix(f"caredomain : erreur : {path}").strip()


def _sample(name: str, old: str, new: str) -> bytes:
    text = DATA.joinpath(name).read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode()


def test_a_value_of_the_wrong_type_is_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _sample("sample_organisation.toml", "on_portal = true", 'on_portal = "false"')
    error = _refused_in_french(
        capsys, tmp_path / "bad.toml", data, "notify", "dispatch", "--once", "--config", "FILE"
    )
    assert error == (
        ": slots.types[0].on_portal : il faut un booléen (true ou false), pas du texte "
        "(reçu 'false')"
    )


def test_an_array_written_as_text_is_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _sample("sample_ward.toml", 'skills = ["IDE"]', 'skills = "IDE"')
    error = _refused_in_french(capsys, tmp_path / "bad.toml", data, "roster", "load", "FILE")
    assert error == (
        ": agents[0].skills : il faut un tableau (une liste entre [ ]), pas du texte (reçu 'IDE')"
    )


def test_overlapping_opening_hours_are_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = _sample("sample_organisation.toml", "13h30-17h00", "11h30-17h00")
    error = _refused_in_french(
        capsys, tmp_path / "bad.toml", data, "notify", "dispatch", "--once", "--config", "FILE"
    )
    assert error == (
        ": slots.weeks[0].hours.monday : ligne 2 : chevauche 08h30-12h00 de la ligne 1 "
        "(reçu '11h30-17h00')"
    )


def test_a_file_that_is_not_utf8_is_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    error = _refused_in_french(
        capsys, tmp_path / "bad.toml", b'name = "\xff"\n', "roster", "load", "FILE"
    )
    assert error == (
        ":1 : pas de l'UTF-8 : octet 0xff à la position 8 (enregistrez le fichier en UTF-8)"
    )


def test_a_file_that_is_no_sqlite_database_is_refused_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "care.db"
    path.write_bytes(b"not a database, only text " * 100)
    assert main(["roster", "vacancies", "--db", str(path), "--lang", "fr"]) == 2
    _, err = capsys.readouterr()
    assert err.startswith(f"caredomain : erreur : sqlite:///{path} : "), err
    assert "impossible d'ouvrir comme base de données SQLite (reçu " in err


def test_a_plugin_that_fails_to_import_is_reported_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = EntryPoint("broken", "caredomain_no_such_module", ENTRY_POINT_GROUP)

    def found(group: str) -> list[EntryPoint]:
        return [*entry_points(group=group), broken]

    monkeypatch.setattr("caredomain.plugins.entry_points", found)
    assert main(["plugins", "--lang", "fr"]) == 1
    out, err = capsys.readouterr()
    why = (
        "l'import de l'extension 'broken' a échoué : "
        "ModuleNotFoundError : No module named 'caredomain_no_such_module'"
    )
    assert f"broken  NON CHARGÉE : {why}" in out.splitlines()
    assert err == f"caredomain : avertissement : extension non chargée : broken : {why}\n"


def test_a_store_no_plugin_opens_is_refused_in_french() -> None:
    i18n.use("fr")
    with pytest.raises(InvalidInput) as refused:
        Plugins().open_store("nosuch://x")
    assert shown(str(refused.value)) == (
        "url : aucune extension n'ouvre de base au schéma 'nosuch' (chargées : ) (reçu 'nosuch')"
    )


def test_a_refused_argument_of_a_use_case_is_said_in_french() -> None:
    @checked
    def plan(first: date, days: int) -> None:
        del first, days

    i18n.use("fr")
    with pytest.raises(InvalidInput) as refused:
        plan(date(2027, 3, 1), days=2.5)  # type: ignore[arg-type]
    assert shown(str(refused.value)) == "days : il faut int, pas float (reçu '2.5')"
    with pytest.raises(InvalidInput) as refused:
        plan(date(2027, 3, 1), 2, 3)  # type: ignore[call-arg]
    assert shown(str(refused.value)) == ("plan : trop d'arguments positionnels : 3 pour 2 au plus")
