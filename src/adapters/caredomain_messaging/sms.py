"""SMS senders: ``sms-http`` (an HTTP gateway) and ``sms-file`` (the embedded default).

Each reports the encoding the text needs (GSM-7 or UCS-2) and its segment count in the
send result's detail, and passes the idempotency key on as a client reference: the
key's digest (:func:`~caredomain_messaging.mail.reference`), the same on every retry.

``sms-http`` settings:

=====================  ==================================================================
``url``                the gateway's endpoint, http or https (required; no credentials,
                       query or fragment in it: use the settings below, which are never
                       logged)
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
answer (400, 401, 404…) is permanent. An unreachable gateway was offered nothing; a
timeout or a broken connection ends the batch at that message. The gateway's answer is
kept with the token and password scrubbed out (plain, or base64 as basic authentication
carries them), should it echo the request's headers. ``timeout`` bounds each exchange as a
whole, however slowly the gateway sends (:mod:`caredomain_http.deadline`); only the first
64 KiB of an answer are read (its first 200 characters are kept), inflated within that
bound if the gateway compressed it (:mod:`caredomain_http.inflate`).

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

import httpx

from caredomain.errors import InvalidInput
from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.secret import scrub, shown_url, url_without_credentials
from caredomain.text import Text
from caredomain_http.deadline import DeadlineTransport, deadline
from caredomain_http.inflate import ASKED, Inflater, Undecodable
from caredomain_messaging.connection import send_through
from caredomain_messaging.gsm import sms_encoding
from caredomain_messaging.mail import reference
from caredomain_messaging.settings import Secret, SenderSettings

__all__ = ["SmsFileSender", "SmsHttpSender"]

_ANSWER_BYTES = 64 * 1024
"""What is read of a gateway's answer: its first 200 characters are kept."""

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
        self.url = url_without_credentials(url, field="url")
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
            raise InvalidInput(Text("username and password go together"), field="username")
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
        return f"SmsHttpSender({shown_url(self.url)!r}, format={self.payload_format!r}{auth})"

    def _headers(self) -> dict[str, str]:
        if self._token is None:
            return {}
        if self.token_header:
            return {self.token_header: self._token.reveal()}
        return {"Authorization": f"Bearer {self._token.reveal()}"}

    def connect(self) -> _GatewayConnection:
        """A client for the gateway, opened at the first offer."""
        return _GatewayConnection(self)

    def send(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        return send_through(self.connect(), messages) if messages else []

    def client(self) -> httpx.Client:
        auth = (
            httpx.BasicAuth(self.username, self._password.reveal())
            if self.username is not None and self._password is not None
            else None
        )
        return httpx.Client(
            timeout=self.timeout,
            auth=auth,
            headers={"Accept-Encoding": ASKED, **self._headers()},
            follow_redirects=False,
            transport=DeadlineTransport(),
        )

    def scrubbed(self, text: str) -> str:
        """``text`` without this sender's secrets, should the gateway echo them back."""
        basic = (
            Secret(f"{self.username}:{self._password.reveal()}")
            if self.username is not None and self._password is not None
            else None
        )
        return scrub(text, (self._token, self._password, basic))

    def payload(self, message: OutboundMessage, ref: str) -> dict[str, Any]:
        """The request's body arguments for ``message``."""
        payload: dict[str, Any] = {
            self.fields["to"]: message.recipient,
            self.fields["text"]: message.body,
            self.fields["reference"]: ref,
        }
        if self.sender:
            payload[self.fields["sender"]] = self.sender
        return {"json": payload} if self.payload_format == "json" else {"data": payload}


class _GatewayConnection:
    """One HTTP client over a batch; every detail it returns is scrubbed of the sender's
    secrets."""

    def __init__(self, sender: SmsHttpSender) -> None:
        self.sender = sender
        self._client: httpx.Client | None = None

    def offer(self, message: OutboundMessage) -> SendResult:
        sender = self.sender
        ref = reference(message.key)
        if self._client is None:
            self._client = sender.client()
        request = self._client.build_request(
            "POST", sender.url, headers={"Idempotency-Key": ref}, **sender.payload(message, ref)
        )
        try:
            with deadline(sender.timeout):
                response = self._client.send(request, stream=True)
                try:
                    text = _answer_text(response)
                finally:
                    response.close()
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            detail = f"gateway unreachable: {type(error).__name__}: {error}"
            return self._failed(message, detail, offered=False)
        except httpx.TimeoutException:
            detail = f"the gateway did not answer in {sender.timeout:g} s"
            return self._failed(message, detail, offered=True)
        except httpx.HTTPError as error:
            detail = f"the connection to the gateway failed: {type(error).__name__}: {error}"
            return self._failed(message, detail, offered=True)
        return self._answer(message, response, text)

    def _failed(self, message: OutboundMessage, detail: str, *, offered: bool) -> SendResult:
        return SendResult(
            message.key,
            SendStatus.TRANSIENT,
            self.sender.scrubbed(detail),
            offered=offered,
            connection_lost=True,
        )

    def _answer(self, message: OutboundMessage, response: httpx.Response, text: str) -> SendResult:
        code = response.status_code
        answer = f"HTTP {code} {response.reason_phrase}".strip()
        if 200 <= code < 300:
            encoding = sms_encoding(message.body)
            return SendResult(message.key, SendStatus.SENT, f"{encoding}; {answer}")
        snippet = self.sender.scrubbed(text)[:200].strip()
        detail = self.sender.scrubbed(f"{answer}: {snippet}" if snippet else answer)
        if code == 429 or code >= 500:
            return SendResult(message.key, SendStatus.TRANSIENT, detail)
        return SendResult(message.key, SendStatus.PERMANENT, detail)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _answer_text(response: httpx.Response) -> str:
    """The first :data:`_ANSWER_BYTES` of the gateway's answer as text, the rest unread.
    Its status has come: it decides, whatever happens to the body (cut, late, garbled),
    which only explains a refusal — an SMS the gateway accepted is not sent again."""
    content = bytearray()
    try:
        inflater = Inflater(response.headers.get("Content-Encoding"))
        for chunk in response.iter_raw():
            content += inflater.inflate(chunk, _ANSWER_BYTES - len(content))
            if len(content) > _ANSWER_BYTES:
                break
    except Undecodable as error:
        return str(error)
    except httpx.TransportError:
        pass
    return content[:_ANSWER_BYTES].decode(response.encoding or "utf-8", "replace")


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
