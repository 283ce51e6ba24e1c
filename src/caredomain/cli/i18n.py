"""The language of the command line: French by default, or English.

The people running ``caredomain`` work in French (France and Québec). Source texts stay
English in the code, marked with :func:`_` (or :func:`ngettext` where a count chooses the
form, :func:`N_` where a text is defined before the language is known and translated where
it is shown). Placeholders are named and filled after translation
(``_("{n} free slots").format(n=…)``), so that a translation can move them.

The texts the core builds (a GTT file's report, a rule's reason, an error's message) are
:class:`caredomain.text.Text`: English strings that keep their template and values, marked
in the code with ``Text`` and ``counted``; :func:`shown` translates them from the same
catalogue where the command line prints them.

The French catalogue is the Babel ``.po`` file shipped in the package
(``caredomain/locale/fr/LC_MESSAGES/caredomain.po``). It is compiled in memory the first time a
text is translated, once per process: no compiled file in git, no build step, and nothing
loaded for ``caredomain --version``.

The language, first found wins: ``--lang``, then ``CAREDOMAIN_LANG``, then the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``fr…`` French, ``en…`` English, anything else the
default), then French. A ``--lang`` or ``CAREDOMAIN_LANG`` naming another language is bad
input, refused, rather than silently replaced by the default.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "_",
    "choose",
    "language",
    "ngettext",
    "shown",
    "use",
    "wanted",
    "weekday",
    "weekday_name",
]

DOMAIN = "caredomain"
LANGUAGES = ("fr", "en")
DEFAULT = "fr"
ENVIRONMENT = "CAREDOMAIN_LANG"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


class _Chosen:
    """The language of this process's command (one command runs per process)."""

    language = DEFAULT


def language(text: str, *, field: str = "--lang") -> str:
    """``text`` as one of :data:`LANGUAGES`; anything else is refused."""
    if text not in LANGUAGES:
        raise InvalidInput(_("expected fr or en"), field=field, text=text)
    return text


def wanted(words: Sequence[str]) -> str | None:
    """The value of ``--lang`` among the command's words (``--lang en`` or ``--lang=en``),
    before argparse reads them: the help texts it prints are already in that language."""
    for index, word in enumerate(words):
        if word == "--":
            break
        if word.startswith("--lang="):
            return word.removeprefix("--lang=")
        if word == "--lang" and index + 1 < len(words):
            return words[index + 1]
    return None


def choose(given: str | None, environ: Mapping[str, str]) -> str:
    """The language: ``given`` (``--lang``), else the environment, else :data:`DEFAULT`."""
    if given is not None:
        return language(given)
    if environ.get(ENVIRONMENT):
        return language(environ[ENVIRONMENT], field=ENVIRONMENT)
    # The first variable set decides, as for any POSIX program: LC_ALL=C means "not French".
    locale = next((environ[name] for name in _LOCALE_VARIABLES if environ.get(name)), "")
    return next((code for code in LANGUAGES if locale.startswith(code)), DEFAULT)


def use(chosen: str) -> None:
    """Translate from now on into ``chosen`` (one of :data:`LANGUAGES`)."""
    _Chosen.language = language(chosen)


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _translations(_Chosen.language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a text that agrees with the count ``n``, in the chosen language."""
    return _translations(_Chosen.language).ngettext(singular, plural, n)


def shown(text: str) -> str:
    """``text`` in the chosen language if the core built it as a :class:`Text`, else as it
    is (a name, an identifier, a server's own words)."""
    if not isinstance(text, Text):
        return text
    translations = _translations(_Chosen.language)
    return text.translated(translations.gettext, translations.ngettext)


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Mark ``message`` for the catalogue without translating it yet (a text defined at
    import time, translated with :func:`_` where it is shown)."""
    return message


@functools.cache
def _translations(chosen: str) -> gettext.NullTranslations:
    if chosen == "en":
        return gettext.NullTranslations()
    # Imported here: Babel's parser costs time that only a translated command pays.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    source = resources.files("caredomain") / "locale" / chosen / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        catalog = read_po(po, locale=chosen, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


_WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
_WEEKDAY_NAMES = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)


def weekday(day: date) -> str:
    """The short name of ``day``'s weekday in the chosen language (``Mon``, ``lun.``), where
    ``strftime("%a")`` would follow the C locale."""
    return _(_WEEKDAYS[day.weekday()])


def weekday_name(number: int) -> str:
    """The full name of a weekday, 0 for Monday, in the chosen language."""
    return _(_WEEKDAY_NAMES[number])
