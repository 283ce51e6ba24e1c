"""What a GTT export's bytes say of its encoding: a byte-order mark at its start, and where
a byte the reader's encoding cannot read stands — each as one error naming the file, the
line and what to do."""

from __future__ import annotations

import codecs
from pathlib import Path

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["byte_order_mark", "undecodable", "unopened"]


def unopened(path: Path, error: OSError) -> InvalidInput:
    """A file that cannot be opened, and why."""
    return InvalidInput(Text("cannot open: {reason}", reason=error.strerror), source=str(path))


def undecodable(path: Path, encoding: str) -> InvalidInput:
    """The exact line of the first byte the encoding cannot read."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        start = data.rfind(b"\n", 0, error.start) + 1
        end = data.find(b"\n", error.start)
        text = data[start : end if end >= 0 else len(data)].decode(encoding, "replace")
        byte = f"{data[error.start]:#04x}"
        message = (
            Text(
                "byte {byte} cannot be read as {encoding} (is it cp1252 or latin-1? set encoding)",
                byte=byte,
                encoding=encoding,
            )
            if encoding.startswith("utf")
            else Text("byte {byte} cannot be read as {encoding}", byte=byte, encoding=encoding)
        )
        return InvalidInput(
            message,
            source=str(path),
            line=line,
            text=text.rstrip("\r"),
        )
    return InvalidInput(Text("cannot be read as {encoding}", encoding=encoding), source=str(path))


_UNICODE = Text("export it as UTF-8 or cp1252 instead")
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "UTF-8", Text('set encoding = "utf-8"')),
    (codecs.BOM_UTF32_LE, "UTF-32", _UNICODE),  # before UTF-16 LE, which it starts with
    (codecs.BOM_UTF32_BE, "UTF-32", _UNICODE),
    (codecs.BOM_UTF16_LE, "UTF-16", _UNICODE),
    (codecs.BOM_UTF16_BE, "UTF-16", _UNICODE),
)


def byte_order_mark(path: Path, encoding: str) -> str | None:
    """The Unicode encoding a byte-order mark at the start of ``path`` names, or None.

    A mark that names another encoding than the reader's is refused, naming both: read as
    cp1252, a UTF-8 mark would become "ï»¿" in front of the first line, and the error would
    speak of that line rather than of the encoding."""
    try:
        with path.open("rb") as raw:
            head = raw.read(4)
    except OSError as error:
        raise unopened(path, error) from None
    for mark, name, advice in _BYTE_ORDER_MARKS:
        if head.startswith(mark):
            if not codecs.lookup(encoding).name.startswith(name.lower()):
                raise InvalidInput(
                    Text(
                        "the file starts with a {name} byte-order mark, but the reader is set to "
                        "{encoding}: {advice}",
                        name=name,
                        encoding=encoding,
                        advice=advice,
                    ),
                    source=str(path),
                    line=1,
                )
            return name
    return None
