"""The phone's numbers: the emergency shortcuts ("N° Urgence") and the shared directory
("Annuaire") of seed 004.

Phone numbers are parsed with the phonenumbers library, read as numbers of a region
(``FR`` by default) when written without a country code. A full number is kept in E.164
(``+33145678901``). The short numbers people call in an emergency (``15`` for the SAMU,
``18`` for the fire brigade, ``112``, ``17``) and the short service numbers of the region
(``115``, ``3114``) are not E.164 numbers at all: they are accepted as numbers of the
``short`` kind, kept as dialled (``15``) with the region where they are valid, because the
seed lists "pompiers, Samu" among the emergency shortcuts. A short number written with a
country code (``+33 15``) is refused: nobody dials it that way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import NewType

import phonenumbers
from attrs import evolve, field, frozen
from phonenumbers import shortnumberinfo

from caredomain.arguments import checked_fields
from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.interventions.model import Caregiver, CaregiverId, PlannedIntervention
from caredomain.text import Text
from caredomain.validation import identifier, member_of, non_blank

__all__ = [
    "CAREGIVER_ROLE",
    "MAX_EMERGENCY_NUMBERS",
    "Directory",
    "DirectoryEntry",
    "DirectoryEntryId",
    "DirectoryLine",
    "EmergencyNumber",
    "EmergencyNumbers",
    "NumberKind",
    "PhoneNumber",
    "check_emergency_numbers",
    "co_caregivers",
    "parse_phone",
]

DirectoryEntryId = NewType("DirectoryEntryId", str)

MAX_EMERGENCY_NUMBERS = 5
"""The seed: "Vous pouvez définir jusqu'à 5 raccourcis d'appels vers des numéros d'urgence"."""

CAREGIVER_ROLE = "Intervenant"
"""The role shown for the co-caregivers the directory adds by itself."""

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SHORT = re.compile(r"[0-9]{2,8}")


class NumberKind(StrEnum):
    E164 = "e164"  # a full international number, "+33145678901"
    SHORT = "short"  # a short number of a region, "15", dialled as is


def _number_kind(value: object) -> NumberKind:
    return member_of(NumberKind, value, "kind")


@frozen
class PhoneNumber:
    """A number a phone can dial: ``value`` is E.164 (``+33145678901``) or, for the
    ``short`` kind, the digits valid in ``region`` (``15`` in ``FR``)."""

    value: str
    kind: NumberKind = field(default=NumberKind.E164, converter=_number_kind)
    region: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind is NumberKind.E164 and not _E164.fullmatch(self.value):
            raise InvalidInput(Text("not an E.164 number"), field="value", text=self.value)
        if self.kind is NumberKind.SHORT and not (_SHORT.fullmatch(self.value) and self.region):
            raise InvalidInput(
                Text("a short number is 2 to 8 digits with its region"),
                field="value",
                text=self.value,
            )

    @classmethod
    def parse(cls, text: str, region: str = "FR", *, what: str = "number") -> PhoneNumber:
        """See :func:`parse_phone`."""
        return parse_phone(text, region, what=what)

    @property
    def emergency(self) -> bool:
        """Whether it is an emergency number of its region (15, 17, 18, 112…)."""
        if self.kind is NumberKind.E164 or self.region is None:
            return False
        return bool(shortnumberinfo.is_emergency_number(self.value, self.region))

    def __str__(self) -> str:
        return self.value


def parse_phone(text: str, region: str = "FR", *, what: str = "number") -> PhoneNumber:
    """``text`` as a number to dial: E.164 for a full number valid anywhere, ``short`` for a
    short number valid in ``region``; anything else is InvalidInput naming ``what``."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(Text("a phone number is required"), field=what, text=str(text))
    written = text.strip()
    try:
        number = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(Text("not a phone number"), field=what, text=written) from None
    if phonenumbers.is_valid_number(number):
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return PhoneNumber(e164, NumberKind.E164)
    if not written.startswith("+") and shortnumberinfo.is_valid_short_number_for_region(
        number, region
    ):
        digits = phonenumbers.national_significant_number(number)
        return PhoneNumber(digits, NumberKind.SHORT, region)
    raise InvalidInput(
        Text("not a valid phone number, nor a short number valid in {region}", region=region),
        field=what,
        text=written,
    )


@frozen(field_transformer=checked_fields)
class EmergencyNumber:
    """One emergency shortcut of the phones: a label ("Samu", "Astreinte") and its number.
    A tap on it starts the call at once."""

    label: str = field(validator=non_blank)
    number: PhoneNumber

    @classmethod
    def parse(cls, label: str, number: str, region: str = "FR") -> EmergencyNumber:
        return cls(label.strip(), parse_phone(number, region, what="number"))


def _emergency_numbers(values: Iterable[EmergencyNumber]) -> tuple[EmergencyNumber, ...]:
    numbers = tuple(values)
    check_emergency_numbers(numbers)
    return numbers


def check_emergency_numbers(numbers: tuple[EmergencyNumber, ...]) -> None:
    """The "N° Urgence" rule: at most five shortcuts (``emergency.too_many``), no label and
    no number twice (``emergency.duplicate``)."""
    if len(numbers) > MAX_EMERGENCY_NUMBERS:
        raise RuleViolation(
            "emergency.too_many",
            Text(
                "at most {most} emergency numbers (got {n})",
                most=MAX_EMERGENCY_NUMBERS,
                n=len(numbers),
            ),
        )
    labels = [number.label.strip().casefold() for number in numbers]
    dialled = [str(number.number) for number in numbers]
    for seen, what in ((labels, "label"), (dialled, "number")):
        repeated = sorted({value for value in seen if seen.count(value) > 1})
        if repeated:
            message = (
                Text(
                    "each emergency label appears once ({repeated} is repeated)",
                    repeated=", ".join(repeated),
                )
                if what == "label"
                else Text(
                    "each emergency number appears once ({repeated} is repeated)",
                    repeated=", ".join(repeated),
                )
            )
            raise RuleViolation("emergency.duplicate", message)


@frozen
class EmergencyNumbers:
    """An organisation's emergency shortcuts, in the order the phones show them. The phones
    are updated with them whenever they change."""

    numbers: tuple[EmergencyNumber, ...] = field(default=(), converter=_emergency_numbers)

    def add(self, label: str, number: str, region: str = "FR") -> EmergencyNumbers:
        """With one more shortcut, last: a sixth is refused (``emergency.too_many``)."""
        return EmergencyNumbers((*self.numbers, EmergencyNumber.parse(label, number, region)))

    def remove(self, label: str) -> EmergencyNumbers:
        """Without the shortcut labelled ``label`` (case ignored); NotFound if none is."""
        wanted = label.strip().casefold()
        kept = tuple(n for n in self.numbers if n.label.strip().casefold() != wanted)
        if len(kept) == len(self.numbers):
            raise NotFound(Text("no emergency number labelled {label}", label=repr(label)))
        return EmergencyNumbers(kept)

    def __len__(self) -> int:
        return len(self.numbers)


@frozen
class DirectoryEntry:
    """An entry of the shared directory, managed by the office on the web interface."""

    id: DirectoryEntryId = field(validator=identifier)
    name: str = field(validator=non_blank)
    role: str
    phone: PhoneNumber


@frozen
class DirectoryLine:
    """A line of the directory as a phone shows it: a shared entry (``entry_id``) or a
    caregiver who shares clients with the phone's owner (``caregiver_id``, and no number
    when none is known)."""

    name: str
    role: str
    phone: PhoneNumber | None
    entry_id: DirectoryEntryId | None = None
    caregiver_id: CaregiverId | None = None


def _entries(values: Iterable[DirectoryEntry]) -> tuple[DirectoryEntry, ...]:
    entries = tuple(sorted(values, key=lambda entry: (entry.name.casefold(), entry.id)))
    ids = [entry.id for entry in entries]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            Text("directory entry ids must be unique"), field="entries", text=str(ids)
        )
    return entries


@frozen
class Directory:
    """The shared directory ("Annuaire"). ``include_co_caregivers`` is the option that adds,
    on each phone, the caregivers who visit the same clients as its owner."""

    entries: tuple[DirectoryEntry, ...] = field(default=(), converter=_entries)
    include_co_caregivers: bool = True

    def put(self, entry: DirectoryEntry) -> Directory:
        """With ``entry`` added, or replacing the entry of the same id."""
        return evolve(self, entries=(*(e for e in self.entries if e.id != entry.id), entry))

    def remove(self, entry_id: DirectoryEntryId) -> Directory:
        kept = tuple(entry for entry in self.entries if entry.id != entry_id)
        if len(kept) == len(self.entries):
            raise NotFound(Text("no directory entry {entry}", entry=repr(entry_id)))
        return evolve(self, entries=kept)

    def for_caregiver(
        self,
        caregiver_id: CaregiverId,
        interventions: Iterable[PlannedIntervention],
        caregivers: Iterable[Caregiver],
        phones: Mapping[CaregiverId, PhoneNumber] | None = None,
    ) -> tuple[DirectoryLine, ...]:
        """What ``caregiver_id``'s phone shows: the shared entries by name, then (if the
        option is on) her co-caregivers by name, with their numbers from ``phones``."""
        shared = tuple(
            DirectoryLine(entry.name, entry.role, entry.phone, entry_id=entry.id)
            for entry in self.entries
        )
        if not self.include_co_caregivers:
            return shared
        known = phones or {}
        return shared + tuple(
            DirectoryLine(other.name, CAREGIVER_ROLE, known.get(other.id), caregiver_id=other.id)
            for other in co_caregivers(caregiver_id, interventions, caregivers)
        )


def co_caregivers(
    caregiver_id: CaregiverId,
    interventions: Iterable[PlannedIntervention],
    caregivers: Iterable[Caregiver],
) -> tuple[Caregiver, ...]:
    """The seed's "salariés qui ont des interventions chez des usagers communs": the
    caregivers with an intervention at a client ``caregiver_id`` also visits, herself
    excluded, each once, sorted by name (then id). Only the caregivers in ``caregivers``
    are listed: the others are unknown to the directory."""
    planned = tuple(interventions)
    her_clients = {i.client_id for i in planned if i.caregiver_id == caregiver_id}
    sharing = {
        i.caregiver_id
        for i in planned
        if i.client_id in her_clients and i.caregiver_id != caregiver_id
    }
    found = {c.id: c for c in caregivers if c.id in sharing}
    return tuple(sorted(found.values(), key=lambda c: (c.name.casefold(), c.id)))
