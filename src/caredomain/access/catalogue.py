"""The function catalogue: which function runs in which mode, as of which release (seed 002).

"EIG décentralise plusieurs fonctionnalités du mode pupitre (uniquement accessible aux
techniciens EIG) dans le mode EIG Administrateur. […] La liste des ces fonctionnalités sera
prochainement communiquée. Les fonctions RH sont déjà listées dans la page wiki accessible
depuis la mise à jour de mars 2024."

The catalogue is data, shipped with caredomain (``caredomain/data/access_catalogue.toml``)
and read once by :func:`load_catalogue`; everything else here is pure. It lists every
:class:`~caredomain.access.Action` (each module's functions) and named configurator and HR
functions, and for each mode the releases it is available in: from ``since`` and before
``until`` (none: still available). Releases are the vendor's general updates, written
``YYYY.MM`` (``2023.12``, ``2024.04``); the file's ``version`` is the last release it
describes.

* A release between two listed ones (``2024.05``) is answered as of the last release before
  it: functions move with general updates only.
* A release after ``version`` is refused: the catalogue cannot know what it holds.
* A function may leave a mode (``until``): user and rights management leave console mode
  when the transition ends, since the administrator creates the users.
* A bad file is one :class:`~caredomain.errors.InvalidInput` naming the file, the entry
  (``functions["user.manage"]``) and the field.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from typing import Any, NewType

from attrs import Attribute, field, frozen

from caredomain.access.modes import Mode
from caredomain.access.policy import Action
from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput, NotFound
from caredomain.serialization import parse_toml
from caredomain.strict import shown_value, toml_type
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "CATALOGUE_FILE",
    "Availability",
    "Function",
    "FunctionCatalogue",
    "FunctionKind",
    "Release",
    "ReleaseNote",
    "load_catalogue",
    "parse_catalogue",
    "release",
]

CATALOGUE_FILE = "access_catalogue.toml"

Release = NewType("Release", str)
"""A general update of the vendor's software, ``YYYY.MM``: ordered as text."""

_RELEASE = re.compile(r"\d{4}\.(0[1-9]|1[0-2])")


def release(text: object, field: str = "release") -> Release:
    """``text`` as a :data:`Release`, or InvalidInput naming ``field``."""
    if not isinstance(text, str) or not _RELEASE.fullmatch(text):
        raise InvalidInput(
            Text("expected a release written YYYY.MM (2024.04)"),
            field=field,
            text=shown_value(text),
        )
    return Release(text)


class FunctionKind(StrEnum):
    ACTION = "action"  # a caredomain.access.Action: a module's function
    CONFIGURATOR = "configurator"  # users, rights, the administrator
    HR = "hr"  # the HR functions the vendor's wiki lists


def _is_release(instance: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        release(value, attribute.name)


@frozen(field_transformer=checked_fields)
class Availability:
    """Available from release ``since`` and before ``until`` (None: still available)."""

    since: Release = field(validator=_is_release)
    until: Release | None = field(default=None, validator=_is_release)

    def __attrs_post_init__(self) -> None:
        if self.until is not None and self.until <= self.since:
            raise InvalidInput(Text("must come after since"), field="until", text=self.until)

    def covers(self, at: Release) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


def _kind(value: object) -> FunctionKind:
    return member_of(FunctionKind, value, "kind")


@frozen(field_transformer=checked_fields)
class Function:
    """One function ("traitement") and the releases it is available in, mode by mode."""

    name: str = field(validator=identifier)
    kind: FunctionKind = field(converter=_kind)
    label: str = field(validator=non_blank)
    console: Availability | None = None
    administrator: Availability | None = None

    def availability(self, mode: Mode) -> Availability | None:
        return self.console if mode is Mode.CONSOLE else self.administrator

    def available(self, mode: Mode, at: Release) -> bool:
        window = self.availability(mode)
        return window is not None and window.covers(at)

    @property
    def action(self) -> Action | None:
        """The :class:`~caredomain.access.Action` this function is, if it is one."""
        return Action(self.name) if self.kind is FunctionKind.ACTION else None


@frozen(field_transformer=checked_fields)
class ReleaseNote:
    name: Release = field(validator=_is_release)
    summary: str = field(validator=non_blank)


@frozen
class FunctionCatalogue:
    """The functions, in the file's order, and the releases the file describes. Built by
    :func:`parse_catalogue`, which checks the whole document."""

    version: Release = field(validator=_is_release)
    releases: tuple[ReleaseNote, ...]
    functions: tuple[Function, ...]
    _by_name: Mapping[str, Function] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.functions})

    def __iter__(self) -> Iterator[Function]:
        return iter(self.functions)

    def __len__(self) -> int:
        return len(self.functions)

    def function(self, name: str) -> Function:
        """The function called ``name``; NotFound naming it otherwise."""
        found = self._by_name.get(name)
        if found is None:
            raise NotFound(
                Text(
                    "no function {name} in the catalogue {version}", name=name, version=self.version
                )
            )
        return found

    def available(self, name: str, mode: Mode, at: str) -> bool:
        """Whether function ``name`` is available in ``mode`` at release ``at``."""
        return self.function(name).available(mode, self.known(at))

    def in_mode(self, mode: Mode, at: str) -> list[Function]:
        """The functions available in ``mode`` at release ``at``, in the file's order."""
        when = self.known(at)
        return [f for f in self.functions if f.available(mode, when)]

    def known(self, at: str) -> Release:
        """``at`` as a release this catalogue can answer for: up to its ``version``."""
        when = release(at)
        if when > self.version:
            raise InvalidInput(
                Text("the catalogue describes the releases up to {version}", version=self.version),
                field="release",
                text=when,
            )
        return when

    def missing_actions(self) -> list[Action]:
        """The actions the catalogue does not list (it should list every one)."""
        return [action for action in Action if action.value not in self._by_name]


@functools.cache
def load_catalogue() -> FunctionCatalogue:
    """The catalogue shipped with caredomain, read once (package data, read as a module is)."""
    resource = importlib.resources.files("caredomain.data").joinpath(CATALOGUE_FILE)
    return parse_catalogue(resource.read_text("utf-8"), source=CATALOGUE_FILE)


def parse_catalogue(text: str | bytes, *, source: str | None = None) -> FunctionCatalogue:
    """A catalogue from its TOML text (see the shipped file for its shape). A bad document
    is one InvalidInput naming ``source``, the entry and the field at fault."""
    document = parse_toml(text, source=source)
    try:
        return _catalogue(document)
    except InvalidInput as error:
        raise error.located(source=source) from None


def _catalogue(document: Mapping[str, Any]) -> FunctionCatalogue:
    _only(document, {"version", "releases", "functions"}, "")
    version = release(_required(document, "version", ""), "version")
    notes = tuple(_release_note(i, table) for i, table in _tables(document, "releases"))
    names = [note.name for note in notes]
    for previous, (i, note) in zip(names, enumerate(notes[1:], start=1), strict=False):
        if note.name <= previous:
            raise InvalidInput(
                Text("releases must be listed oldest first, each once"),
                field=f"releases[{i}].name",
                text=note.name,
            )
    if not names or names[-1] != version:
        raise InvalidInput(
            Text("the last release listed must be the version"), field="version", text=version
        )
    functions: dict[str, Function] = {}
    for _, table in _tables(document, "functions"):
        function = _function(table, frozenset(names), functions)
        functions[function.name] = function
    return FunctionCatalogue(version, notes, tuple(functions.values()))


def _release_note(index: int, table: Mapping[str, Any]) -> ReleaseNote:
    where = f"releases[{index}]"
    _only(table, {"name", "summary"}, where)
    name = release(_required(table, "name", where), f"{where}.name")
    return ReleaseNote(name, _text(table, "summary", f"{where}.summary"))


def _function(
    table: Mapping[str, Any], releases: frozenset[str], seen: Mapping[str, Function]
) -> Function:
    name = _text(table, "name", "functions[].name")
    if any(ch.isspace() for ch in name):
        raise InvalidInput(Text("must be text without spaces"), field="functions[].name", text=name)
    where = f"functions[{name!r}]"
    if name in seen:
        raise InvalidInput(Text("listed twice"), field=f"{where}.name", text=name)
    _only(table, {"name", "kind", "label", "console", "administrator"}, where)
    kind_text = _text(table, "kind", f"{where}.kind")
    try:
        kind = FunctionKind(kind_text)
    except ValueError:
        known = ", ".join(k.value for k in FunctionKind)
        raise InvalidInput(
            Text("expected one of {members}", members=known), field=f"{where}.kind", text=kind_text
        ) from None
    is_action = name in {action.value for action in Action}
    if kind is FunctionKind.ACTION and not is_action:
        raise InvalidInput(
            Text("not an action of caredomain.access"), field=f"{where}.name", text=name
        )
    if kind is not FunctionKind.ACTION and is_action:
        raise InvalidInput(
            Text("an action of caredomain.access must be of kind action"),
            field=f"{where}.kind",
            text=kind_text,
        )
    function = Function(
        name=name,
        kind=kind,
        label=_text(table, "label", f"{where}.label"),
        console=_availability(table, "console", where, releases),
        administrator=_availability(table, "administrator", where, releases),
    )
    if function.console is None and function.administrator is None:
        raise InvalidInput(
            Text("a function is available in console mode, in Administrator mode or both"),
            field=where,
            text=name,
        )
    return function


def _availability(
    table: Mapping[str, Any], key: str, where: str, releases: frozenset[str]
) -> Availability | None:
    value = table.get(key)
    if value is None:
        return None
    here = f"{where}.{key}"
    if not isinstance(value, Mapping):
        raise InvalidInput(
            Text("expected a table with since (and until), not {kind}", kind=toml_type(value)),
            field=here,
            text=shown_value(value),
        )
    _only(value, {"since", "until"}, here)
    since = _listed(_required(value, "since", here), f"{here}.since", releases)
    until = value.get("until")
    if until is None:
        return Availability(since)
    last = _listed(until, f"{here}.until", releases)
    if last <= since:
        raise InvalidInput(Text("must come after since"), field=f"{here}.until", text=last)
    return Availability(since, last)


def _listed(value: object, where: str, releases: frozenset[str]) -> Release:
    when = release(value, where)
    if when not in releases:
        raise InvalidInput(Text("not a release listed in releases"), field=where, text=when)
    return when


def _tables(document: Mapping[str, Any], key: str) -> Iterable[tuple[int, Mapping[str, Any]]]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput(
            Text("expected an array of tables, not {kind}", kind=toml_type(value)), field=key
        )
    for index, table in enumerate(value):
        if not isinstance(table, Mapping):
            raise InvalidInput(
                Text("expected a table, not {kind}", kind=toml_type(table)),
                field=f"{key}[{index}]",
                text=shown_value(table),
            )
        yield index, table


def _required(table: Mapping[str, Any], key: str, where: str) -> object:
    if key not in table:
        raise InvalidInput(Text("missing"), field=f"{where}.{key}".lstrip("."))
    return table[key]


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    if key not in table:
        raise InvalidInput(Text("missing"), field=where)
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            Text("expected non-blank text, not {kind}", kind=toml_type(value)),
            field=where,
            text=shown_value(value),
        )
    return value


def _only(table: Mapping[str, Any], keys: frozenset[str] | set[str], where: str) -> None:
    extra = sorted(set(table) - set(keys))
    if extra:
        raise InvalidInput(
            Text("unexpected keys: {keys}", keys=", ".join(extra)),
            field=where or None,
            text=extra[0],
        )
