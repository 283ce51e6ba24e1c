"""The preamble of a GTT export: its extraction time (from the first line, the file's name
or its modification time, as the settings say) and its column headers, found by name.
Every problem raises :class:`~caredomain.errors.InvalidInput` naming the file, the line
and the setting."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from caredomain.errors import InvalidInput, excerpt
from caredomain.text import Text
from caredomain_gtt.settings import Extraction, GttSettings

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["column_positions", "preamble"]


def preamble(settings: GttSettings, path: Path, file: TextIO) -> tuple[datetime, int]:
    """The extraction time of the export open as ``file``, and the line of its column
    headers (the file read up to them)."""
    if settings.extraction is Extraction.HEADER:
        text = file.readline().rstrip("\r\n")
        shown = text.rstrip(settings.delimiter + " \t")
        return _moment(
            settings, shown, settings.header_pattern, path=path, setting="header_format", line=1
        ), 2
    if settings.extraction is Extraction.FILENAME:
        moment = _moment(
            settings,
            path.name,
            settings.filename_format,
            path=path,
            setting="filename_format",
            line=None,
        )
        return moment, 1
    try:
        mtime = os.stat(path).st_mtime
    except OSError as error:
        raise InvalidInput(
            Text("cannot stat: {reason}", reason=error.strerror), source=str(path)
        ) from None
    try:
        return datetime.fromtimestamp(mtime, UTC), 1
    except (OverflowError, OSError, ValueError):
        raise InvalidInput(
            Text("no extraction time: the modification time is no date (setting extraction)"),
            source=str(path),
            text=str(mtime),
        ) from None


def _moment(
    settings: GttSettings, text: str, pattern: str, *, path: Path, setting: str, line: int | None
) -> datetime:
    try:
        moment = datetime.strptime(text, pattern)
    except ValueError:
        raise InvalidInput(
            Text(
                "no extraction time: expected {pattern} (setting {setting})",
                pattern=repr(pattern),
                setting=setting,
            ),
            source=str(path),
            line=line,
            text=text,
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 01/01/0001 00:00 in Paris is in year 0 in UTC
        raise InvalidInput(
            Text("extraction time out of the range of dates (years 1 to 9999 in UTC)"),
            source=str(path),
            line=line,
            text=text,
        ) from None


def column_positions(
    settings: GttSettings, path: Path, reader: Reader, line: int
) -> tuple[tuple[int, int, int], int]:
    """Where the agent, date and code columns are, by the names the settings give, read
    from the column headers at ``line``; and how many columns there are."""
    header = next(reader, None)
    if header is None:
        raise InvalidInput(Text("the file has no column headers"), source=str(path), line=line)
    names = [name.strip().casefold() for name in header]
    found = []
    for setting, wanted in (
        ("agent_column", settings.agent_column),
        ("date_column", settings.date_column),
        ("code_column", settings.code_column),
    ):
        key = wanted.strip().casefold()
        if names.count(key) != 1:
            columns = excerpt(", ".join(h.strip() for h in header))
            raise InvalidInput(
                Text(
                    "no column named {name} (setting {setting}; columns: {columns})",
                    name=excerpt(wanted),
                    setting=setting,
                    columns=columns,
                )
                if key not in names
                else Text(
                    "more than one column named {name} (setting {setting}; columns: {columns})",
                    name=excerpt(wanted),
                    setting=setting,
                    columns=columns,
                ),
                source=str(path),
                line=line,
                field=setting,
            )
        found.append(names.index(key))
    return (found[0], found[1], found[2]), len(header)
