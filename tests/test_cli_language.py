"""The command line in French (the default) and English: the French catalogue complete and
in step with the code, and the language chosen by ``--lang``, ``CAREDOMAIN_LANG``, the locale.

The other tests run the command in English (``tests/conftest.py``); these choose French.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from caredomain.cli import build_parser, i18n, main
from caredomain.cli.commands import COMMANDS

SOURCES = Path(__file__).resolve().parents[1] / "src"  # the core's and the adapters'
PO = resources.files("caredomain") / "locale" / "fr" / "LC_MESSAGES" / "caredomain.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "Text": None, "counted": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}|%\((\w+)\)[sdr]")
ARGPARSE_HELP = "show this help message and exit"  # argparse's own, left in English
LOCALE = ("CAREDOMAIN_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def _extracted() -> dict[str, str | tuple[str, ...]]:
    """Every text for people marked for translation in the command line, the core and the
    adapters, by msgid."""
    found: dict[str, str | tuple[str, ...]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        SOURCES, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found[message[0] if isinstance(message, tuple) else message] = message
    return found


def _catalogue() -> Catalog:
    with PO.open("rb") as po:
        return read_po(po, locale="fr")


def _placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_every_text_of_the_command_line_has_its_french_translation() -> None:
    extracted, catalogue = _extracted(), _catalogue()
    assert len(extracted) > 200  # the extraction saw the command line's texts
    held = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalogue if m.id}
    assert sorted(set(extracted) - set(held)) == [], "missing from the .po: pybabel update"
    assert sorted(set(held) - set(extracted)) == [], "no longer in the code"
    assert not catalogue.obsolete
    for msgid, message in held.items():
        assert message.id == extracted[msgid], f"singular/plural differ: {msgid!r}"
        assert not message.fuzzy, f"fuzzy: {msgid!r}"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert len(strings) == (2 if message.pluralizable else 1), msgid
        assert all(strings), f"untranslated: {msgid!r}"


def test_each_translation_keeps_the_placeholders_of_its_source_text() -> None:
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(_placeholders(text) for text in ids))
        for string in strings:
            assert _placeholders(string) == wanted, f"{ids[0]!r} -> {string!r}"


def test_the_placeholder_check_sees_a_lost_or_renamed_placeholder() -> None:
    assert _placeholders("{n} free slots, {day:%d}; %(name)s") == {"n", "day", "name"}
    assert _placeholders("{m} créneaux libres") != _placeholders("{n} free slots")


@pytest.fixture
def no_locale(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment that names no language, as a bare service account's does."""
    for name in LOCALE:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("language") / "care.db"
    assert main(["demo", "--lang", "en", "--db", str(db), "--today", "2026-12-20"]) == 0
    return db


def _run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        status = main(list(words))
    except SystemExit as exit:  # --help
        status = int(exit.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def test_french_is_the_default(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = str(tmp_path / "demo.db")
    status, out, _ = _run(capsys, "demo", "--days", "1", "--today", "2026-12-20", "--db", db)
    assert status == 0
    assert "Calendrier d'ouverture, 1 jour à partir du 2026-12-20 :" in out
    assert "  dim. 2026-12-20  fermé  " in out
    assert "Prochains jours fériés :" in out
    assert "Opening calendar" not in out
    _, out, _ = _run(capsys, "plugins", "--help")
    assert "liste les extensions trouvées" in out


def test_roster_commands_in_french(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    db = ("--db", str(store))
    status, out, _ = _run(capsys, "roster", "vacancies", "--date", "2020-01-01", *db)
    assert (status, out) == (0, "aucun poste vacant le 2020-01-01\n")
    status, out, _ = _run(capsys, "roster", "vacancies", *db)
    post = out.split()[0]
    status, out, _ = _run(capsys, "roster", "candidates", post, "--explain", *db)
    assert status == 0
    assert out.startswith(f"candidats pour {post} (0/1) :\n")
    assert "   exclu " in out


@pytest.mark.parametrize(
    ("words", "variables"),
    [
        (("--lang", "en"), {}),
        (("--lang=en",), {"LANG": "fr_FR.UTF-8"}),
        ((), {"CAREDOMAIN_LANG": "en", "LANG": "fr_CA.UTF-8"}),
        ((), {"LANG": "en_US.UTF-8"}),
        ((), {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR.UTF-8"}),
    ],
)
def test_english_is_chosen_by_the_option_the_environment_or_the_locale(
    no_locale: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    words: tuple[str, ...],
    variables: dict[str, str],
) -> None:
    for name, value in variables.items():
        no_locale.setenv(name, value)
    db = str(tmp_path / "demo.db")
    status, out, _ = _run(capsys, "demo", *words, "--days", "1", "--db", db)
    assert status == 0
    assert "Opening calendar, 1 days from" in out
    assert "Calendrier" not in out


@pytest.mark.parametrize(
    "words",
    [
        ("--lang", "fr", "demo"),
        ("demo", "--lang", "fr"),
    ],
)
def test_the_option_wins_over_the_environment(
    no_locale: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    words: tuple[str, ...],
) -> None:
    no_locale.setenv("LANG", "en_US.UTF-8")
    no_locale.setenv("CAREDOMAIN_LANG", "en")
    status, out, _ = _run(capsys, *words, "--days", "1", "--db", str(tmp_path / "d.db"))
    assert status == 0
    assert "Calendrier d'ouverture" in out


def test_a_locale_in_another_language_gives_french(
    no_locale: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    no_locale.setenv("LANG", "de_DE.UTF-8")
    status, out, _ = _run(capsys, "demo", "--days", "1", "--db", str(tmp_path / "d.db"))
    assert status == 0
    assert "Calendrier d'ouverture" in out


@pytest.mark.parametrize(
    ("words", "variables", "where"),
    [
        (("--lang", "de", "plugins"), {}, "--lang"),
        (("plugins", "--lang=EN"), {}, "--lang"),
        (("roster", "vacancies", "--lang", ""), {}, "--lang"),
        (("plugins",), {"CAREDOMAIN_LANG": "english"}, "CAREDOMAIN_LANG"),
    ],
)
def test_an_unknown_language_is_refused_in_one_line(
    no_locale: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    words: tuple[str, ...],
    variables: dict[str, str],
    where: str,
) -> None:
    for name, value in variables.items():
        no_locale.setenv(name, value)
    status, out, err = _run(capsys, *words)
    assert status == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"caredomain : erreur : {where} : fr ou en attendu (reçu ")


@pytest.mark.parametrize(
    "command",
    [
        ("plugins",),
        ("roster", "vacancies"),
        ("slots", "free", "--type", "pieces-identite", "--from", "2026-12-21"),
    ],
)
def test_json_documents_are_the_same_in_both_languages(
    no_locale: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    store: Path,
    command: tuple[str, ...],
) -> None:
    documents = []
    for lang in ("fr", "en"):
        words = [*command, "--json", "--lang", lang]
        if command != ("plugins",):
            words += ["--db", str(store)]
        status, out, err = _run(capsys, *words)
        assert status == 0, err
        documents.append(json.loads(out))
    assert documents[0] == documents[1]


def test_the_catalogue_is_not_read_for_the_version() -> None:
    script = (
        "import sys\n"
        "from caredomain.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('babel.messages.pofile' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.splitlines()[-1] == "False"


def _parsers() -> Iterator[argparse.ArgumentParser]:
    """The parser of every command and subcommand."""
    for name in COMMANDS:
        for action in build_parser(name)._actions:
            if isinstance(action, argparse._SubParsersAction):
                yield action.choices[name]
                for sub in action.choices[name]._actions:
                    if isinstance(sub, argparse._SubParsersAction):
                        yield from sub.choices.values()


def test_every_help_text_is_marked_and_shown_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    i18n.use("fr")
    untranslated = []
    for parser in _parsers():
        texts = [parser.description] + [action.help for action in parser._actions]
        for text in texts:
            if text in (None, argparse.SUPPRESS, ARGPARSE_HELP):
                continue
            if i18n._(text) == text:
                untranslated.append((parser.prog, text))
        with pytest.raises(SystemExit) as exit:
            parser.parse_args(["--help"])
        assert exit.value.code == 0
        assert "options" in capsys.readouterr().out
    assert untranslated == []
