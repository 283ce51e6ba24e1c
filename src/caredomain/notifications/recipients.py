"""Where a message goes: an e-mail address checked, a phone number in E.164.

A recipient without the contact a channel needs, or with one that cannot be used, gives a
:class:`Recipient` with no address and the reason; the message is then queued as
"skipped" with that reason, so that nobody wonders where it went. Nothing here raises.
"""

from __future__ import annotations

import re

import phonenumbers
from attrs import frozen

__all__ = ["Recipient", "mail_recipient", "sms_recipient"]

_MOBILE = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# RFC 5321 limits, and the dot-atom of RFC 5322 for the local part (no quoted forms).
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


@frozen
class Recipient:
    """An address to send to, or why there is none."""

    address: str | None
    reason: str = ""


def mail_recipient(email: str | None) -> Recipient:
    """A checked e-mail address (domain in lower case), or why it cannot be used."""
    if email is None or not email.strip():
        return Recipient(None, "no e-mail address")
    text = email.strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return Recipient(None, f"not an e-mail address: {text!r}")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return Recipient(None, f"not a valid mail domain: {domain!r}")
    labels = ascii_domain.split(".")
    if (
        len(text) > 254
        or len(local) > 64
        or not _LOCAL.fullmatch(local)
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
    ):
        return Recipient(None, f"not a valid e-mail address: {text!r}")
    return Recipient(f"{local}@{domain.lower()}")


def sms_recipient(phone: str | None, region: str) -> Recipient:
    """The number in E.164 (``+33612345678``), read as a number of ``region`` (``FR``,
    ``CA``) when written without a country code; or why it cannot take an SMS."""
    if phone is None or not phone.strip():
        return Recipient(None, "no phone number")
    text = phone.strip()
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return Recipient(None, f"not a phone number: {text!r}")
    if not phonenumbers.is_valid_number(number):
        return Recipient(None, f"not a valid phone number: {text!r}")
    if phonenumbers.number_type(number) not in _MOBILE:
        return Recipient(None, f"not a mobile number, an SMS cannot reach it: {text!r}")
    return Recipient(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
