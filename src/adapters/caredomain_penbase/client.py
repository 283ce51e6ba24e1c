"""The office side of Penbase: :class:`PenbaseClient`, a
:class:`~caredomain.interventions.platform.MobilePlatform` over HTTP (``docs/penbase.md``).

Every request goes through a :class:`~caredomain_http.Connection`: retried on 5xx, 429,
timeouts and connection errors with a growing pause, then :class:`PenbaseUnavailable`
naming the platform and the last error; any other refusal is not retried and becomes the
error the port speaks (:mod:`caredomain_http.connection`). Retrying is safe: PUT and DELETE
are idempotent by nature, and a POST carries an ``Idempotency-Key``.

The office token travels only in the ``Authorization`` header: never in a URL (which
httpx logs), a repr, a log line or an error.

:meth:`PenbaseClient.pull` follows the pages until the server says no more is waiting, and
returns everything at once with the last cursor; a bad item on any page refuses the whole
pull (nothing is returned, the cursor does not move). It follows at most ``max_pages``
pages: past them it returns what it read, with the cursor of the last page read, and logs
a WARNING that more is waiting; the next pull goes on from there.

An answer is read within bounds (:mod:`caredomain_penbase.limits`): larger than
:data:`~caredomain_penbase.limits.MAX_ANSWER_BYTES`, not UTF-8, not JSON, nested too
deep, with an absurd number, a malformed page or a redirect, it is an
:class:`~caredomain.errors.InvalidInput` whose ``source`` is the platform; nothing else
than a :class:`~caredomain.errors.CareDomainError` leaves the client.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote

import httpx

from caredomain.errors import InvalidInput
from caredomain.interventions.devices import DeviceId, LossKind
from caredomain.interventions.messaging import Message
from caredomain.interventions.model import Caregiver, CaregiverId, Client
from caredomain.interventions.phonebook import EmergencyNumber, check_emergency_numbers
from caredomain.interventions.platform import Inbound, PlanningPush
from caredomain.text import Text
from caredomain.validation import member_of
from caredomain_http import Connection, PlatformClient, Reply, Unavailable, Wire
from caredomain_penbase import limits, wire, wire_messages, wire_planning
from caredomain_penbase.settings import PenbaseSettings, shown_url

__all__ = ["PenbaseClient", "PenbaseUnavailable"]

log = logging.getLogger(__name__)

_MAX_ERROR_BYTES = 64 * 1024  # a longer error body is shown as text, not parsed


class PenbaseUnavailable(Unavailable):
    """The platform did not answer, or kept failing, through every try."""


def _server_message(reply: Reply) -> tuple[str, str | None]:
    """The server's message and the field it names, from ``{"error": {...}}`` or the text;
    both cut short, since they end up in an error message."""
    try:
        data = limits.read_json(reply.content, limit=_MAX_ERROR_BYTES)
    except InvalidInput:
        data = None
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        text = reply.content[:200].decode("utf-8", "replace").strip()
        return text or reply.reason, None
    message = error.get("message")
    field = error.get("field")
    shown = str(message)[:200] if isinstance(message, str) and message else reply.reason
    return shown, field[:200] if isinstance(field, str) else None


def _path(*parts: str) -> str:
    return "/".join(quote(part, safe="") for part in parts)


class PenbaseClient(PlatformClient):
    """Pushes to and pulls from a Penbase platform; see the module's documentation."""

    def __init__(
        self,
        settings: PenbaseSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._settings = settings
        self._http = Connection(
            settings,
            Wire(
                f"penbase {shown_url(settings.url)}",
                limits.MAX_ANSWER_BYTES,
                _server_message,
                PenbaseUnavailable,
            ),
            sleep=sleep,
            transport=transport,
        )

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, str], environ: Mapping[str, str] | None = None
    ) -> PenbaseClient:
        """A client from text settings (see :mod:`caredomain_penbase.settings`)."""
        return cls(PenbaseSettings.from_mapping(settings, environ))

    @property
    def settings(self) -> PenbaseSettings:
        return self._settings

    # -- the MobilePlatform port -------------------------------------------------------

    def push_caregivers(self, caregivers: Sequence[Caregiver]) -> frozenset[CaregiverId]:
        for caregiver in caregivers:
            self._http.request(
                "PUT",
                _path("v1", "caregivers", caregiver.id),
                wire_planning.caregiver_json(caregiver),
            )
        return frozenset(caregiver.id for caregiver in caregivers)

    def push_clients(self, clients: Sequence[Client]) -> frozenset[str]:
        for client in clients:
            self._http.request(
                "PUT", _path("v1", "clients", client.id), wire_planning.client_json(client)
            )
        return frozenset(client.id for client in clients)

    def withdraw(self, caregivers: Sequence[CaregiverId], clients: Sequence[str]) -> None:
        """DELETE each; one the platform no longer holds (404) is withdrawn already."""
        for kind, ids in (("caregivers", caregivers), ("clients", clients)):
            for identifier in ids:
                self._http.request("DELETE", _path("v1", kind, identifier), missing_ok=True)

    def push_planning(self, planning: PlanningPush) -> None:
        path = _path("v1", "plannings", planning.caregiver_id)
        self._http.request("PUT", path, wire_planning.planning_json(planning))

    def push_messages(self, messages: Sequence[Message]) -> None:
        for message in messages:
            if not message.from_office:
                raise InvalidInput(
                    Text("only office messages go to the phones"),
                    field="direction",
                    text=message.id,
                )
        for message in messages:
            self._http.request(
                "PUT", _path("v1", "messages", message.id), wire_messages.message_json(message)
            )

    def push_emergency_numbers(self, numbers: Sequence[EmergencyNumber]) -> None:
        check_emergency_numbers(tuple(numbers))
        body = {"numbers": [wire_messages.emergency_number_json(number) for number in numbers]}
        self._http.request("PUT", "v1/emergency-numbers", body)

    def block_device(self, device_id: DeviceId, reason: LossKind) -> None:
        loss = member_of(LossKind, reason, "reason")
        self._http.request(
            "POST",
            _path("v1", "devices", device_id, "block"),
            {"reason": str(loss)},
            headers={"Idempotency-Key": f"block-{device_id}"},
        )

    def pull(self, cursor: str | None = None) -> Inbound:
        """Every page after ``cursor`` until the server has no more, at most ``max_pages``
        of them; see the module."""
        items: list[wire.InboundItem] = []
        for _ in range(self._settings.max_pages):
            page = self._page(cursor)
            items.extend(page.items)
            if not page.more:
                return wire.inbound(page.cursor, items)
            if page.cursor == cursor:
                raise InvalidInput(
                    Text("more items, but the cursor did not move"),
                    source=self.name,
                    field="cursor",
                )
            cursor = page.cursor
        log.warning(
            "%s: stopped after %d pages (max_pages) with more items waiting; "
            "the next pull goes on from there",
            self.name,
            self._settings.max_pages,
        )
        return wire.inbound(page.cursor, items)

    # -- HTTP --------------------------------------------------------------------------

    def _page(self, cursor: str | None) -> wire.Page:
        params = {"limit": str(self._settings.page_size)}
        if cursor is not None:
            params["after"] = cursor
        reply = self._http.request("GET", "v1/inbound", params=params)
        try:
            data = limits.read_json(reply.content, limit=limits.MAX_ANSWER_BYTES)
            return wire.page_from(data)
        except InvalidInput as error:
            raise error.located(source=self.name) from None
