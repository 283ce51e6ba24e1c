"""Records as JSON documents, and instants as whole microseconds since the epoch in UTC, the
same in every SQL store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from caredomain.errors import InvalidInput
from caredomain.serialization import structure, unstructure
from caredomain.text import Text

__all__ = ["as_json", "loaded", "micros", "moment", "parsed", "plain_json"]

T = TypeVar("T")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


# One encoder for every document: json.dumps with options builds a new one at each call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def plain_json(value: object) -> str:
    """``value`` (plain data) as compact JSON with sorted keys, non-ASCII kept."""
    return _ENCODER.encode(value)


def as_json(value: object) -> str:
    """The document of a model: the JSON of :func:`caredomain.serialization.unstructure`."""
    return plain_json(unstructure(value))


def parsed(document: str, source: str) -> Any:
    """The data of a stored document; :class:`InvalidInput` naming ``source`` if it is not
    JSON."""
    try:
        return json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            Text("stored document is not JSON: {error}", error=str(error)), source=source
        ) from None


def loaded(document: str, cls: type[T], source: str) -> T:
    """The ``cls`` a stored document holds."""
    return structure(parsed(document, source), cls, source=source)


def micros(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH) // _MICRO


def moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)
