"""A caregiver's phone talking to the reference server's device endpoints over real HTTP
(:class:`Phone`), for tests, demos and examples; see :mod:`caredomain_penbase.reference.server`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from attrs import frozen

from caredomain.errors import CareDomainError
from caredomain.interventions.messaging import Message
from caredomain.interventions.model import Client, Punch
from caredomain.interventions.phonebook import EmergencyNumber
from caredomain.interventions.platform import PlanningPush
from caredomain_penbase import limits, wire, wire_messages, wire_planning

__all__ = ["Phone", "PhonePlanning", "PhoneRefused"]


class PhoneRefused(CareDomainError):
    """The platform refused a phone's request: ``status`` and the server's ``code``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"HTTP {status} [{code}]: {message}")
        self.status = status
        self.code = code
        self.message = message


@frozen
class PhonePlanning:
    """What a phone shows: its caregiver's planning (``alert``: it rang) and her clients."""

    planning: PlanningPush
    clients: tuple[Client, ...]


class Phone:
    """A caregiver's phone, talking to the device endpoints over real HTTP."""

    def __init__(self, url: str, token: str, *, timeout: float = 5.0) -> None:
        self._url = url
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"Phone({self._url!r}, token=***)"

    def planning(self) -> PhonePlanning:
        fields = wire.Fields(self._get("v1/device/planning"), "")
        clients = tuple(wire_planning.client_from(c) for c in fields.objects("clients"))
        return PhonePlanning(wire_planning.planning_from(fields), clients)

    def messages(self) -> tuple[Message, ...]:
        fields = wire.Fields(self._get("v1/device/messages"), "")
        return tuple(wire_messages.message_from(m) for m in fields.objects("messages"))

    def emergency_numbers(self) -> tuple[EmergencyNumber, ...]:
        fields = wire.Fields(self._get("v1/device/emergency-numbers"), "")
        return tuple(wire_messages.emergency_number_from(n) for n in fields.objects("numbers"))

    def send(self, item: wire.InboundItem, *, id: str | None = None) -> bool:
        """Post ``item``; True when the platform kept it, False for a duplicate."""
        body = wire.item_json(item, id=id)
        key = f"{body['type']}-{body['id']}"
        answer, replayed = self._call("POST", "v1/device/items", body, {"Idempotency-Key": key})
        return not (answer["duplicate"] or replayed)

    def punch(self, punch: Punch) -> bool:
        """Clock in or out (the punch's ``received_at`` is the platform's to stamp)."""
        return self.send(punch)

    def _get(self, path: str) -> Any:
        return self._call("GET", path)[0]

    def _call(
        self, method: str, path: str, body: Any = None, headers: Mapping[str, str] | None = None
    ) -> tuple[Any, bool]:
        """The answer's JSON, and whether it replays an earlier answer (same key)."""
        with httpx.Client(base_url=self._url, timeout=self._timeout) as http:
            response = http.request(
                method,
                path,
                json=body,
                headers={"Authorization": f"Bearer {self._token}", **(headers or {})},
            )
        data = _answer(response.content)
        if response.status_code >= 400:
            error = data.get("error") if isinstance(data, dict) else None
            error = error if isinstance(error, dict) else {}
            code, message = error.get("code", ""), error.get("message", "")
            raise PhoneRefused(response.status_code, str(code), str(message))
        return data, response.headers.get("Idempotent-Replayed") == "true"


def _answer(content: bytes) -> Any:
    return limits.read_json(content, limit=limits.MAX_ANSWER_BYTES) if content else None
