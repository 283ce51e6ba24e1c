"""The converter's hooks the home-care records need: decimals as text, durations as seconds,
and sets of items without an order of their own (a client's badges)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caredomain.errors import InvalidInput
from caredomain.interventions import (
    AlarmSettings,
    Badge,
    BadgeKind,
    CaregiverId,
    Client,
    ClientId,
    EntryId,
    Expense,
    ExpenseCategory,
    InterventionId,
    Mileage,
    parse_phone,
)
from caredomain.serialization import structure, unstructure

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_a_decimal_round_trips_as_text(number: Decimal) -> None:
    plain = unstructure(number)
    assert isinstance(plain, str)
    assert structure(json.loads(json.dumps(plain)), Decimal) == number


def test_mileage_and_expenses_keep_their_cents_through_json() -> None:
    mileage = Mileage(
        id=EntryId("e-1"),
        intervention_id=InterventionId("iv-1"),
        caregiver_id=CaregiverId("cg-1"),
        entered_at=AT,
        km="12.50",
    )
    expense = Expense(
        id=EntryId("e-2"),
        intervention_id=InterventionId("iv-1"),
        caregiver_id=CaregiverId("cg-1"),
        entered_at=AT,
        amount="0.10",
        category=ExpenseCategory.MEAL,
    )
    for entry in (mileage, expense):
        text = json.dumps(unstructure(entry))
        assert structure(json.loads(text), type(entry)) == entry
    assert unstructure(mileage)["km"] == "12.50"


@pytest.mark.parametrize("bad", [1.5, "douze", "NaN", "Infinity", True, None])
def test_a_decimal_that_is_not_one_is_refused(bad: object) -> None:
    with pytest.raises(InvalidInput):
        structure(bad, Decimal)


def test_a_duration_round_trips_as_seconds() -> None:
    settings = AlarmSettings(
        call_number=parse_phone("15"), office_email="a@example.org", countdown=12.5
    )
    plain = unstructure(settings)
    assert plain["countdown"] == 12.5
    assert structure(json.loads(json.dumps(plain)), AlarmSettings) == settings
    assert unstructure(timedelta(seconds=10)) == 10
    with pytest.raises(InvalidInput):
        structure("10s", timedelta)


def test_a_set_of_unordered_items_unstructures_the_same_whatever_its_order() -> None:
    badges = [Badge(BadgeKind.QR, "QR-1"), Badge(BadgeKind.NFC, "04A1"), Badge(BadgeKind.NFC, "0")]
    one = Client(ClientId("cl-1"), "Léon", badges=badges)
    other = Client(ClientId("cl-1"), "Léon", badges=reversed(badges))
    assert unstructure(one) == unstructure(other)
    assert structure(json.loads(json.dumps(unstructure(one))), Client) == one
