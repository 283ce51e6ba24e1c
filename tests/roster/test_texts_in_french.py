"""The roster's and the GTT reader's texts for people — candidate lines, the reasons an
agent is refused, errors, rejected rows — shown in French by the command line, and still
word for word the same in English."""

from __future__ import annotations

import importlib.resources
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from caredomain.cli import i18n, main
from caredomain.cli.i18n import shown
from caredomain.roster import FeedSchedule
from caredomain.roster.availability import Candidate, joined_reasons
from caredomain.roster.model import AgentId, Fill
from caredomain.text import Text

DATA = importlib.resources.files("caredomain.data")
FIRST, SECOND = "GTT_20261122_180000.csv", "GTT_20261123_100000.csv"
POST = "cardio-2026-11-24-M-IDE"


def _sample(name: str, folder: Path) -> str:
    with importlib.resources.as_file(DATA.joinpath(name)) as path:
        return str(shutil.copy(path, folder / name))


def _run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main([*words, "--lang", "fr"])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A store with the sample ward, and both sample exports applied."""
    path = str(tmp_path / "care.db")
    ward = _sample("sample_ward.toml", tmp_path)
    assert main(["roster", "load", ward, "--db", path, "--lang", "en"]) == 0
    capsys.readouterr()
    return path


def test_candidate_lines_and_exclusions_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    files = [_sample(FIRST, tmp_path), _sample(SECOND, tmp_path)]
    status, out, err = _run(capsys, "gtt", "apply", *files, "--db", db)
    assert status == 0, err
    assert "      1. A1007 Emma Roux : 0 h cette semaine, aucun poste autour\n" in out
    assert "      2. A1005 Nicolas Leroy : 7 h 30 cette semaine, repos 16 h 30\n" in out
    status, out, _ = _run(capsys, "roster", "candidates", POST, "--explain", "--db", db)
    assert status == 0
    assert "     exclu A1001 Claire Martin : absence : MAL\n" in out
    assert (
        "     exclu A1003 Thomas Petit : déjà en poste : cardio-2026-11-23-N-IDE ; "
        "repos 6 h 45 < 11 h avant cardio-2026-11-24-N-IDE\n"
    ) in out
    assert "     exclu A2001 Léa Fournier : absence : RH ; compétence manquante : IDE\n" in out
    assert "this week" not in out


def test_refusals_and_local_edits_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    files = [_sample(FIRST, tmp_path), _sample(SECOND, tmp_path)]
    assert main(["gtt", "apply", *files, "--db", db, "--lang", "en"]) == 0
    status, _, err = _run(capsys, "roster", "assign", POST, "A1002", "--db", db)
    assert status == 2
    assert err == (
        "caredomain : erreur : [roster.cannot_assign] A1002 ne peut pas prendre "
        f"{POST} : repos 9 h 30 < 11 h après cardio-2026-11-23-S-IDE\n"
    )
    _, _, err = _run(capsys, "roster", "swap", "A1001", "A1001", "2026-11-24", "--db", db)
    assert err == (
        "caredomain : erreur : [roster.swap_refused] A1001 ne peut pas échanger des jours "
        "avec elle-même\n"
    )
    _, _, err = _run(capsys, "roster", "candidates", "nope", "--db", db)
    assert err == "caredomain : erreur : aucun poste 'nope'\n"
    status, out, _ = _run(capsys, "roster", "edit", "A1005", "2026-11-25", "CA", "--db", db)
    assert status == 0
    assert "remarque : les saisies locales ne sont pas envoyées à la GTT : " in out
    _, out, _ = _run(capsys, "roster", "pending", "--db", db)
    assert "  A1005 2026-11-25 CA (auparavant M) par cli à " in out


def test_reader_errors_and_rejected_rows_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("Matricule;Date;Code\n", encoding="utf-8")
    status, _, err = _run(capsys, "gtt", "apply", str(broken), "--db", db)
    assert status == 2
    assert err == (
        f"caredomain : erreur : {broken}:1 : pas d'heure d'extraction : "
        "'Extraction;%d/%m/%Y %H:%M' attendu (réglage header_format) "
        "(reçu 'Matricule;Date;Code')\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Extraction;01/12/2026 10:00\nMatricule;Date;Code\n"
        "A1001;24/11/2026;m\nZ9;24/11/2026;M\nA1002;xx;M\nA1003;24/11/2026\n",
        encoding="utf-8",
    )
    status, out, _ = _run(capsys, "gtt", "apply", str(bad), "--set", "policy=lenient", "--db", db)
    assert out.splitlines()[2:] == [
        "  ligne 3 rejetée : code inconnu 'm' (les codes distinguent majuscules et "
        "minuscules : 'M' existe)",
        "  ligne 4 rejetée : agent inconnu 'Z9'",
        "  ligne 5 rejetée : pas une date : 'xx' (date_formats dd/mm/yyyy,iso)",
        "  ligne 6 rejetée : 3 champs attendus, 2 reçus",
    ]
    status, _, err = _run(capsys, "gtt", "apply", str(bad), "--set", "trim=maybe", "--db", db)
    assert (status, err) == (2, "caredomain : erreur : trim : yes ou no attendu (reçu 'maybe')\n")


def test_the_texts_read_the_same_in_english() -> None:
    candidate = Candidate(AgentId("A1"), timedelta(hours=7, minutes=30), None, None)
    assert str(candidate) == "A1  7 h 30 this week, no shift around"
    assert str(Fill(0, 1, closed=True)) == "0/1 closed"
    assert str(Fill(0, 1)) == "0/1"
    assert str(FeedSchedule.parse("every 90m")) == "every 90m (Europe/Paris)"
    assert str(FeedSchedule.parse("at 06:00,18:00")) == "at 06:00,18:00 (Europe/Paris)"


def test_the_feed_schedule_and_a_closed_post_in_french() -> None:
    i18n.use("fr")
    assert shown(str(FeedSchedule.parse("every 2h"))) == "toutes les 2 h (Europe/Paris)"
    assert shown(str(FeedSchedule.parse("at 06:00"))) == "à 06:00 (Europe/Paris)"
    assert shown(str(Fill(0, 2, closed=True))) == "0/2 fermé"


def test_reasons_are_joined_in_either_language_however_many() -> None:
    reasons = [Text("absent: {code}", code=f"C{n}") for n in range(5000)]
    joined = joined_reasons(reasons)
    assert joined == "; ".join(reasons)
    i18n.use("fr")
    assert shown(joined) == " ; ".join(f"absence : C{n}" for n in range(5000))
    assert joined_reasons([]) == ""
    assert joined_reasons(["one"]) == "one"
