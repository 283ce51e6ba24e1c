"""Mail and SMS senders for caredomain's notifications.

* :class:`SmtpSender` (``smtp``) and :class:`MaildirSender` (``maildir``, the embedded
  default) for mail; appointment mails carry an ``.ics`` calendar entry;
* :class:`SmsHttpSender` (``sms-http``) and :class:`SmsFileSender` (``sms-file``, the
  embedded default) for SMS, reporting each text's encoding and segment count.

Registered through the ``caredomain_senders`` hook (:mod:`caredomain_messaging.plugin`);
build one by name with ``plugins.sender_specs()["smtp"].create(settings)``.
"""

from caredomain_messaging.gsm import SmsEncoding, sms_encoding
from caredomain_messaging.mail import calendar_ics, compose, message_id, reference
from caredomain_messaging.maildir import MaildirSender
from caredomain_messaging.settings import Secret
from caredomain_messaging.sms import SmsFileSender, SmsHttpSender
from caredomain_messaging.smtp import SmtpSender

__all__ = [
    "MaildirSender",
    "Secret",
    "SmsEncoding",
    "SmsFileSender",
    "SmsHttpSender",
    "SmtpSender",
    "calendar_ics",
    "compose",
    "message_id",
    "reference",
    "sms_encoding",
]
