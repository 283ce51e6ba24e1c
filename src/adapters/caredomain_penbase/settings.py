"""The ``penbase`` platform's settings (text, from the configuration file), and its secret.

=====================  ==================================================  ==================
key                    meaning                                             default
=====================  ==================================================  ==================
``url``                the platform's base URL, http or https, without     (required)
                       credentials, query or fragment
``token``              the office token (``Authorization: Bearer …``)      from ``token_env``
``token_env``          the environment variable holding the token, read    ``PENBASE_TOKEN``
                       when ``token`` is not given
``timeout``            seconds to wait for an answer                       ``10``
``connect_timeout``    seconds to wait for a connection                    ``5``
``attempts``           tries per request (1 to 10)                         ``4``
``backoff``            the first pause between tries, in seconds; doubled  ``0.5``
                       at each try
``max_backoff``        the longest pause, in seconds                       ``8``
``page_size``          inbound items asked for per page (1 to 1000)        ``500``
``max_pages``          pages followed in one pull (1 to 100000)            ``1000``
=====================  ==================================================  ==================

Every problem is an :class:`~caredomain.errors.InvalidInput` naming the setting; the token
is never shown, not even when it is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.secret import Secret, shown_url, url_without_credentials
from caredomain.strict import toml_type
from caredomain.text import Text

__all__ = ["DEFAULT_TOKEN_ENV", "KNOWN", "PenbaseSettings", "Secret", "shown_url"]

DEFAULT_TOKEN_ENV = "PENBASE_TOKEN"
KNOWN = (
    "url",
    "token",
    "token_env",
    "timeout",
    "connect_timeout",
    "attempts",
    "backoff",
    "max_backoff",
    "page_size",
    "max_pages",
)


def base_url(url: str) -> str:
    """A checked base URL (no credentials, query or fragment), ending with ``/``."""
    text = url_without_credentials(url, field="url")
    return text if text.endswith("/") else text + "/"


def _secret(instance: object, attribute: Attribute[Secret], value: Secret) -> None:
    if not isinstance(value, Secret) or not value.reveal().strip():
        raise InvalidInput(Text("the office token is required"), field=attribute.name)


@frozen(kw_only=True)
class PenbaseSettings:
    """What a :class:`~caredomain_penbase.client.PenbaseClient` needs."""

    url: str = field(converter=base_url)
    token: Secret = field(validator=_secret, repr=False)
    timeout: float = 10.0
    connect_timeout: float = 5.0
    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    page_size: int = 500
    max_pages: int = 1000

    @classmethod
    def from_mapping(
        cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> PenbaseSettings:
        """Read ``settings``; the token from ``token``, else from the variable ``token_env``
        names in ``environ`` (``os.environ`` by default)."""
        read = _Reader(settings)
        return cls(
            url=read.text("url"),
            token=read.token(os.environ if environ is None else environ),
            timeout=read.number("timeout", 10.0, 0.001, 600.0),
            connect_timeout=read.number("connect_timeout", 5.0, 0.001, 600.0),
            attempts=int(read.number("attempts", 4, 1, 10, whole=True)),
            backoff=read.number("backoff", 0.5, 0.0, 60.0),
            max_backoff=read.number("max_backoff", 8.0, 0.0, 600.0),
            page_size=int(read.number("page_size", 500, 1, 1000, whole=True)),
            max_pages=int(read.number("max_pages", 1000, 1, 100_000, whole=True)),
        )


class _Reader:
    def __init__(self, settings: Mapping[str, str]) -> None:
        self._settings = dict(settings)
        for key, value in sorted(self._settings.items()):
            if key not in KNOWN:
                raise InvalidInput(
                    Text("unknown setting of penbase; known: {known}", known=", ".join(KNOWN)),
                    field=key,
                    text=key,
                )
            if not isinstance(value, str):  # not quoted: it may be the token
                raise InvalidInput(
                    Text("expected text, not {kind}", kind=toml_type(value)), field=key
                )

    def text(self, key: str) -> str:
        value = self._settings.get(key, "").strip()
        if not value:
            raise InvalidInput(Text("penbase needs this setting"), field=key)
        return value

    def token(self, environ: Mapping[str, str]) -> Secret:
        given = self._settings.get("token", "").strip()
        if given:
            return Secret(given)
        variable = self._settings.get("token_env", DEFAULT_TOKEN_ENV).strip()
        value = environ.get(variable, "").strip()
        if not value:
            raise InvalidInput(
                Text("no office token: set token, or the environment variable token_env names"),
                field="token_env",
                text=variable,
            )
        return Secret(value)

    def number(
        self, key: str, default: float, low: float, high: float, *, whole: bool = False
    ) -> float:
        raw = self._settings.get(key)
        if raw is None:
            return default
        try:
            value = int(raw.strip()) if whole else float(raw.strip())
        except ValueError:
            expected = Text("expected a whole number") if whole else Text("expected a number")
            raise InvalidInput(expected, field=key, text=raw) from None
        if not low <= value <= high:
            raise InvalidInput(
                Text("expected a number from {low:g} to {high:g}", low=low, high=high),
                field=key,
                text=raw,
            )
        return value
