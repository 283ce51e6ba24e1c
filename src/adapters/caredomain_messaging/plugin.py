"""The ``caredomain_messaging`` plugin: mail and SMS senders, offered through the
``caredomain_senders`` hook exactly as a third-party plugin would offer its own.

=============  =======  ===================================================================
name           channel  what
=============  =======  ===================================================================
``smtp``       mail     an SMTP server (STARTTLS or SSL, login, one connection a batch)
``maildir``    mail     files in a Maildir folder: the embedded default
``sms-http``   sms      an HTTP SMS gateway (URL, credentials, payload shape configurable)
``sms-file``   sms      a JSON-lines file: the embedded default
=============  =======  ===================================================================
"""

from __future__ import annotations

from collections.abc import Callable

from caredomain import hookimpl
from caredomain.notifications.ports import SenderSpec
from caredomain_messaging.maildir import MaildirSender
from caredomain_messaging.sms import SmsFileSender, SmsHttpSender
from caredomain_messaging.smtp import SmtpSender

SPECS = (
    SenderSpec(
        "smtp",
        "mail",
        SmtpSender.from_settings,
        "SMTP server: host, port, security (starttls/ssl/none), username, password, from",
    ),
    SenderSpec(
        "maildir",
        "mail",
        MaildirSender.from_settings,
        "each mail a file of a Maildir folder (path): the embedded default",
    ),
    SenderSpec(
        "sms-http",
        "sms",
        SmsHttpSender.from_settings,
        "HTTP SMS gateway: url, format (json/form), field names, credentials",
    ),
    SenderSpec(
        "sms-file",
        "sms",
        SmsFileSender.from_settings,
        "each SMS a line of a JSON-lines file (path): the embedded default",
    ),
)


@hookimpl
def caredomain_senders(register: Callable[[SenderSpec], None]) -> None:
    """Offer the four senders above."""
    for spec in SPECS:
        register(spec)
