"""Reading a sender's settings (text from the configuration file), and keeping secrets.

Every problem is an :class:`~caredomain.errors.InvalidInput` naming the sender and the
setting. A :class:`Secret` never shows its value in a repr, a str or a log line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from email.utils import parseaddr

from caredomain.errors import InvalidInput
from caredomain.secret import Secret
from caredomain.strict import toml_type
from caredomain.text import Text

__all__ = ["Secret", "SenderSettings"]


class SenderSettings:
    """The settings of the sender ``name``; keys outside ``known`` are refused."""

    def __init__(self, name: str, settings: Mapping[str, str], known: Collection[str]) -> None:
        self.name = name
        self._settings = dict(settings)
        for key, value in sorted(self._settings.items()):
            if key not in known:
                raise InvalidInput(
                    Text(
                        "unknown setting of sender {sender}; known: {known}",
                        sender=name,
                        known=", ".join(sorted(known)),
                    ),
                    field=key,
                    text=key,
                )
            if not isinstance(value, str):  # not quoted: it may be a secret
                raise InvalidInput(
                    Text(
                        "sender {sender}: expected text, not {type}",
                        sender=name,
                        type=toml_type(value),
                    ),
                    field=key,
                )

    def _where(self, key: str) -> str:
        return key

    def text(self, key: str, default: str | None = None) -> str:
        value = self._settings.get(key, default)
        if value is None or not str(value).strip():
            raise InvalidInput(
                Text("sender {sender} needs this setting", sender=self.name), field=self._where(key)
            )
        return str(value).strip()

    def optional(self, key: str) -> str | None:
        value = self._settings.get(key)
        return None if value is None or not str(value).strip() else str(value).strip()

    def secret(self, key: str) -> Secret | None:
        """A secret setting; a wrong one is reported without its value."""
        value = self._settings.get(key)
        return None if value is None or value == "" else Secret(value)

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        raw = self._settings.get(key)
        if raw is None:
            return default
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise InvalidInput(
                Text("expected a whole number"), field=self._where(key), text=raw
            ) from None
        if not low <= value <= high:
            raise InvalidInput(
                Text("expected a number from {low} to {high}", low=low, high=high),
                field=self._where(key),
                text=raw,
            )
        return value

    def seconds(self, key: str, default: float) -> float:
        raw = self._settings.get(key)
        if raw is None:
            return default
        try:
            value = float(str(raw).strip())
        except ValueError:
            raise InvalidInput(
                Text("expected a number of seconds"), field=self._where(key), text=raw
            ) from None
        if not 0 < value <= 600:
            raise InvalidInput(
                Text("expected more than 0 and at most 600 seconds"),
                field=self._where(key),
                text=raw,
            )
        return value

    def choice(self, key: str, choices: Collection[str], default: str) -> str:
        value = self._settings.get(key, default).strip().lower()
        if value not in choices:
            raise InvalidInput(
                Text("expected one of {choices}", choices=", ".join(sorted(choices))),
                field=self._where(key),
                text=value,
            )
        return value

    def flag(self, key: str, default: bool) -> bool:
        raw = self._settings.get(key)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in {"true", "yes", "1", "on"}:
            return True
        if value in {"false", "no", "0", "off"}:
            return False
        raise InvalidInput(Text("expected true or false"), field=self._where(key), text=raw)

    def address(self, key: str, default: str | None = None) -> tuple[str, str]:
        """A mail address setting (``Name <addr@domain>`` or ``addr@domain``): the
        header form and the bare address."""
        value = self.text(key, default)
        _, bare = parseaddr(value)
        if "@" not in bare or bare.startswith("@") or bare.endswith("@"):
            raise InvalidInput(Text("expected a mail address"), field=self._where(key), text=value)
        return value, bare
