"""The ``[notifications]`` section of an organisation's configuration file: how messages
leave (the sender of each channel and its settings), when reminders go out, how failures
are retried. What is sent, and the texts, are the administrators' settings, kept in the
store (:class:`~caredomain.notifications.settings.NotificationSettings`).

```toml
[notifications]
reminder_lead = "6h"

[notifications.mail]
sender = "smtp"
[notifications.mail.settings]
host = "smtp.example.org"
port = 587
security = "starttls"
username = "rdv@mairie.example"
password_env = "CAREDOMAIN_SMTP_PASSWORD"   # a secret: read from this environment variable
from = "Mairie <rdv@mairie.example>"
```

A setting whose name ends in ``_env`` names an environment variable that holds the value
of the setting without that suffix, so that no secret is written in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any

from attrs import Attribute, field, frozen

from caredomain.errors import InvalidInput
from caredomain.notifications.outbox import RetryPolicy
from caredomain.notifications.reminders import ReminderPolicy, parse_lead
from caredomain.strict import toml_type
from caredomain.text import Text

__all__ = ["ENV_SUFFIX", "NotificationConfiguration", "SenderChoice"]

ENV_SUFFIX = "_env"


def _setting_text(key: str, value: object) -> str:
    """A setting as the sender reads it: text, numbers and booleans as TOML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    # Not quoted: the value of a misplaced secret must not reach an error.
    raise InvalidInput(
        Text(
            "a sender setting is text, a number or true/false, not {type}",
            type=toml_type(value),
        ),
        field=f"settings.{key}",
    )


def _settings(value: Mapping[str, Any]) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidInput(
            Text("expected a table of settings, not {type}", type=toml_type(value)),
            field="settings",
        )
    return MappingProxyType(
        {str(key): _setting_text(str(key), item) for key, item in value.items()}
    )


def _sender_name(instance: object, attribute: Attribute[Any], value: str) -> None:
    if not value.strip():
        raise InvalidInput(
            Text("name a sender, such as smtp or maildir"), field=attribute.name, text=value
        )


@frozen
class SenderChoice:
    """The sender for one channel, by the name its plugin registers, and its settings."""

    sender: str = field(validator=_sender_name)
    settings: Mapping[str, Any] = field(factory=dict, converter=_settings)

    def resolved(self, environ: Mapping[str, str], *, where: str) -> dict[str, str]:
        """The settings with each ``name_env`` replaced by ``name`` from ``environ``."""
        resolved: dict[str, str] = {}
        for key, value in self.settings.items():
            if key.endswith(ENV_SUFFIX):
                if value not in environ:
                    raise InvalidInput(
                        Text("the environment variable it names is not set"),
                        field=f"{where}.settings.{key}",
                        text=value,
                    )
                if not environ[value]:  # a deployment that forgot to fill it in
                    raise InvalidInput(
                        Text("the environment variable it names is empty"),
                        field=f"{where}.settings.{key}",
                        text=value,
                    )
                resolved[key.removesuffix(ENV_SUFFIX)] = environ[value]
            else:
                resolved[key] = value
        return resolved

    def __repr__(self) -> str:
        return (
            f"SenderChoice(sender={self.sender!r}, settings=[{', '.join(sorted(self.settings))}])"
        )


def _lead(instance: object, attribute: Attribute[Any], value: str) -> None:
    parse_lead(value, field_name=attribute.name)


def _between(low: int, high: int) -> Any:
    def check(instance: object, attribute: Attribute[Any], value: int) -> None:
        if isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(
                Text("expected a whole number from {low} to {high}", low=low, high=high),
                field=attribute.name,
                text=str(value),
            )

    return check


@frozen
class NotificationConfiguration:
    """Delivery settings; every key has a default, so a file without the section works:
    mail and SMS then go to the embedded senders the command line chooses."""

    reminder_lead: str = field(default="6h", validator=_lead)
    batch_size: int = field(default=100, validator=_between(1, 10_000))
    lease_seconds: int = field(default=300, validator=_between(5, 86_400))
    max_attempts: int = field(default=10, validator=_between(1, 100))
    first_retry_seconds: int = field(default=60, validator=_between(1, 86_400))
    max_retry_seconds: int = field(default=14_400, validator=_between(1, 7 * 86_400))
    mail: SenderChoice | None = None
    sms: SenderChoice | None = None

    @property
    def reminders(self) -> ReminderPolicy:
        return ReminderPolicy(parse_lead(self.reminder_lead))

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(
            self.max_attempts,
            timedelta(seconds=self.first_retry_seconds),
            timedelta(seconds=max(self.max_retry_seconds, self.first_retry_seconds)),
        )

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.lease_seconds)

    def senders(self) -> dict[str, SenderChoice]:
        """The configured sender of each channel."""
        return {
            channel: choice
            for channel, choice in (("mail", self.mail), ("sms", self.sms))
            if choice is not None
        }
