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

from caredomain.secret import Secret, shown_url
from caredomain.text import Text
from caredomain_http.settings import SettingsReader, base_url, check_token

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


def _secret(instance: object, attribute: Attribute[Secret], value: Secret) -> None:
    check_token(value, attribute.name, required=Text("the office token is required"))


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
        read = SettingsReader(
            settings,
            KNOWN,
            unknown=Text("unknown setting of penbase; known: {known}", known=", ".join(KNOWN)),
            needed=Text("penbase needs this setting"),
        )
        return cls(
            url=read.text("url"),
            token=read.token(
                os.environ if environ is None else environ,
                DEFAULT_TOKEN_ENV,
                missing=Text(
                    "no office token: set token, or the environment variable token_env names"
                ),
            ),
            timeout=read.number("timeout", 10.0, 0.001, 600.0),
            connect_timeout=read.number("connect_timeout", 5.0, 0.001, 600.0),
            attempts=int(read.number("attempts", 4, 1, 10, whole=True)),
            backoff=read.number("backoff", 0.5, 0.0, 60.0),
            max_backoff=read.number("max_backoff", 8.0, 0.0, 600.0),
            page_size=int(read.number("page_size", 500, 1, 1000, whole=True)),
            max_pages=int(read.number("max_pages", 1000, 1, 100_000, whole=True)),
        )
