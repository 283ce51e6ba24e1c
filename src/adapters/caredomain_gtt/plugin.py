"""The ``caredomain_gtt`` plugin: offers the ``gtt-csv`` feed reader.

Registered through the ``caredomain`` entry-point group, exactly as a third-party plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from caredomain import hookimpl
from caredomain.roster.ports import FeedReader, FeedReaderSpec
from caredomain_gtt.reader import GttCsvReader
from caredomain_gtt.settings import GttSettings

NAME = "gtt-csv"


def create(settings: Mapping[str, str]) -> FeedReader:
    """A reader for the export format ``settings`` describe (see :mod:`caredomain_gtt.settings`)."""
    return GttCsvReader(GttSettings.from_mapping(settings))


@hookimpl
def caredomain_feed_readers(register: Callable[[FeedReaderSpec], None]) -> None:
    """Offer ``gtt-csv``: CSV exports of a GTT, one agent-day code per row."""
    register(
        FeedReaderSpec(
            name=NAME,
            create=create,
            description="GTT CSV exports (delimiter, encoding, date formats, columns by name, "
            "extraction time from a header line, the file name or its mtime); folders too",
        )
    )
