"""Reading a platform client's settings from text (a plugin's settings mapping, or a table of
the configuration file): every problem one :class:`~caredomain.errors.InvalidInput` naming
the setting, and a token never shown, not even when it is wrong."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from caredomain.errors import InvalidInput
from caredomain.secret import Secret, url_without_credentials
from caredomain.strict import toml_type
from caredomain.text import Text

__all__ = ["SettingsReader", "base_url", "check_token"]


def base_url(url: str) -> str:
    """A checked base URL (no credentials, query or fragment), ending with ``/``."""
    text = url_without_credentials(url, field="url")
    return text if text.endswith("/") else text + "/"


def check_token(value: object, field: str, *, required: str) -> None:
    """A bearer token as a header can carry it: ``required`` (the platform's message) if it
    is missing or blank, and refused if it holds anything but printable ASCII without spaces
    (a line end pasted with it, a letter with an accent) — naming ``field``, never showing
    the token."""
    if not isinstance(value, Secret) or not value.reveal().strip():
        raise InvalidInput(required, field=field)
    if not all("!" <= c <= "~" for c in value.reveal()):
        raise InvalidInput(Text("a token must be printable ASCII, without spaces"), field=field)


class SettingsReader:
    """The text settings of one platform: only ``known`` keys, every value quoted text (one
    that is not may be a secret typed bare). ``unknown`` and ``needed`` are the platform's
    own messages for a key it does not know and a required one missing."""

    def __init__(
        self, settings: Mapping[str, object], known: Sequence[str], *, unknown: str, needed: str
    ) -> None:
        self._needed = needed
        for key, value in sorted(settings.items()):
            if key not in known:
                raise InvalidInput(unknown, field=key, text=key)
            if not isinstance(value, str):
                raise InvalidInput(
                    Text("expected text, not {kind}", kind=toml_type(value)), field=key
                )
        self.settings: dict[str, str] = {key: str(value) for key, value in settings.items()}

    def text(self, key: str) -> str:
        value = self.settings.get(key, "").strip()
        if not value:
            raise InvalidInput(self._needed, field=key)
        return value

    def token(self, environ: Mapping[str, str], default_env: str, *, missing: str) -> Secret:
        """``token``, else the environment variable ``token_env`` names (``default_env``
        unless given); ``missing`` if neither is set."""
        given = self.settings.get("token", "").strip()
        if given:
            return Secret(given)
        variable = self.settings.get("token_env", default_env).strip()
        value = environ.get(variable, "").strip()
        if not value:
            raise InvalidInput(missing, field="token_env", text=variable)
        return Secret(value)

    def number(
        self, key: str, default: float, low: float, high: float, *, whole: bool = False
    ) -> float:
        raw = self.settings.get(key)
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
