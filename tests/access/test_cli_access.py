"""``caredomain access``: each subcommand through ``caredomain.cli.main`` on a temp SQLite
file, passwords given on standard input, never on the command line."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caredomain.cli import main

CONSOLE = "pupitre-2024-secret"
OWN = "administratrice-2024"
IN_TRANSITION = ("--transition-until", "2099-01-01")


def run(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *words: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    status = main(list(words))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    path = str(tmp_path / "access.db")
    status, out, err = run(
        capsys,
        monkeypatch,
        "access",
        "configure",
        "ville-metz",
        "--name",
        "Ville de Metz",
        "--base",
        "metz-etat-civil=État civil",
        "--base",
        "metz-ccas=CCAS",
        "--console-password",
        "--stdin",
        "--db",
        path,
        stdin=CONSOLE + "\n",
    )
    assert (status, err) == (0, "")
    assert out == "configuration ville-metz (Ville de Metz) saved\n"
    return path


def test_configurations_and_the_missing_administrator_check(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(capsys, monkeypatch, "access", "configurations", "--check", "--db", db)
    assert status == 1
    assert out == "ville-metz  Ville de Metz  [metz-ccas, metz-etat-civil]  no administrator\n"
    assert "ville-metz has no administrator, mandatory since 2024-07-01" in err
    status, out, _ = run(
        capsys,
        monkeypatch,
        "access",
        "designate",
        "mdupont",
        "--name",
        "MDU (Marie DUPONT)",
        "--db",
        db,
    )
    assert (status, out) == (0, "mdupont is the administrator of ville-metz\n")
    status, out, _ = run(
        capsys, monkeypatch, "access", "configurations", "--json", "--check", "--db", db
    )
    assert status == 0
    [listed] = json.loads(out)
    assert listed["administrator_name"] == "Marie DUPONT"
    assert listed["bases"] == ["metz-ccas", "metz-etat-civil"]
    assert listed["missing_administrator"] is False


def test_the_administrator_enters_sets_her_password_and_creates_a_user(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, monkeypatch, "access", "designate", "mdupont", "--name", "Marie DUPONT", "--db", db)
    as_her = ("--user", "mdupont", "--stdin", "--db", db, *IN_TRANSITION)
    status, out, err = run(
        capsys, monkeypatch, "access", "enter", "administrator", *as_her, stdin=CONSOLE
    )
    assert status == 0, err
    assert out.startswith("session ")
    assert "in administrator mode until" in out
    session = out.split()[1]
    status, out, err = run(
        capsys, monkeypatch, "access", "password", *as_her, stdin=f"{CONSOLE}\n{OWN}\n"
    )
    assert (status, out) == (0, "the administrator's password of ville-metz is set\n"), err
    status, out, _ = run(
        capsys,
        monkeypatch,
        "access",
        "add-user",
        "jfk",
        "--name",
        "JFK (Jean-François KERSERHO)",
        "--role",
        "manager",
        "--session",
        session,
        "--user",
        "mdupont",
        "--db",
        db,
    )
    assert (status, out) == (0, "user jfk created: Jean-François KERSERHO\n")
    status, out, _ = run(capsys, monkeypatch, "access", "users", "--user", "mdupont", "--db", db)
    assert out == "Jean-François KERSERHO  (jfk; manager)\nMarie DUPONT  (mdupont; administrator)\n"
    # After the transition (the seed's dates, today), the console password opens nothing.
    status, _, err = run(
        capsys,
        monkeypatch,
        "access",
        "enter",
        "administrator",
        "--user",
        "mdupont",
        "--stdin",
        "--db",
        db,
        stdin=CONSOLE,
    )
    assert status == 2
    assert "only the administrator's own password opens Administrator mode" in err
    status, out, err = run(
        capsys, monkeypatch, "access", "audit", "--verify", "--user", "mdupont", "--db", db
    )
    assert status == 0
    assert CONSOLE not in out + err
    assert OWN not in out + err
    assert "argon2" not in out
    assert "attempt-refused" in out
    assert "verified: 6 entries, head 6:" in out


def test_a_break_glass_intervention_from_request_to_report(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tech = ("--technician", "tech-luc", "--db", db)
    status, _, err = run(
        capsys, monkeypatch, "access", "enter", "console", "--stdin", *tech, stdin=CONSOLE
    )
    assert status == 2
    assert "only through a break-glass intervention" in err
    status, out, _ = run(
        capsys,
        monkeypatch,
        "access",
        "breakglass",
        "request",
        "--reference",
        "LR-2024-081",
        "--received",
        "2024-08-02",
        *tech,
    )
    assert status == 0
    record = out.split()[0]
    now = datetime.now(UTC)
    for words in (
        ("quote", record, "--ticket", "SP-4471", "--quote", "DEV-190", "--amount", "450.00"),
        ("accept", record, "--on", "2024-08-05", "--by", "Marie DUPONT"),
        (
            "schedule",
            record,
            "--start",
            (now - timedelta(hours=1)).isoformat(),
            "--end",
            (now + timedelta(hours=1)).isoformat(),
            "--present",
            "Marie DUPONT",
            "--by-technician",
            "tech-luc",
        ),
    ):
        status, out, err = run(capsys, monkeypatch, "access", "breakglass", *words, *tech)
        assert status == 0, err
    status, out, err = run(
        capsys,
        monkeypatch,
        "access",
        "enter",
        "console",
        "--window",
        record,
        "--stdin",
        *tech,
        stdin=CONSOLE,
    )
    assert status == 0, err
    session = out.split()[1]
    status, out, err = run(
        capsys,
        monkeypatch,
        "access",
        "breakglass",
        "act",
        "--session",
        session,
        "--action",
        "rights of the CCAS repaired",
        *tech,
    )
    assert status == 0, err
    assert "open" in out
    assert "actions 1" in out
    report = tmp_path / "report.txt"
    report.write_text("Rights of the CCAS repaired with Marie DUPONT present.\n", encoding="utf-8")
    status, out, err = run(
        capsys,
        monkeypatch,
        "access",
        "breakglass",
        "close",
        record,
        "--report",
        str(report),
        "--sent-to",
        "mdupont@metz.fr",
        *tech,
    )
    assert status == 0, err
    assert "closed" in out
    status, out, _ = run(capsys, monkeypatch, "access", "breakglass", "list", "--json", *tech)
    [listed] = json.loads(out)
    assert listed["report"]["sent_to"] == "mdupont@metz.fr"
    status, out, _ = run(capsys, monkeypatch, "access", "audit", "--verify", "--json", *tech)
    document = json.loads(out)
    assert document["verification"]["ok"] is True
    kinds = [e["kind"] for e in document["entries"]]
    assert kinds[-3:] == ["mode-entered", "window-action", "window-closed"]


def test_a_password_is_never_an_argument(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["access", "enter", "console", "--password", CONSOLE, "--db", db])
    assert caught.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_the_commands_speak_french(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, err = run(
        capsys, monkeypatch, "--lang", "fr", "access", "configurations", "--check", "--db", db
    )
    assert status == 1
    assert out.endswith("aucun administrateur\n")
    assert "ville-metz n'a pas d'administrateur, obligatoire depuis le 2024-07-01" in err
    status, _, err = run(
        capsys,
        monkeypatch,
        "--lang",
        "fr",
        "access",
        "enter",
        "console",
        "--stdin",
        "--db",
        db,
        stdin=CONSOLE,
    )
    assert status == 2
    assert "le mode pupitre ne s'ouvre que par une intervention exceptionnelle" in err
