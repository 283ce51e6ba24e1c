"""SMS senders: ``sms-http`` (an HTTP gateway) and ``sms-file`` (the embedded default).

Each reports the encoding the text needs (GSM-7 or UCS-2) and its segment count in the
send result's detail, and passes the idempotency key on as a client reference: the
key's digest (:func:`~caredomain_messaging.mail.reference`), the same on every retry.

``sms-http`` settings:

=====================  ==================================================================
``url``                the gateway's endpoint, http or https (required; no credentials in
                       it: use the settings below, which are never logged)
``format``             ``json`` (default) or ``form``
``to_field``           payload field of the number, E.164 (default ``to``)
``text_field``         payload field of the text (default ``text``)
``reference_field``    payload field of the client reference (default ``reference``)
``sender_field``       payload field of the originator (default ``from``)
``sender``             the originator (name or number), sent only when set
``username``           with ``password``: HTTP basic authentication
``token``              a bearer token (``Authorization: Bearer …``), or the value of
                       ``token_header`` when that is set (``X-Api-Key``…)
``timeout``            seconds (default 10)
=====================  ==================================================================

The client reference also travels as the ``Idempotency-Key`` header. A 2xx answer is
sent; 429 and 5xx are transient, as are timeouts and unreachable gateways; any other
answer (400, 401, 404…) is permanent.

``sms-file`` settings: ``path`` of a JSON-lines file, one object per SMS appended
(``key``, ``reference``, ``to``, ``text``, ``encoding``, ``segments``, ``written_at``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from caredomain.errors import InvalidInput
from caredomain.ports import OutboundMessage, SendResult, SendStatus
from caredomain_messaging.gsm import sms_encoding
from caredomain_messaging.mail import reference
from caredomain_messaging.settings import Secret, SenderSettings

__all__ = ["SmsFileSender", "SmsHttpSender"]

_HTTP_KNOWN = (
    "url",
    "format",
    "to_field",
    "text_field",
    "reference_field",
    "sender_field",
    "sender",
    "username",
    "password",
    "token",
    "token_header",
    "timeout",
)


def _shown_url(url: str) -> str:
    """The URL without query or fragment, as it may be shown."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


class SmsHttpSender:
    """Sends each SMS as one request to an HTTP gateway, over one client per batch."""

    channel = "sms"

    def __init__(
        self,
        url: str,
        *,
        payload_format: str = "json",
        fields: Mapping[str, str] | None = None,
        sender: str | None = None,
        username: str | None = None,
        password: Secret | None = None,
        token: Secret | None = None,
        token_header: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise InvalidInput("expected an http or https URL", field="url", text=_shown_url(url))
        if parts.username or parts.password:
            raise InvalidInput(
                "put credentials in username/password or token, not in the URL",
                field="url",
                text=_shown_url(url),
            )
        self.url = url
        self.payload_format = payload_format
        self.fields = {"to": "to", "text": "text", "reference": "reference", "sender": "from"}
        self.fields.update(fields or {})
        self.sender = sender
        self.username = username
        self._password = password
        self._token = token
        self.token_header = token_header
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SmsHttpSender:
        read = SenderSettings("sms-http", settings, _HTTP_KNOWN)
        username, password = read.optional("username"), read.secret("password")
        if (username is None) != (password is None):
            raise InvalidInput("username and password go together", field="username")
        return cls(
            read.text("url"),
            payload_format=read.choice("format", {"json", "form"}, "json"),
            fields={
                name: read.text(f"{name}_field", default)
                for name, default in (
                    ("to", "to"),
                    ("text", "text"),
                    ("reference", "reference"),
                    ("sender", "from"),
                )
            },
            sender=read.optional("sender"),
            username=username,
            password=password,
            token=read.secret("token"),
            token_header=read.optional("token_header"),
            timeout=read.seconds("timeout", 10.0),
        )

    def __repr__(self) -> str:
        auth = ""
        if self.username:
            auth = f", username={self.username!r}, password=***"
        elif self._token is not None:
            auth = ", token=***"
        return f"SmsHttpSender({_shown_url(self.url)!r}, format={self.payload_format!r}{auth})"

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            return {}
        if self.token_header:
            return {self.token_header: self._token.reveal()}
        return {"Authorization": f"Bearer {self._token.reveal()}"}

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        if not messages:
            return []
        auth = (
            httpx.BasicAuth(self.username, self._password.reveal())
            if self.username is not None and self._password is not None
            else None
        )
        with httpx.Client(
            timeout=self.timeout, auth=auth, headers=self._headers(), follow_redirects=False
        ) as client:
            return [self._send_one(client, message) for message in messages]

    def _send_one(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        encoding = sms_encoding(message.body)
        ref = reference(message.key)
        payload: dict[str, Any] = {
            self.fields["to"]: message.recipient,
            self.fields["text"]: message.body,
            self.fields["reference"]: ref,
        }
        if self.sender:
            payload[self.fields["sender"]] = self.sender
        body: dict[str, Any] = (
            {"json": payload} if self.payload_format == "json" else {"data": payload}
        )
        try:
            response = client.post(self.url, headers={"Idempotency-Key": ref}, **body)
        except httpx.TimeoutException:
            return SendResult(
                message.key,
                SendStatus.TRANSIENT,
                f"the gateway did not answer in {self.timeout:g} s",
            )
        except httpx.HTTPError as error:
            return SendResult(
                message.key,
                SendStatus.TRANSIENT,
                f"gateway unreachable: {type(error).__name__}: {error}",
            )
        code = response.status_code
        answer = f"HTTP {code} {response.reason_phrase}".strip()
        if 200 <= code < 300:
            return SendResult(message.key, SendStatus.SENT, f"{encoding}; {answer}")
        snippet = response.text[:200].strip()
        detail = f"{answer}: {snippet}" if snippet else answer
        if code == 429 or code >= 500:
            return SendResult(message.key, SendStatus.TRANSIENT, detail)
        return SendResult(message.key, SendStatus.PERMANENT, detail)


class SmsFileSender:
    """Appends each SMS to a JSON-lines file: the embedded default, for demos and tests."""

    channel = "sms"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SmsFileSender:
        return cls(SenderSettings("sms-file", settings, ("path",)).text("path"))

    def __repr__(self) -> str:
        return f"SmsFileSender({str(self.path)!r})"

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        if not messages:
            return []
        lines, results = [], []
        written_at = datetime.now(UTC).isoformat()
        for message in messages:
            encoding = sms_encoding(message.body)
            record = {
                "key": message.key,
                "reference": reference(message.key),
                "to": message.recipient,
                "text": message.body,
                "encoding": encoding.encoding,
                "segments": encoding.segments,
                "written_at": written_at,
            }
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
            results.append(SendResult(message.key, SendStatus.SENT, str(encoding)))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as file:
                file.write("".join(lines))
                file.flush()
                os.fsync(file.fileno())
        except OSError as error:
            detail = f"cannot write {self.path}: {error}"
            return [SendResult(m.key, SendStatus.TRANSIENT, detail) for m in messages]
        return results
