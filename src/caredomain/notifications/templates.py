"""Merge-field templates ("champs de fusion"), checked when saved, never failing when sent.

A template is text with fields ``{0}``…``{7}``: a number alone between braces, from the
fields its kind declares. Everything else between braces is refused when the template is
saved, with the line and column: attribute or index access (``{0.__class__}``,
``{0[x]}``), format specifications (``{1:%Y}``), conversions (``{0!r}``), names, empty
braces, numbers the kind does not declare, an unclosed ``{`` and a stray ``}``.
A literal brace is written twice: ``{{`` gives ``{`` and ``}}`` gives ``}``.

A saved template is kept parsed; :meth:`Template.render` only joins text and values, so it
cannot raise whatever the values are.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Template", "TemplateError"]


class TemplateError(InvalidInput):
    """A template refused when saved. ``offset`` is the index of the fault in the text;
    ``row`` and ``column``, counted from 1, its line and column in the template."""

    def __init__(
        self, message: str, *, template: str, offset: int, where: str | None = None
    ) -> None:
        line = template.count("\n", 0, offset) + 1
        column = offset - (template.rfind("\n", 0, offset) + 1) + 1
        snippet = template[offset : offset + 20]
        super().__init__(
            Text(
                "{message} (line {line}, column {column})",
                message=message,
                line=line,
                column=column,
            ),
            field=where,
            text=snippet,
        )
        self.offset = offset
        self.row = line
        self.column = column


Part = str | int


def _fields_text(allowed: Collection[int]) -> str:
    return ", ".join(f"{{{number}}}" for number in sorted(allowed)) or Text("none")


def _field(inner: str, start: int, text: str, allowed: Collection[int], where: str | None) -> int:
    """The number of the field ``{inner}`` that begins at ``start``, or TemplateError."""

    def refuse(message: str, at: int = start) -> TemplateError:
        return TemplateError(message, template=text, offset=at, where=where)

    if not inner:
        raise refuse(
            Text(
                "an empty field {{}}: write its number, one of {fields}",
                fields=_fields_text(allowed),
            )
        )
    for index, char in enumerate(inner, start=start + 1):
        if char in ".[":
            raise refuse(Text("attribute or index access is not allowed in a field"), index)
        if char == ":":
            raise refuse(Text("a format specification is not allowed in a field"), index)
        if char == "!":
            raise refuse(Text("a conversion is not allowed in a field"), index)
    if not (inner.isascii() and inner.isdigit()):
        raise refuse(
            Text(
                "unknown field {field}: fields are numbers, here {fields} "
                "(write {{{{ and }}}} for literal braces)",
                field="{" + inner + "}",
                fields=_fields_text(allowed),
            )
        )
    number = int(inner)
    if str(number) != inner or number not in allowed:
        raise refuse(
            Text(
                "field {field} is not available for this notification; available: {fields}",
                field="{" + inner + "}",
                fields=_fields_text(allowed),
            )
        )
    return number


def parse(text: str, allowed: Collection[int], *, where: str | None = None) -> tuple[Part, ...]:
    """The parts of ``text``: literal strings and field numbers, or :class:`TemplateError`."""
    parts: list[Part] = []
    literal: list[str] = []
    index, size = 0, len(text)
    while index < size:
        char = text[index]
        if char == "{":
            if text.startswith("{", index + 1):
                literal.append("{")
                index += 2
                continue
            end = text.find("}", index + 1)
            opening = text.find("{", index + 1)
            if end == -1 or (opening != -1 and opening < end):
                raise TemplateError(
                    Text("unclosed '{{' (write '{{{{' for a literal brace)"),
                    template=text,
                    offset=index,
                    where=where,
                )
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(_field(text[index + 1 : end], index, text, allowed, where))
            index = end + 1
        elif char == "}":
            if not text.startswith("}", index + 1):
                raise TemplateError(
                    Text("stray '}}' (write '}}}}' for a literal brace)"),
                    template=text,
                    offset=index,
                    where=where,
                )
            literal.append("}")
            index += 2
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _text(instance: object, attribute: Any, value: str) -> None:
    if not isinstance(value, str):
        raise InvalidInput(Text("a template is text"), field=attribute.name, text=repr(value))


@frozen
class Template:
    """A checked template. Build it with :meth:`parse`; ``text`` is what was saved."""

    text: str = field(validator=_text)
    parts: tuple[Part, ...] = field(repr=False)

    @classmethod
    def parse(
        cls,
        text: str,
        allowed: Collection[int],
        *,
        where: str | None = None,
        one_line: bool = False,
    ) -> Template:
        """Check ``text`` against the ``allowed`` field numbers; ``one_line`` refuses line
        breaks (a mail subject). Errors name ``where`` and the line and column."""
        if not isinstance(text, str):
            raise InvalidInput(Text("a template is text"), field=where, text=repr(text))
        if one_line:
            for index, char in enumerate(text):
                if char in "\r\n":
                    raise TemplateError(
                        Text("a line break is not allowed here"),
                        template=text,
                        offset=index,
                        where=where,
                    )
        return cls(text, parse(text, allowed, where=where))

    @property
    def fields(self) -> frozenset[int]:
        """The field numbers it uses."""
        return frozenset(part for part in self.parts if isinstance(part, int))

    def render(self, values: Sequence[str] | Mapping[int, str]) -> str:
        """The text with each field replaced by its value; a value missing is empty."""
        lookup = values if isinstance(values, Mapping) else dict(enumerate(values))
        return "".join(
            part if isinstance(part, str) else _as_text(lookup.get(part, "")) for part in self.parts
        )

    def __str__(self) -> str:
        return self.text


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:  # a value whose __str__ fails must not stop a notification
        return ""
