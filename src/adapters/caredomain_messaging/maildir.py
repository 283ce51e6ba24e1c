"""``maildir``: the embedded default for mail — each message a file in a Maildir.

Settings: ``path`` (the Maildir folder, created if missing; required), ``from`` (default
``caredomain <notifications@localhost>``), ``message_id_domain`` (default From's domain).

Each message is written to ``tmp/`` and moved into ``new/``, as the Maildir format asks,
under a name derived from its idempotency key: a message sent again after a crash
replaces its own file instead of making a second one. Open the folder with any mail client
that reads Maildir (mutt -f PATH, Thunderbird, Evolution), or open a file of ``new/`` in a
mail reader: it is a complete RFC 5322 message, with its ``.ics`` when it has one.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain_messaging.mail import compose, reference
from caredomain_messaging.settings import SenderSettings

__all__ = ["MaildirSender"]

_KNOWN = ("path", "from", "message_id_domain")
DEFAULT_FROM = "caredomain <notifications@localhost>"


class MaildirSender:
    """Delivers mails as files of a Maildir folder."""

    channel = "mail"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        sender: str = DEFAULT_FROM,
        envelope_from: str = "notifications@localhost",
        message_id_domain: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.sender = sender
        self.envelope_from = envelope_from
        self.domain = message_id_domain or envelope_from.rpartition("@")[2]

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> MaildirSender:
        read = SenderSettings("maildir", settings, _KNOWN)
        sender, envelope_from = read.address("from", DEFAULT_FROM)
        return cls(
            read.text("path"),
            sender=sender,
            envelope_from=envelope_from,
            message_id_domain=read.optional("message_id_domain"),
        )

    def __repr__(self) -> str:
        return f"MaildirSender({str(self.path)!r})"

    def file_name(self, key: str) -> str:
        """The file a message with ``key`` lands in, under ``new/``."""
        return f"{reference(key)}.caredomain"

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        try:
            mailbox.Maildir(self.path, create=True)  # tmp/, new/ and cur/
        except OSError as error:
            detail = f"cannot open the Maildir {self.path}: {error}"
            return [SendResult(m.key, SendStatus.TRANSIENT, detail) for m in messages]
        return [self._deliver(message) for message in messages]

    def _deliver(self, message: OutboundMessage) -> SendResult:
        name = self.file_name(message.key)
        try:
            mail = compose(
                message, sender=self.sender, envelope_from=self.envelope_from, domain=self.domain
            )
            data = mail.as_bytes()
        except (ValueError, UnicodeError) as error:
            return SendResult(message.key, SendStatus.PERMANENT, f"{type(error).__name__}: {error}")
        temporary = self.path / "tmp" / name
        final = self.path / "new" / name
        try:
            with open(temporary, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, final)
        except OSError as error:
            return SendResult(message.key, SendStatus.TRANSIENT, f"cannot write {final}: {error}")
        return SendResult(message.key, SendStatus.SENT, f"written to {final}")
