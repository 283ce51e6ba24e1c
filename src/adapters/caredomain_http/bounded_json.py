"""JSON from the other side of the wire, read within bounds: the one reader of both
platforms' bodies (HopHop's and Penbase's answers, webhooks and reference servers).

Python's :func:`json.loads` trusts its input: deep nesting ends in ``RecursionError``, a
5,000-digit integer in the ``ValueError`` of the int-from-text digit limit, ``1e999`` is
read as infinity and ``NaN`` as a number. :func:`read` refuses all of these, with one
:class:`~caredomain.errors.InvalidInput` naming where:

* a body larger than its limit (the caller's: each platform bounds its requests and answers);
* bytes that are not UTF-8 (the byte offset), text that is not JSON (line and column);
* nesting deeper than its limit (the caller's too) of arrays and objects, counted before
  parsing, so that no depth of brackets reaches the parser's recursion;
* a number written with more than :data:`MAX_NUMBER_CHARS` characters, a number that is
  not finite (``1e999``, ``NaN``, ``Infinity``), and text holding a lone surrogate
  (``"\\ud800"``, which no store can encode), each named by its path
  (``items[3].gps.latitude``).

Each platform states its limits where its contract is read (``caredomain_hophop.wire``,
``caredomain_penbase.limits``), far above anything its contract needs.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator

from caredomain.errors import EXCERPT, InvalidInput, offending
from caredomain.text import Text

__all__ = ["MAX_NUMBER_CHARS", "read"]

MAX_NUMBER_CHARS = 32
"""A JSON number is written with at most this many characters."""

_STRUCTURE = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # D800-DFFF: high and low halves


def _key(key: str) -> str:
    """An object's key as a path names it: cut short, and its characters that are not
    printable (a line break, a lone surrogate) escaped, the others (``é``) as they are."""
    cut = key[:EXCERPT]
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    return shown + "…" if len(cut) < len(key) else shown


class _Refused:
    """A value :func:`json.loads` met and :func:`read` refuses, located after parsing."""

    def __init__(self, message: str, text: str) -> None:
        self.message = message
        self.text = text


def read(body: bytes, *, limit: int, depth: int, where: str = "body") -> object:
    """The JSON value of ``body``, at most ``limit`` bytes holding arrays and objects nested
    at most ``depth`` deep, or :class:`InvalidInput` naming ``where`` is wrong (or the path
    of the refused value inside it)."""
    if len(body) > limit:
        raise InvalidInput(
            Text("larger than {limit} bytes", limit=limit), field=where, text=f"{len(body)} bytes"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            Text("not UTF-8 (byte {byte})", byte=error.start),
            field=where,
            text=repr(body[error.start :][:8]),
        ) from None
    _check_depth(text, depth, where)
    refused: list[_Refused] = []
    try:
        value = json.loads(
            text,
            parse_int=lambda raw: _number(raw, int, refused),
            parse_float=lambda raw: _number(raw, float, refused),
            parse_constant=lambda raw: _refuse(Text("not a finite number"), raw, refused),
        )
    except json.JSONDecodeError as error:
        raise InvalidInput(
            Text(
                "not JSON: {error} at line {line} column {column}",
                error=error.msg,
                line=error.lineno,
                column=error.colno,
            ),
            field=where,
            text=offending(text[error.pos :]),
        ) from None
    if refused or _SURROGATE_ESCAPE.search(text):
        _check_values(value, where)
    return value


def _check_depth(text: str, most: int, where: str) -> None:
    depth = 0
    for token in _STRUCTURE.finditer(text):
        bracket = text[token.start()]
        if bracket in "[{":
            depth += 1
            if depth > most:
                raise InvalidInput(
                    Text("arrays and objects nested deeper than {depth}", depth=most),
                    field=where,
                    text=f"at character {token.start()}",
                )
        elif bracket in "]}":
            depth -= 1


def _number(raw: str, kind: type[int] | type[float], refused: list[_Refused]) -> object:
    if len(raw) > MAX_NUMBER_CHARS:
        return _refuse(
            Text("a number of more than {n} characters", n=MAX_NUMBER_CHARS), raw, refused
        )
    number = kind(raw)
    if not math.isfinite(number):
        return _refuse(Text("not a finite number"), raw, refused)
    return number


def _refuse(message: str, raw: str, refused: list[_Refused]) -> _Refused:
    marker = _Refused(message, offending(raw))
    refused.append(marker)
    return marker


def _check_values(value: object, where: str) -> None:
    """The first refused number or lone surrogate, by its path."""
    for path, leaf in _leaves(value, ""):
        if isinstance(leaf, _Refused):
            raise InvalidInput(leaf.message, field=path or where, text=leaf.text)
        if isinstance(leaf, str) and not _encodable(leaf):
            raise InvalidInput(
                Text("text holding a lone surrogate (not Unicode)"),
                field=path or where,
                text=offending(leaf),
            )


def _leaves(value: object, path: str) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, item in value.items():
            shown = _key(str(key))
            inner = f"{path}.{shown}" if path else shown
            yield inner, key
            yield from _leaves(item, inner)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _leaves(item, f"{path}[{i}]")
    else:
        yield path, value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
