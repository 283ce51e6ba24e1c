"""How an SMS travels: the GSM-7 alphabet (3GPP TS 23.038) or UCS-2, and its segments.

A text made only of the GSM-7 default alphabet (and its extension table, whose characters
count twice) takes 160 septets in one segment, 153 in each of several; anything else
goes as UCS-2: 70 UTF-16 units in one segment, 67 in each of several.
"""

from __future__ import annotations

from math import ceil

from attrs import frozen

__all__ = ["GSM7", "UCS2", "SmsEncoding", "sms_encoding"]

GSM7 = "GSM-7"
UCS2 = "UCS-2"

_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_EXTENSION = frozenset("\f^{}\\[~]|€")


@frozen
class SmsEncoding:
    """The encoding an SMS needs, its length in that encoding's units, and its segments."""

    encoding: str
    units: int
    segments: int

    def __str__(self) -> str:
        plural = "s" if self.segments > 1 else ""
        return f"{self.encoding}, {self.segments} segment{plural}"


def sms_encoding(text: str) -> SmsEncoding:
    """The encoding and segment count of ``text``."""
    if all(char in _BASIC or char in _EXTENSION for char in text):
        units = sum(2 if char in _EXTENSION else 1 for char in text)
        return SmsEncoding(GSM7, units, 1 if units <= 160 else ceil(units / 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsEncoding(UCS2, units, 1 if units <= 70 else ceil(units / 67))
