"""Emergency numbers ("N° Urgence", at most five) and the shared directory ("Annuaire")
with the caregivers who share clients."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput, NotFound, RuleViolation
from caredomain.interventions.model import (
    Caregiver,
    CaregiverId,
    ClientId,
    InterventionId,
    PlannedIntervention,
    ServiceId,
)
from caredomain.interventions.phonebook import (
    CAREGIVER_ROLE,
    Directory,
    DirectoryEntry,
    DirectoryEntryId,
    EmergencyNumber,
    EmergencyNumbers,
    NumberKind,
    PhoneNumber,
    co_caregivers,
    parse_phone,
)

MONDAY = datetime(2026, 3, 2, 8, tzinfo=UTC)


# Phone numbers


@pytest.mark.parametrize(
    ("text", "region", "e164"),
    [
        ("01 45 67 89 01", "FR", "+33145678901"),
        ("06.12.34.56.78", "FR", "+33612345678"),
        ("+33 6 12 34 56 78", "CA", "+33612345678"),
        ("(514) 555-0199", "CA", "+15145550199"),
    ],
)
def test_full_numbers_are_kept_in_e164(text: str, region: str, e164: str) -> None:
    number = parse_phone(text, region)
    assert number == PhoneNumber(e164, NumberKind.E164)
    assert str(number) == e164
    assert not number.emergency


@pytest.mark.parametrize(
    ("text", "emergency"),
    [("15", True), ("18", True), ("112", True), ("17", True), ("115", False), ("3114", False)],
)
def test_short_numbers_of_the_region_are_kept_as_dialled(text: str, emergency: bool) -> None:
    number = parse_phone(f" {text} ")
    assert number == PhoneNumber(text, NumberKind.SHORT, "FR")
    assert number.emergency is emergency


@pytest.mark.parametrize("text", ["", "   ", "abc", "12", "0145", "+33 15", "911", "+33 1 23"])
def test_what_no_phone_can_dial_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_phone(text, what="astreinte")
    assert caught.value.field == "astreinte"


def test_a_short_number_is_checked_against_its_region() -> None:
    assert parse_phone("911", "CA") == PhoneNumber("911", NumberKind.SHORT, "CA")
    with pytest.raises(InvalidInput):
        parse_phone("911", "FR")


@pytest.mark.parametrize(
    ("value", "kind", "region"),
    [("0145678901", "e164", None), ("+33 1", "e164", None), ("15", "short", None)],
)
def test_a_phone_number_built_by_hand_is_checked(value: str, kind: str, region: str | None) -> None:
    with pytest.raises(InvalidInput):
        PhoneNumber(value, NumberKind(kind), region)


# Emergency numbers


def five() -> EmergencyNumbers:
    numbers = EmergencyNumbers()
    for label, number in [
        ("Samu", "15"),
        ("Pompiers", "18"),
        ("Urgences", "112"),
        ("Astreinte", "06 12 34 56 78"),
        ("Standard", "01 45 67 89 01"),
    ]:
        numbers = numbers.add(label, number)
    return numbers


def test_up_to_five_emergency_numbers_in_the_order_they_were_added() -> None:
    numbers = five()
    assert len(numbers) == 5
    assert [n.label for n in numbers.numbers] == [
        "Samu",
        "Pompiers",
        "Urgences",
        "Astreinte",
        "Standard",
    ]
    assert numbers.numbers[3].number == PhoneNumber("+33612345678")


def test_a_sixth_emergency_number_is_refused() -> None:
    with pytest.raises(RuleViolation) as caught:
        five().add("Police", "17")
    assert caught.value.code == "emergency.too_many"


def test_six_emergency_numbers_cannot_be_built_either() -> None:
    entries = [*five().numbers, EmergencyNumber.parse("Police", "17")]
    with pytest.raises(RuleViolation) as caught:
        EmergencyNumbers(entries)
    assert caught.value.code == "emergency.too_many"


def test_once_one_is_removed_another_fits() -> None:
    numbers = five().remove("standard").add("Police", "17")
    assert [n.label for n in numbers.numbers][-1] == "Police"


def test_removing_an_unknown_label_is_not_found() -> None:
    with pytest.raises(NotFound):
        five().remove("Police")


@pytest.mark.parametrize(
    ("label", "number"), [("Samu bis", "15"), ("SAMU ", "17"), ("Astreinte 2", "+33612345678")]
)
def test_a_label_or_a_number_twice_is_refused(label: str, number: str) -> None:
    numbers = EmergencyNumbers().add("Samu", "15").add("Astreinte", "0612345678")
    with pytest.raises(RuleViolation) as caught:
        numbers.add(label, number)
    assert caught.value.code == "emergency.duplicate"


def test_an_invalid_emergency_number_names_the_field_and_the_text() -> None:
    with pytest.raises(InvalidInput) as caught:
        EmergencyNumbers().add("Astreinte", "06 12")
    assert (caught.value.field, caught.value.text) == ("number", "06 12")


def test_a_blank_label_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        EmergencyNumbers().add("  ", "15")
    assert caught.value.field == "label"


@given(st.lists(st.sampled_from(["15", "17", "18", "112", "115", "0612345678", "0145678901"])))
def test_never_more_than_five_whatever_is_added(numbers: list[str]) -> None:
    book = EmergencyNumbers()
    refusals: set[str] = set()
    for n, number in enumerate(numbers):
        try:
            book = book.add(f"N{n}", number)
        except RuleViolation as refusal:
            refusals.add(refusal.code)
    assert refusals <= {"emergency.too_many", "emergency.duplicate"}
    assert len(book) == min(5, len(set(numbers)))


# Directory


def caregiver(cid: str, name: str) -> Caregiver:
    return Caregiver(CaregiverId(cid), name, "M1")


CAREGIVERS = [
    caregiver("C1", "Marie Dupont"),
    caregiver("C2", "Zoé Martin"),
    caregiver("C3", "Alice Bernard"),
    caregiver("C4", "Paul Petit"),
    caregiver("C5", "Luc Moreau"),
]


def visit(vid: str, cid: str, client: str, day: int = 0) -> PlannedIntervention:
    start = MONDAY + timedelta(days=day)
    return PlannedIntervention(
        InterventionId(vid),
        CaregiverId(cid),
        ClientId(client),
        ServiceId("AIDE"),
        start,
        start + timedelta(hours=2),
    )


PLANNING = [
    visit("V1", "C1", "K1"),
    visit("V2", "C2", "K1", 1),
    visit("V3", "C2", "K1", 2),  # C2 twice at K1: listed once
    visit("V4", "C3", "K2", 1),
    visit("V5", "C1", "K2", 3),
    visit("V6", "C4", "K3"),  # no client in common with C1
    visit("V7", "C1", "K1", 4),  # C1 herself: not listed
    visit("V8", "C9", "K2"),  # C9 is not a known caregiver
]


def test_co_caregivers_share_a_client_and_are_sorted_by_name() -> None:
    found = co_caregivers(CaregiverId("C1"), PLANNING, CAREGIVERS)
    assert [c.id for c in found] == ["C3", "C2"]  # Alice Bernard, Zoé Martin


def test_a_caregiver_without_visits_has_no_co_caregivers() -> None:
    assert co_caregivers(CaregiverId("C5"), PLANNING, CAREGIVERS) == ()


@given(
    st.lists(
        st.tuples(st.sampled_from(["C1", "C2", "C3", "C4"]), st.sampled_from(["K1", "K2", "K3"])),
        max_size=12,
    )
)
def test_co_caregivers_are_exactly_those_sharing_a_client(pairs: list[tuple[str, str]]) -> None:
    planning = [visit(f"V{n}", cid, client, n % 5) for n, (cid, client) in enumerate(pairs)]
    found = co_caregivers(CaregiverId("C1"), planning, CAREGIVERS)
    mine = {client for cid, client in pairs if cid == "C1"}
    expected = {cid for cid, client in pairs if client in mine and cid != "C1"}
    assert {c.id for c in found} == expected
    assert len(found) == len(expected)
    assert [c.name for c in found] == sorted(c.name for c in found)


def office_directory() -> Directory:
    return Directory(
        [
            DirectoryEntry(
                DirectoryEntryId("D2"), "Standard", "Accueil", parse_phone("01 45 67 89 01")
            ),
            DirectoryEntry(
                DirectoryEntryId("D1"), "Astreinte", "Responsable", parse_phone("0612345678")
            ),
        ]
    )


def test_the_phone_shows_the_shared_entries_then_the_co_caregivers() -> None:
    phones = {CaregiverId("C3"): parse_phone("0698765432")}
    lines = office_directory().for_caregiver(CaregiverId("C1"), PLANNING, CAREGIVERS, phones)
    assert [(line.name, line.role) for line in lines] == [
        ("Astreinte", "Responsable"),
        ("Standard", "Accueil"),
        ("Alice Bernard", CAREGIVER_ROLE),
        ("Zoé Martin", CAREGIVER_ROLE),
    ]
    assert lines[2].phone == PhoneNumber("+33698765432")
    assert lines[3].phone is None
    assert (lines[0].entry_id, lines[2].caregiver_id) == ("D1", "C3")


def test_without_the_option_only_the_shared_entries_show() -> None:
    directory = Directory(office_directory().entries, include_co_caregivers=False)
    lines = directory.for_caregiver(CaregiverId("C1"), PLANNING, CAREGIVERS)
    assert [line.name for line in lines] == ["Astreinte", "Standard"]


def test_the_office_edits_the_directory() -> None:
    directory = office_directory().put(
        DirectoryEntry(DirectoryEntryId("D2"), "Accueil", "Standard", parse_phone("0145678902"))
    )
    assert [(e.id, e.name) for e in directory.entries] == [("D2", "Accueil"), ("D1", "Astreinte")]
    assert [e.id for e in directory.remove(DirectoryEntryId("D1")).entries] == ["D2"]
    with pytest.raises(NotFound):
        directory.remove(DirectoryEntryId("D9"))


def test_directory_ids_are_unique() -> None:
    entry = office_directory().entries[0]
    with pytest.raises(InvalidInput):
        Directory([entry, entry])
