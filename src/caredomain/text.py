"""Texts for people that the core builds — a report's lines, a rule's reason, an error's
message — written in English and translated where they are shown.

The core does no I/O, so it cannot read a catalogue. It writes each such text as a
:class:`Text`: a ``str`` (its English rendering, so that it prints, compares and logs as
before) that also keeps its English template and the values put into it. Whoever shows the
text (the command line, an application) looks the template up in its own catalogue and fills
in the values again::

    reason = Text("{post} has no vacant position ({fill})", post=post.id, fill=post.fill)
    str(reason)  # 'P1 has no vacant position (2/2)'
    reason.translated(gettext)  # 'P1 n'a pas de place libre (2/2)' with a French gettext

A value that is itself a :class:`Text` is translated too. Where a count chooses the form,
:func:`counted` keeps both English forms, as ``ngettext`` does.

Both names are extraction keywords for Babel (``babel.cfg``): a template must be a literal
so that the catalogue can hold it. Anything that turns a :class:`Text` into another string
(concatenation, an f-string) keeps only the English, so texts are composed by putting one
into another's values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["Text", "Translator", "counted", "translated"]

Translator = Callable[[str], str]
"""Looks a template up in a catalogue: ``gettext.gettext`` or the like."""

PluralTranslator = Callable[[str, str, int], str]
"""Chooses and looks up the form for a count: ``gettext.ngettext`` or the like."""


class Text(str):
    """A text for people: its English rendering, with its template and values kept."""

    template: str
    plural: str | None
    values: Mapping[str, object]

    def __new__(cls, template: str, /, **values: object) -> Text:
        return cls._made(template, None, values)

    @classmethod
    def _made(cls, template: str, plural: str | None, values: Mapping[str, object]) -> Text:
        chosen = plural if plural is not None and values.get("n") != 1 else template
        made = super().__new__(cls, chosen.format_map(values))
        made.template = template
        made.plural = plural
        made.values = MappingProxyType(dict(values))
        return made

    def translated(self, gettext: Translator, ngettext: PluralTranslator | None = None) -> str:
        """The text from ``gettext``'s catalogue (``ngettext``'s where it has a plural), its
        values filled in and translated the same way; the English where the catalogue does
        not hold it."""
        values = {name: translated(value, gettext, ngettext) for name, value in self.values.items()}
        if self.plural is None:
            return gettext(self.template).format_map(values)
        count = self.values["n"]
        assert isinstance(count, int)
        chosen = (
            ngettext(self.template, self.plural, count)
            if ngettext is not None
            else (self.template if count == 1 else self.plural)
        )
        return chosen.format_map(values)

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own pickling would rebuild a Text from its English rendering.
        return (_rebuilt, (self.template, self.plural, dict(self.values)))

    def __repr__(self) -> str:
        return f"Text({str.__repr__(self)})"


def counted(singular: str, plural: str, /, n: int, **values: object) -> Text:
    """A text whose form agrees with the count ``n`` (also the ``{n}`` placeholder)."""
    return Text._made(singular, plural, {"n": n, **values})


def translated(
    value: object, gettext: Translator, ngettext: PluralTranslator | None = None
) -> object:
    """``value`` translated if it is a :class:`Text`, else ``value`` itself (a number, a date,
    an identifier: the template's format spec shows it)."""
    return value.translated(gettext, ngettext) if isinstance(value, Text) else value


def _rebuilt(template: str, plural: str | None, values: dict[str, object]) -> Text:
    return Text._made(template, plural, values)
