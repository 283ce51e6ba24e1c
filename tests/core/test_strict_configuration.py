"""Configuration values keep their type: every configuration document, a field given a
value of another TOML type, is refused with the field's path; none is coerced.

Each document starts valid (the samples shipped in ``caredomain/data`` and the examples of
``docs/configuration.md``); one value is replaced, the document written back as TOML and
read by its own loader from bytes, as the command line reads it.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.cli.gtt import _file_settings
from caredomain.configuration import load_configuration
from caredomain.errors import InvalidInput
from caredomain.interventions.agency import load_agency
from caredomain.notifications.settings import NotificationSettings
from caredomain.roster import load_catalogue, load_ward
from caredomain.serialization import parse_toml
from caredomain.strict import toml_type
from caredomain_messaging.maildir import MaildirSender
from caredomain_messaging.sms import SmsFileSender, SmsHttpSender
from caredomain_messaging.smtp import SmtpSender
from caredomain_penbase.settings import PenbaseSettings

DATA = importlib.resources.files("caredomain.data")
DOCS = Path(__file__).parents[2] / "docs"

NOTIFICATION_SETTINGS = """
[channels]
"appointment.created" = ["mail"]
"appointment.reminder" = ["mail", "sms"]

[texts."appointment.created".sms]
body = "RDV {5} le {1} à {3}."

[types."id-card".channels]
"appointment.created" = ["mail", "sms"]
"""

GTT_SETTINGS = """
[gtt]
delimiter = ";"
encoding = "cp1252"
date_formats = "dd/mm/yyyy,iso"
agent_column = "Matricule"
extraction = "header"
zone = "Europe/Paris"
policy = "lenient"
trim = "yes"
"""


def _docs_configuration() -> str:
    """Every TOML example of the configuration guide, together: one organisation's file."""
    page = (DOCS / "configuration.md").read_text("utf-8")
    return "\n".join(re.findall(r"```toml\n(.*?)```", page, flags=re.DOTALL))


def _gtt(data: bytes, source: str, folder: Path) -> object:
    path = folder / source
    path.write_bytes(data)
    return _file_settings(str(path))


Loader = Callable[[bytes, str, Path], object]

DOCUMENTS: dict[str, tuple[str, Loader]] = {
    "organisation (docs)": (
        _docs_configuration(),
        lambda data, source, _: load_configuration(data, source=source),
    ),
    "organisation (sample)": (
        DATA.joinpath("sample_organisation.toml").read_text("utf-8"),
        lambda data, source, _: load_configuration(data, source=source),
    ),
    "ward": (
        DATA.joinpath("sample_ward.toml").read_text("utf-8"),
        lambda data, source, _: load_ward(data, source=source),
    ),
    "agency": (
        DATA.joinpath("sample_agency.toml").read_text("utf-8"),
        lambda data, source, _: load_agency(data, source=source),
    ),
    "code catalogue": (
        DATA.joinpath("gtt_codes_fr.toml").read_text("utf-8"),
        lambda data, source, _: load_catalogue(data, source=source),
    ),
    "notification settings": (
        NOTIFICATION_SETTINGS,
        lambda data, source, _: NotificationSettings.from_toml(data, source=source),
    ),
    "gtt settings": (GTT_SETTINGS, _gtt),
}

# Where a document takes several types on purpose: a sender's settings are text, numbers
# or booleans, handed to the sender as text (docs/notifications.md).
FREE = re.compile(r"notifications\.(mail|sms)\.settings\.")

NUMBERS = {"an integer", "a float"}

# One value of each TOML type; a value is replaced only by one of another type.
OTHERS: list[Any] = [
    "false",
    "IDE",
    True,
    False,
    0,
    7,
    1.5,
    ["x"],
    [],
    {"a": 1},
    date(2026, 1, 1),
]


def _toml(value: Any) -> str:
    """``value`` written as TOML (inline tables and arrays; enough for these documents)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


def _document(data: dict[str, Any]) -> bytes:
    return "\n".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in data.items()).encode()


def _paths(value: Any, path: str = "") -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """Every value of a document: its path as errors write it, and its keys."""

    def walk(item: Any, shown: str, keys: tuple[str | int, ...]) -> Iterator[Any]:
        if keys:
            yield shown, keys
        if isinstance(item, dict):
            for key, sub in item.items():
                name = key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)
                yield from walk(sub, f"{shown}.{name}" if shown else name, (*keys, key))
        elif isinstance(item, list):
            for index, sub in enumerate(item):
                yield from walk(sub, f"{shown}[{index}]", (*keys, index))

    yield from walk(value, path, ())


def _replaced(data: Any, keys: tuple[str | int, ...], value: Any) -> Any:
    if not keys:
        return value
    head, rest = keys[0], keys[1:]
    if isinstance(data, dict):
        return {k: _replaced(v, rest, value) if k == head else v for k, v in data.items()}
    return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(data)]


def _plain(path: str) -> str:
    return path.replace('"', "")


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_document_loads_as_written_and_as_rewritten(name: str, tmp_path: Path) -> None:
    text, load = DOCUMENTS[name]
    load(text.encode(), "as-written.toml", tmp_path)
    load(_document(parse_toml(text)), "rewritten.toml", tmp_path)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@given(data=st.data())
def test_a_value_of_another_type_is_refused_with_its_path(
    name: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text, load = DOCUMENTS[name]
    document = parse_toml(text)
    shown, keys = data.draw(st.sampled_from(list(_paths(document))), label="path")
    original: Any = document
    for key in keys:
        original = original[key]
    kinds = {toml_type(original)}
    if kinds & NUMBERS:
        # A float setting takes a whole number (11 hours is 11.0), and the samples write
        # some with no point: which of the two a number is for is tested on its own.
        kinds |= NUMBERS
    if FREE.match(shown):
        kinds |= {"text", "a boolean", *NUMBERS}
    other = data.draw(
        st.sampled_from([value for value in OTHERS if toml_type(value) not in kinds]),
        label="other",
    )
    mutated = _document(_replaced(document, keys, other))
    with pytest.raises(InvalidInput) as refused:
        load(mutated, "mutated.toml", tmp_path_factory.mktemp("doc"))
    error = refused.value
    assert str(error.source).endswith("mutated.toml")
    assert error.field is not None, str(error)
    assert _plain(error.field) == _plain(shown), str(error)


# -- settings given as text: the senders' and the Penbase platform's ---------------------------


def _text_settings(folder: Path) -> dict[str, tuple[dict[str, str], Callable[[Any], object]]]:
    return {
        "smtp": (
            {
                "host": "smtp.example.org",
                "port": "587",
                "security": "starttls",
                "username": "rdv@mairie.example",
                "password": "s3cret",
                "from": "Mairie <rdv@mairie.example>",
            },
            SmtpSender.from_settings,
        ),
        "maildir": (
            {"path": str(folder / "mail"), "from": "a@b.example"},
            MaildirSender.from_settings,
        ),
        "sms-http": (
            {"url": "https://sms.example/send", "token": "s3cret"},
            SmsHttpSender.from_settings,
        ),
        "sms-file": ({"path": str(folder / "sms.jsonl")}, SmsFileSender.from_settings),
        "penbase": (
            {"url": "https://penbase.example/", "token": "s3cret", "timeout": "10"},
            lambda settings: PenbaseSettings.from_mapping(settings, {}),
        ),
    }


@pytest.mark.parametrize("name", ["smtp", "maildir", "sms-http", "sms-file", "penbase"])
@given(data=st.data())
def test_a_setting_given_as_anything_but_text_is_refused_unquoted(
    name: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    settings, create = _text_settings(tmp_path_factory.getbasetemp())[name]
    create(settings)
    key = data.draw(st.sampled_from(sorted(settings)), label="key")
    other = data.draw(st.sampled_from([v for v in OTHERS if not isinstance(v, str)]), label="other")
    with pytest.raises(InvalidInput) as refused:
        create({**settings, key: other})
    assert refused.value.field == key
    assert refused.value.message.endswith(f"expected text, not {toml_type(other)}")
    assert refused.value.text is None
