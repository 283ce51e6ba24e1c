"""The code catalogue: what each presence or absence code of the GTT means.

Seed 000: the GTT sends, for each agent and day, a presence code (``J``, ``M``, ``S``, ``N``)
or an absence code (leave ``CA``, sick leave ``MAL`` — an "arrêt" —, rest ``RH``…). The
catalogue is data: an organisation loads its own from TOML (see ``docs/roster.md``), or
starts from the French hospital catalogue shipped with caredomain.

An absence code also has a category. It decides what a day swap may exchange: a working day
(presence) and a rest day can change hands between two agents; leave, sick leave and
training belong to the agent who holds them.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum

from attrs import Attribute, field, frozen

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput
from caredomain.serialization import load_toml
from caredomain.text import Text
from caredomain.validation import member_of

__all__ = [
    "AbsenceCategory",
    "Code",
    "CodeCatalogue",
    "CodeKind",
    "check_code_text",
    "french_hospital_catalogue",
    "load_catalogue",
]

FRENCH_HOSPITAL_CATALOGUE = "gtt_codes_fr.toml"
_CODE_PUNCTUATION = frozenset("_+./-")
MAX_CODE_LENGTH = 16


class CodeKind(StrEnum):
    PRESENCE = "presence"
    ABSENCE = "absence"


class AbsenceCategory(StrEnum):
    """Why an agent is away: decides what a day swap may exchange."""

    REST = "rest"  # weekly rest, compensatory rest: can change hands in a day swap
    LEAVE = "leave"  # paid leave, RTT, time savings account: the agent's own
    SICK_LEAVE = "sick_leave"  # "arrêt": sick leave, work accident
    TRAINING = "training"  # away from the unit for training
    OTHER = "other"  # union duty, strike, unjustified absence…


def check_code_text(text: str, what: str = "code") -> str:
    """``text`` if it can be a code: 1 to 16 letters, digits or ``_+./-``; never blank."""
    if (
        not text
        or len(text) > MAX_CODE_LENGTH
        or not all(ch.isalnum() or ch in _CODE_PUNCTUATION for ch in text)
    ):
        raise InvalidInput(
            Text(
                "a code is 1 to {most} letters, digits or _+./- (no spaces)", most=MAX_CODE_LENGTH
            ),
            field=what,
            text=text,
        )
    return text


def _code_text(instance: object, attribute: Attribute[str], value: str) -> None:
    check_code_text(value, attribute.name)


def _kind(value: object) -> CodeKind:
    return member_of(CodeKind, value, "kind")


def _category(value: object) -> AbsenceCategory | None:
    return None if value is None else member_of(AbsenceCategory, value, "category")


@frozen(field_transformer=checked_fields)
class Code:
    """One code of the catalogue. A presence code has no category; an absence code has one
    (``other`` unless said)."""

    code: str = field(validator=_code_text)
    label: str
    kind: CodeKind = field(converter=_kind)
    category: AbsenceCategory | None = field(default=None, converter=_category)

    def __attrs_post_init__(self) -> None:
        if self.kind is CodeKind.PRESENCE and self.category is not None:
            raise InvalidInput(
                Text("a presence code has no category"), field="category", text=self.code
            )
        if self.kind is CodeKind.ABSENCE and self.category is None:
            object.__setattr__(self, "category", AbsenceCategory.OTHER)

    @property
    def is_absence(self) -> bool:
        return self.kind is CodeKind.ABSENCE

    @property
    def exchangeable(self) -> bool:
        """Whether a day swap may hand this day to another agent: presence and rest only."""
        return self.kind is CodeKind.PRESENCE or self.category is AbsenceCategory.REST

    def __str__(self) -> str:
        return f"{self.code} ({self.label})"


def _codes(values: Iterable[Code]) -> tuple[Code, ...]:
    codes = tuple(values)
    seen: set[str] = set()
    for index, code in enumerate(codes):
        if code.code in seen:
            raise InvalidInput(
                Text("a code appears twice"), field=f"codes[{index}].code", text=code.code
            )
        seen.add(code.code)
    return codes


@frozen(field_transformer=checked_fields)
class CodeCatalogue:
    """Every code an organisation's GTT may send. Codes are case-sensitive and never guessed:
    a code that is not here is unknown."""

    codes: tuple[Code, ...] = field(converter=_codes)
    _by_code: Mapping[str, Code] = field(init=False, repr=False, eq=False)
    absences: frozenset[str] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_code", {code.code: code for code in self.codes})
        object.__setattr__(
            self, "absences", frozenset(code.code for code in self.codes if code.is_absence)
        )

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> Code | None:
        return self._by_code.get(code)

    def __getitem__(self, code: str) -> Code:
        try:
            return self._by_code[code]
        except KeyError:
            raise InvalidInput(Text("unknown code"), field="code", text=code) from None

    def is_absence(self, code: str | None) -> bool:
        return code in self.absences

    def replaced_by(self, other: CodeCatalogue) -> CodeCatalogue:
        """``other``, if it keeps every code of this catalogue with the same kind and
        category: agent-days already hold these codes, so none may vanish or change meaning
        (labels may change, codes may be added)."""
        for code in self.codes:
            new = other.get(code.code)
            if new is None:
                raise InvalidInput(
                    Text("a code in use cannot be removed from the catalogue"), text=code.code
                )
            if (new.kind, new.category) != (code.kind, code.category):
                raise InvalidInput(
                    Text("a code in use cannot change its kind or category"), text=code.code
                )
        return other


@frozen
class _CatalogueFile:
    codes: list[Code]


def load_catalogue(text: str | bytes, *, source: str | None = None) -> CodeCatalogue:
    """A catalogue from TOML: one ``[[codes]]`` table per code (``code``, ``label``, ``kind``
    and, for an absence, ``category``). Errors name the file and the path at fault."""
    document = load_toml(text, _CatalogueFile, source=source)
    try:
        return CodeCatalogue(document.codes)
    except InvalidInput as error:
        raise error.located(source=source) from None


@functools.cache
def french_hospital_catalogue() -> CodeCatalogue:
    """The catalogue shipped with caredomain: codes common in French hospitals' GTT.

    It is package data (``caredomain/data/gtt_codes_fr.toml``), read like a module is:
    once (an immutable value; every roster use case of a store without a catalogue of its
    own asked for it, a millisecond each time)."""
    resource = importlib.resources.files("caredomain.data").joinpath(FRENCH_HOSPITAL_CATALOGUE)
    return load_catalogue(resource.read_text("utf-8"), source=FRENCH_HOSPITAL_CATALOGUE)
