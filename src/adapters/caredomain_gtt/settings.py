"""How a GTT export is written: its settings, from plain text (a plugin's settings mapping or
the ``[gtt]`` table of a TOML file).

========================  ==============================================  =====================
key                       meaning                                         default
========================  ==============================================  =====================
``delimiter``             field separator (``;``, ``,``, ``tab``, ``|``)  ``;``
``encoding``              ``utf-8`` (with or without BOM), ``cp1252``,    ``utf-8``
                          ``latin-1``
``date_formats``          accepted day formats, comma-separated:          ``dd/mm/yyyy,iso``
                          ``dd/mm/yyyy``, ``iso`` (``yyyy-mm-dd``), or a
                          ``strptime`` pattern
``agent_column``          header of the agent's identifier (matricule)    ``Matricule``
``date_column``           header of the day                               ``Date``
``code_column``           header of the code                              ``Code``
``extraction``            where the extraction time is read: ``header``   ``header``
                          (the file's first line), ``filename`` or
                          ``mtime`` (the file's modification time)
``header_format``         ``strptime`` pattern of the first line          ``Extraction;%d/%m/%Y
                          (the default with the file's own delimiter)     %H:%M``
``filename_format``       ``strptime`` pattern of the file name           ``GTT_%Y%m%d_%H%M%S
                                                                          .csv``
``zone``                  zone of extraction times written without one    ``Europe/Paris``
``policy``                ``strict``: a bad row refuses the whole file;   ``strict``
                          ``lenient``: good rows applied, bad reported
``trim``                  ``yes``: remove spaces around matricules and    ``no``
                          codes (for a GTT that pads its fields)
``chunk_bytes``           bytes of the file applied at a time (each       ``4194304``
                          chunk ends with an agent's last line): what
                          an apply holds in memory beside the roster
========================  ==============================================  =====================

Column headers are matched ignoring case and surrounding spaces. Values are otherwise taken
as written: a code written ``"MAL "`` is not ``MAL`` (codes are never guessed) and is
rejected with its line, unless ``trim = "yes"``.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Extraction", "GttSettings"]

_ENCODINGS = {
    "utf-8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "cp1252": "cp1252",
    "iso8859-1": "latin-1",
}
_DELIMITERS = {"tab": "\t", "\\t": "\t"}
_MAX_CHUNK = 1 << 30
_DATE_FORMATS = {"dd/mm/yyyy": "%d/%m/%Y", "iso": "iso", "yyyy-mm-dd": "iso"}
KEYS = frozenset(
    {
        "delimiter",
        "encoding",
        "date_formats",
        "agent_column",
        "date_column",
        "code_column",
        "extraction",
        "header_format",
        "filename_format",
        "zone",
        "policy",
        "trim",
        "chunk_bytes",
    }
)


class Extraction(StrEnum):
    HEADER = "header"
    FILENAME = "filename"
    MTIME = "mtime"


def _delimiter(value: str) -> str:
    delimiter = _DELIMITERS.get(value, value)
    if len(delimiter) != 1 or delimiter in '\r\n"' or delimiter.isalnum():
        raise InvalidInput(
            Text("a delimiter is one character such as ; , | or tab"),
            field="delimiter",
            text=value,
        )
    return delimiter


def _encoding(value: str) -> str:
    try:
        name = codecs.lookup(value).name
    except LookupError:
        name = ""
    if name not in _ENCODINGS:
        raise InvalidInput(
            Text("expected utf-8 (with or without BOM), cp1252 or latin-1"),
            field="encoding",
            text=value,
        )
    return _ENCODINGS[name]


def _date_formats(value: str) -> tuple[str, ...]:
    formats = []
    for part in value.split(","):
        name = part.strip()
        pattern = _DATE_FORMATS.get(name.lower(), name if "%" in name else None)
        if pattern is None:
            raise InvalidInput(
                Text("expected dd/mm/yyyy, iso or a strptime pattern such as %d.%m.%Y"),
                field="date_formats",
                text=part,
            )
        formats.append(pattern)
    return tuple(formats)


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            Text("unknown time zone (use an IANA name)"), field="zone", text=value
        ) from None


def _extraction(value: str) -> Extraction:
    try:
        return Extraction(value)
    except ValueError:
        raise InvalidInput(
            Text("expected header, filename or mtime"), field="extraction", text=value
        ) from None


@frozen
class GttSettings:
    """The format of a GTT export; build it with :meth:`from_mapping`."""

    delimiter: str = ";"
    encoding: str = "utf-8-sig"
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "iso")
    agent_column: str = "Matricule"
    date_column: str = "Date"
    code_column: str = "Code"
    extraction: Extraction = Extraction.HEADER
    header_format: str | None = None
    filename_format: str = "GTT_%Y%m%d_%H%M%S.csv"
    zone: ZoneInfo = field(default=ZoneInfo("Europe/Paris"))
    strict: bool = True
    trim: bool = False
    chunk_bytes: int = 4 << 20

    @property
    def header_pattern(self) -> str:
        """The first line's pattern: ``header_format``, or ``Extraction`` then the delimiter
        then ``%d/%m/%Y %H:%M``."""
        return self.header_format or f"Extraction{self.delimiter}%d/%m/%Y %H:%M"

    @classmethod
    def from_mapping(cls, values: Mapping[str, str], *, source: str | None = None) -> GttSettings:
        """Settings from text values; an unknown key or a bad value is InvalidInput naming it."""
        unknown = sorted(set(values) - KEYS)
        if unknown:
            raise InvalidInput(
                Text("unknown setting (known: {known})", known=", ".join(sorted(KEYS))),
                source=source,
                field=unknown[0],
            )
        for key, value in values.items():
            if not isinstance(value, str):
                raise InvalidInput(
                    Text("expected text"), source=source, field=key, text=repr(value)
                )
        trim = values.get("trim", "no")
        if trim not in ("yes", "no"):
            raise InvalidInput(Text("expected yes or no"), source=source, field="trim", text=trim)
        policy = values.get("policy", "strict")
        if policy not in ("strict", "lenient"):
            raise InvalidInput(
                Text("expected strict or lenient"), source=source, field="policy", text=policy
            )
        try:
            return cls(
                delimiter=_delimiter(values.get("delimiter", ";")),
                encoding=_encoding(values.get("encoding", "utf-8")),
                date_formats=_date_formats(values.get("date_formats", "dd/mm/yyyy,iso")),
                agent_column=values.get("agent_column", "Matricule"),
                date_column=values.get("date_column", "Date"),
                code_column=values.get("code_column", "Code"),
                extraction=_extraction(values.get("extraction", "header")),
                header_format=values.get("header_format"),
                filename_format=values.get("filename_format", "GTT_%Y%m%d_%H%M%S.csv"),
                zone=_zone(values.get("zone", "Europe/Paris")),
                strict=policy == "strict",
                trim=trim == "yes",
                chunk_bytes=_chunk_bytes(values.get("chunk_bytes", str(4 << 20))),
            )
        except InvalidInput as error:
            raise error.located(source=source) from None


def _chunk_bytes(value: str) -> int:
    text = value.strip()
    if not text.isdigit() or not 1 <= int(text) <= _MAX_CHUNK:
        raise InvalidInput(
            Text("expected a whole number of bytes from 1 to {most}", most=_MAX_CHUNK),
            field="chunk_bytes",
            text=value,
        )
    return int(text)
