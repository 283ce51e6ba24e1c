"""A secret read from outside — a password, a token — that never shows itself.

Adapters keep the passwords and tokens of their settings as :class:`Secret`: a repr, a str
or a log line shows ``***``, and only :meth:`Secret.reveal` gives the value, at the one
place that sends it. An error text that may echo a secret back (a gateway answering with
the request's headers) goes through :func:`scrub` before it is stored or shown, and a URL
setting through :func:`url_without_credentials`, since HTTP clients log URLs.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from urllib.parse import urlsplit

from caredomain.errors import InvalidInput
from caredomain.text import Text

__all__ = ["Secret", "scrub", "shown_url", "url_without_credentials"]

MASK = "***"


class Secret:
    """A password or token: :meth:`reveal` gives it; nothing else shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _forms(secret: Secret) -> list[str]:
    """How the secret may travel: as it is, and base64-encoded (HTTP basic and SMTP
    logins carry it so)."""
    value = secret.reveal()
    encoded = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return [value, encoded, encoded.rstrip("=")]


def scrub(text: str, secrets: Iterable[Secret | None]) -> str:
    """``text`` with every value of ``secrets``, plain or base64-encoded, replaced by
    ``***``; the longest first, so that no part of one is left showing."""
    forms = {form for secret in secrets if secret is not None for form in _forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        if len(form) >= 3:  # a shorter secret would mask ordinary words, and is no secret
            text = text.replace(form, MASK)
    return text


def shown_url(url: str) -> str:
    """``url`` as it may be shown: scheme, host, port and path, nothing else."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def url_without_credentials(url: str, *, field: str = "url") -> str:
    """``url`` stripped, if it is an http or https URL without credentials, query or
    fragment; else :class:`~caredomain.errors.InvalidInput` naming ``field`` and showing
    the URL without them. Credentials go in settings of their own, which are never logged."""
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(Text("expected an http or https URL"), field=field, text=shown_url(text))
    if parts.username or parts.password or parts.query or parts.fragment:
        raise InvalidInput(
            Text(
                "no credentials, query or fragment in the URL: a token or password is a "
                "setting of its own"
            ),
            field=field,
            text=shown_url(text),
        )
    return text
