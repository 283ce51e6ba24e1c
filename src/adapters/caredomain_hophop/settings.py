"""The ``hophop`` platform's settings (text, from the configuration file), and its secrets.

=====================  ==================================================  ====================
key                    meaning                                             default
=====================  ==================================================  ====================
``url``                HopHop's API base URL, http or https, without       (required)
                       credentials, query or fragment
``token``              the API token (``Authorization: Bearer …``)         from ``token_env``
``token_env``          the environment variable holding the token, read    ``HOPHOP_TOKEN``
                       when ``token`` is not given
``webhook_secret``     the secret HopHop signs its webhooks with           from
                                                                           ``webhook_secret_env``
``webhook_secret_env`` the environment variable holding it                 ``HOPHOP_WEBHOOK_SECRET``
``timeout``            seconds to wait for an answer                       ``10``
``connect_timeout``    seconds to wait for a connection                    ``5``
``attempts``           tries per request (1 to 10)                         ``4``
``backoff``            the first pause between tries, in seconds; doubled  ``0.5``
                       at each try
``max_backoff``        the longest pause, in seconds (a longer             ``8``
                       ``Retry-After`` is cut to it)
=====================  ==================================================  ====================

The webhook secret is optional for the client (which never uses it) and required by the
webhook receiver (:mod:`caredomain_hophop.webhooks`). Every problem is an
:class:`~caredomain.errors.InvalidInput` naming the setting; a token or secret is never
shown, not even when it is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.secret import Secret, shown_url
from caredomain.text import Text
from caredomain_http.settings import SettingsReader, base_url, check_token

__all__ = [
    "DEFAULT_SECRET_ENV",
    "DEFAULT_TOKEN_ENV",
    "KNOWN",
    "HopHopSettings",
    "Secret",
    "shown_url",
]

DEFAULT_TOKEN_ENV = "HOPHOP_TOKEN"
DEFAULT_SECRET_ENV = "HOPHOP_WEBHOOK_SECRET"
KNOWN = (
    "url",
    "token",
    "token_env",
    "webhook_secret",
    "webhook_secret_env",
    "timeout",
    "connect_timeout",
    "attempts",
    "backoff",
    "max_backoff",
)


def _token(instance: object, attribute: Attribute[Secret], value: Secret) -> None:
    check_token(value, attribute.name, required=Text("the HopHop API token is required"))


def _optional_secret(instance: object, attribute: Attribute[Secret | None], value: object) -> None:
    if value is not None and (not isinstance(value, Secret) or not value.reveal().strip()):
        raise InvalidInput(Text("expected a non-blank secret"), field=attribute.name)


def _within(low: float, high: float) -> Callable[[object, Attribute[Any], float], None]:
    def check(instance: object, attribute: Attribute[Any], value: float) -> None:
        if not low <= value <= high:
            raise InvalidInput(
                Text("expected a number from {low:g} to {high:g}", low=low, high=high),
                field=attribute.name,
                text=str(value),
            )

    return check


@frozen(kw_only=True)
class HopHopSettings:
    """What a :class:`~caredomain_hophop.client.HopHopClient` (and the webhook receiver)
    needs."""

    url: str = field(converter=base_url)
    token: Secret = field(validator=_token, repr=False)
    webhook_secret: Secret | None = field(default=None, validator=_optional_secret, repr=False)
    timeout: float = field(default=10.0, validator=_within(0.001, 600.0))
    connect_timeout: float = field(default=5.0, validator=_within(0.001, 600.0))
    attempts: int = field(default=4, validator=_within(1, 10))
    backoff: float = field(default=0.5, validator=_within(0.0, 60.0))
    max_backoff: float = field(default=8.0, validator=_within(0.0, 600.0))

    @classmethod
    def from_mapping(
        cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> HopHopSettings:
        """Read ``settings``; the token from ``token``, else from the variable ``token_env``
        names in ``environ`` (``os.environ`` by default), and the webhook secret likewise."""
        read = _Reader(
            settings,
            KNOWN,
            unknown=Text("unknown setting of hophop; known: {known}", known=", ".join(KNOWN)),
            needed=Text("hophop needs this setting"),
        )
        env = os.environ if environ is None else environ
        return cls(
            url=read.text("url"),
            token=read.token(
                env,
                DEFAULT_TOKEN_ENV,
                missing=Text(
                    "no HopHop API token: set token, or the environment variable token_env names"
                ),
            ),
            webhook_secret=read.webhook_secret(env),
            timeout=read.number("timeout", 10.0, 0.001, 600.0),
            connect_timeout=read.number("connect_timeout", 5.0, 0.001, 600.0),
            attempts=int(read.number("attempts", 4, 1, 10, whole=True)),
            backoff=read.number("backoff", 0.5, 0.0, 60.0),
            max_backoff=read.number("max_backoff", 8.0, 0.0, 600.0),
        )


class _Reader(SettingsReader):
    """HopHop's settings, with the webhook secret the receiver needs."""

    def webhook_secret(self, environ: Mapping[str, str]) -> Secret | None:
        given = self.settings.get("webhook_secret", "").strip()
        if given:
            return Secret(given)
        variable = self.settings.get("webhook_secret_env", DEFAULT_SECRET_ENV).strip()
        value = environ.get(variable, "").strip()
        if value:
            return Secret(value)
        if "webhook_secret_env" in self.settings:  # named, but not set: say so now
            raise InvalidInput(
                Text("the environment variable webhook_secret_env names is not set"),
                field="webhook_secret_env",
                text=variable,
            )
        return None
