"""The function catalogue (seed 002): the shipped data lists every action, answers by mode
and release, and a bad data file is one error naming the entry and the field."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.access import Action
from caredomain.access.catalogue import (
    CATALOGUE_FILE,
    Availability,
    Function,
    FunctionKind,
    Release,
    load_catalogue,
    parse_catalogue,
)
from caredomain.access.modes import Mode
from caredomain.errors import InvalidInput, NotFound

SHIPPED = (resources.files("caredomain.data") / CATALOGUE_FILE).read_text("utf-8")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "access.md"

RELEASES = [f"{y}.{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)][:31]
"""Every month from 2022.01 to 2024.07, the catalogue's version."""

HEAD = """
version = "2024.07"
[[releases]]
name = "2024.04"
summary = "transition"
[[releases]]
name = "2024.07"
summary = "after"
"""


def test_the_shipped_catalogue_lists_every_action_and_only_actions_as_actions() -> None:
    catalogue = load_catalogue()
    assert catalogue.missing_actions() == []
    actions = {f.name for f in catalogue if f.kind is FunctionKind.ACTION}
    assert actions == {action.value for action in Action}
    assert all(f.action is Action(f.name) for f in catalogue if f.kind is FunctionKind.ACTION)
    assert {f.kind for f in catalogue} == set(FunctionKind)


def test_the_catalogue_is_read_once() -> None:
    assert load_catalogue() is load_catalogue()


def test_a_missing_action_is_seen() -> None:
    table = '[[functions]]\nname = "alarm"\nkind = "action"\nlabel = "x"\n'
    catalogue = parse_catalogue(HEAD + table + 'console = { since = "2024.04" }\n')
    assert Action.ALARM not in catalogue.missing_actions()
    assert Action.ROSTER_FEED in catalogue.missing_actions()


def test_functions_move_over_releases() -> None:
    catalogue = load_catalogue()
    assert catalogue.version == "2024.07"
    admin, console = Mode.ADMINISTRATOR, Mode.CONSOLE
    # The transition opens Administrator mode; nothing is in it before.
    assert catalogue.in_mode(admin, "2024.03") == []
    assert catalogue.available("configurator.users", admin, "2024.04")
    # User management leaves console mode when the transition ends.
    assert catalogue.available("configurator.users", console, "2024.06")
    assert not catalogue.available("configurator.users", console, "2024.07")
    # A release between two general updates is answered as of the one before it.
    assert not catalogue.available("device.manage", admin, "2024.05")
    assert catalogue.available("device.manage", admin, "2024.07")
    assert catalogue.available("configurator.administrator.designate", console, "2023.12")
    assert not catalogue.available("configurator.administrator.designate", console, "2023.11")
    # Console only: the system jobs and the payroll settings.
    assert not catalogue.available(Action.ROSTER_FEED, admin, "2024.07")
    assert not catalogue.available("hr.pay_elements", admin, "2024.07")


def test_in_mode_keeps_the_files_order() -> None:
    catalogue = load_catalogue()
    listed = catalogue.in_mode(Mode.ADMINISTRATOR, "2024.07")
    order = [f.name for f in catalogue]
    assert [f.name for f in listed] == sorted((f.name for f in listed), key=order.index)
    assert "configurator.administrator.password" in {f.name for f in listed}
    assert "configurator.administrator.password" not in {
        f.name for f in catalogue.in_mode(Mode.CONSOLE, "2024.07")
    }


def test_an_unknown_function_is_not_found_by_its_name() -> None:
    with pytest.raises(NotFound, match=r"no function hr\.payroll in the catalogue 2024\.07"):
        load_catalogue().function("hr.payroll")


@pytest.mark.parametrize(("release", "why"), [("2025.01", "up to 2024.07"), ("2024.13", "YYYY.MM")])
def test_a_release_the_catalogue_cannot_answer_for_is_refused(release: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(why)) as refused:
        load_catalogue().in_mode(Mode.CONSOLE, release)
    assert refused.value.field == "release"


@given(
    name=st.sampled_from([f.name for f in load_catalogue()]),
    mode=st.sampled_from(list(Mode)),
    release=st.sampled_from(RELEASES),
)
def test_available_agrees_with_in_mode_and_the_functions_window(
    name: str, mode: Mode, release: str
) -> None:
    catalogue = load_catalogue()
    function = catalogue.function(name)
    window = function.availability(mode)
    expected = (
        window is not None
        and window.since <= release
        and (window.until is None or release < window.until)
    )
    assert catalogue.available(name, mode, release) is expected
    assert (function in catalogue.in_mode(mode, release)) is expected


def _function(**fields: str) -> str:
    values = {"name": '"alarm"', "kind": '"action"', "label": '"x"'}
    values.update(fields)
    lines = [f"{key} = {value}" for key, value in values.items() if value]
    return HEAD + "[[functions]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("document", "field", "message"),
    [
        (
            _function(console='{ since = "2024.05" }'),
            "functions['alarm'].console.since",
            "not a release listed",
        ),
        (_function(console='{ since = "24.04" }'), "functions['alarm'].console.since", "YYYY.MM"),
        (
            _function(console='{ since = "2024.07", until = "2024.04" }'),
            "functions['alarm'].console.until",
            "after since",
        ),
        (_function(console='"2024.04"'), "functions['alarm'].console", "expected a table"),
        (
            _function(console='{ from = "2024.04" }'),
            "functions['alarm'].console",
            "unexpected keys: from",
        ),
        (_function(), "functions['alarm']", "console mode, in Administrator mode or both"),
        (
            _function(name='"alarms"', console='{ since = "2024.04" }'),
            "functions['alarms'].name",
            "not an action",
        ),
        (
            _function(kind='"hr"', console='{ since = "2024.04" }'),
            "functions['alarm'].kind",
            "must be of kind action",
        ),
        (
            _function(kind='"module"', console='{ since = "2024.04" }'),
            "functions['alarm'].kind",
            "expected one of",
        ),
        (
            _function(label='""', console='{ since = "2024.04" }'),
            "functions['alarm'].label",
            "non-blank",
        ),
        (
            _function(label="", console='{ since = "2024.04" }'),
            "functions['alarm'].label",
            "missing",
        ),
        (
            _function(color='"red"', console='{ since = "2024.04" }'),
            "functions['alarm']",
            "unexpected keys: color",
        ),
        (_function(name='"hr pay"', kind='"hr"'), "functions[].name", "without spaces"),
        (
            _function(console='{ since = "2024.04" }') + '[[functions]]\nname = "alarm"\n',
            "functions['alarm'].name",
            "listed twice",
        ),
        (HEAD.replace('version = "2024.07"', 'version = "2024.04"'), "version", "last release"),
        (HEAD.replace('name = "2024.07"', 'name = "2024.01"'), "releases[1].name", "oldest first"),
        ("functions = 3\n" + HEAD, "functions", "array of tables"),
        ("owner = 'EIG'\n" + HEAD, None, "unexpected keys: owner"),
    ],
)
def test_a_bad_file_is_one_error_naming_the_entry_and_the_field(
    document: str, field: str | None, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_catalogue(document, source="mine.toml")
    assert refused.value.field == field
    assert refused.value.source == "mine.toml"
    assert message in str(refused.value)
    assert str(refused.value).startswith("mine.toml")


def test_bad_toml_names_the_line() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_catalogue(HEAD + "[[functions]\n", source="mine.toml")
    assert refused.value.line == 9


def test_the_shipped_file_parses_as_shipped() -> None:
    assert parse_catalogue(SHIPPED) == load_catalogue()


def _docs_rows() -> list[list[str]]:
    text = DOCS.read_text("utf-8")
    section = text[text.index("## Function catalogue") : text.index("## Support routing")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[cell.strip().strip("`") for cell in row.strip("|").split("|")] for row in rows]


def test_the_docs_table_is_the_shipped_catalogue() -> None:
    def span(window: object) -> str:
        if window is None:
            return "—"
        since, until = window.since, window.until  # type: ignore[attr-defined]
        return since if until is None else f"{since} – {until}"

    expected = [
        [f.name, f.kind.value, span(f.console), span(f.administrator), f.label]
        for f in load_catalogue()
    ]
    assert _docs_rows() == expected


def test_values_built_in_python_are_checked_too() -> None:
    with pytest.raises(InvalidInput) as refused:
        Availability(Release("2024.07"), Release("2024.04"))
    assert refused.value.field == "until"
    with pytest.raises(InvalidInput) as refused:
        Availability(Release("April"))
    assert refused.value.field == "since"
    with pytest.raises(InvalidInput) as refused:
        Function("hr.pay", "payroll", "Pay")  # type: ignore[arg-type]
    assert refused.value.field == "kind"
