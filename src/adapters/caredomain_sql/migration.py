"""What the SQL stores' migrations share: a migration is a version, a description and its
SQL; a database whose schema is newer than the code is refused."""

from __future__ import annotations

from typing import NamedTuple

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Migration", "checked_version"]


class Migration(NamedTuple):
    version: int
    description: str
    sql: str


def checked_version(version: int, latest: int, source: str) -> int:
    """``version``, or :class:`InvalidInput` when it is newer than ``latest``."""
    if version > latest:
        raise InvalidInput(
            Text(
                "the database has schema version {version}, newer than this caredomain knows "
                "({latest}); upgrade caredomain to open it",
                version=version,
                latest=latest,
            ),
            source=source,
        )
    return version
