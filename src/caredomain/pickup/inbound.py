"""An inbound message — a HopHop webhook's event — applied once, and only the message its id
was first applied to.

HopHop delivers an event again when it did not hear the answer: the same id, the same event.
The store remembers each id applied, with a digest of what it asked (:func:`inbound_digest`:
the use case and its arguments, times in UTC), so that:

* the same id with the same content is answered as applied, and applies nothing again;
* the same id with other content — another kind of event, another time, other children —
  is refused with :class:`InboundReused`, and applies nothing: HopHop (or whoever reuses the
  id) is told, instead of a silent "done" for an event that never was;
* an id remembered before digests were kept (digest ``""``) cannot be compared: taken as
  the same, as it always was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from attrs import asdict, has

from caredomain.errors import Conflict, RuleViolation, excerpt
from caredomain.pickup.ports import PickupUnitOfWork
from caredomain.text import Text

__all__ = ["InboundReused", "first_delivery", "inbound_digest"]


class InboundReused(RuleViolation, Conflict):
    """An inbound id already applied to another message (code ``pickup.inbound_reused``).

    A :class:`RuleViolation`, with a stable code; and a :class:`Conflict`, because the id
    conflicts with what the store holds under it: delivering it again cannot succeed."""

    def __init__(self, inbound_id: str) -> None:
        super().__init__(
            "pickup.inbound_reused",
            Text(
                "the event id {id} was already applied to another event; this one is not applied",
                id=excerpt(inbound_id),
            ),
        )
        self.inbound_id = inbound_id


def _plain(value: object) -> object:
    """``value`` as JSON can write it, the same for the same meaning."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if has(type(value)):
        return _plain(asdict(value, recurse=False))  # type: ignore[arg-type]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_plain(item) for item in value]
    return value


def inbound_digest(use_case: str, **arguments: object) -> str:
    """The digest of what an inbound message asks: the use case and its arguments."""
    text = json.dumps([use_case, _plain(arguments)], sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def first_delivery(
    uow: PickupUnitOfWork, organisation_id: str, inbound_id: str, digest: str
) -> bool:
    """Whether the message ``inbound_id`` is to be applied now (and remembered as applied,
    with ``digest``): ``False`` when it was applied before, :class:`InboundReused` when
    another message was applied under its id."""
    before = uow.pickup.remember(organisation_id, inbound_id, digest)
    if before is None:
        return True
    if before and before != digest:
        raise InboundReused(inbound_id)
    return False
