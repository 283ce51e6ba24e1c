"""Names that moved in 0.2 still resolve, with a DeprecationWarning naming their new home,
until 0.3 (docs/versioning.md)."""

from __future__ import annotations

import importlib

import pytest

import caredomain.notifications.outbound
import caredomain.notifications.ports
import caredomain.roster.batch
import caredomain.roster.ports
import caredomain.slots.services

MOVED = [
    ("caredomain.ports", "FeedBatch", caredomain.roster.batch),
    ("caredomain.ports", "FeedReaderSpec", caredomain.roster.ports),
    ("caredomain.ports", "SenderSpec", caredomain.notifications.ports),
    ("caredomain.ports", "OutboundMessage", caredomain.notifications.outbound),
    ("caredomain.services", "book_slot", caredomain.slots.services),
    ("caredomain.services", "SLOT_PLANNER", caredomain.slots.services),
]


@pytest.mark.parametrize(("old", "name", "home"), MOVED)
def test_a_moved_name_warns_and_is_the_same_object(old: str, name: str, home: object) -> None:
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=rf"{old}\.{name} moved to .*0\.3"):
        value = getattr(module, name)
    assert value is getattr(home, name)


@pytest.mark.parametrize("old", ["caredomain.ports", "caredomain.services"])
def test_an_unknown_name_is_still_an_attribute_error(old: str) -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        importlib.import_module(old).no_such_name  # noqa: B018 - the lookup is the test
