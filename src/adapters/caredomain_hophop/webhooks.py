"""HopHop's webhooks, received: an ASGI application built with Starlette
(``pip install 'caredomain[hophop]'``), imported only when an application is built, so that
the plugin loads without Starlette.

``POST /organisations/{organisation}/hophop`` takes one event (``docs/hophop.md``):

1. its body is read up to ``max_body`` bytes (413 beyond, without reading the rest);
2. its ``X-HopHop-Signature`` must sign it with the webhook secret, within the replay window
   of the context's clock (:mod:`caredomain_hophop.signature`: 400 malformed, 401 wrong,
   replayed or from the future);
3. the event is read whole (:func:`caredomain_hophop.wire.event_from`): a malformed one is
   400 naming the field's path, and nothing is applied;
4. it is applied through the pickup use cases as :data:`~caredomain.pickup.services.HOPHOP_ACTOR`,
   its id as the ``inbound_id``: the same event delivered twice is applied once (and
   answered 200 both times); another event under an id already applied is 409
   ``pickup.inbound_reused`` (field ``id``), and nothing of it is applied. The parent is the
   one the daycare knows by the e-mail the event names.

A domain refusal (:class:`~caredomain.errors.RuleViolation`) is 422 with its code and
message; an unknown parent, child or organisation 404; a lost race 409 (HopHop retries).
Every answer is JSON: ``{"id", "type", "result"}``, or ``{"error": {"code", "message",
"field"}}``. The use cases run in a worker thread, not on the event loop.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from caredomain.errors import (
    CareDomainError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from caredomain.pickup.inbound import InboundReused
from caredomain.pickup.model import ChildId
from caredomain.pickup.services import (
    HOPHOP_ACTOR,
    announce_pickup,
    cancel_pickups,
    hophop_parent,
    parent_photo_changed,
    report_position,
)
from caredomain.secret import Secret
from caredomain.services.context import ServiceContext
from caredomain.text import Text
from caredomain_hophop import wire
from caredomain_hophop.settings import HopHopSettings
from caredomain_hophop.signature import HEADER, REPLAY_WINDOW, SignatureRefused, verify

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.types import ASGIApp

__all__ = ["MAX_BODY", "PATH", "apply", "create_app", "webhook_app"]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
"""The largest webhook body read: 64 KiB (an event is a few hundred bytes)."""
PATH = "/organisations/{organisation}/hophop"


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code)
        self.status = status
        self.body = wire.error_json(code, message, field)


def apply(context: ServiceContext, organisation: str, event: wire.InboundEvent) -> dict[str, Any]:
    """Apply one event through the use cases, once per event id; what the answer says."""
    parent = hophop_parent(context, HOPHOP_ACTOR, organisation, event.parent_email)
    match event:
        case wire.Announced():
            done = announce_pickup(
                context,
                HOPHOP_ACTOR,
                organisation,
                inbound_id=event.id,
                parent=parent,
                children=event.children,
                at=event.at,
                arrival=event.arrival,
                travel=event.gps.travel if event.gps else None,
                position=event.gps.position if event.gps else None,
            )
            return {
                "pickups": [pickup.id for pickup in done.pickups],
                "unmatched": list(done.unmatched),
            }
        case wire.PositionUpdated():
            events = report_position(
                context,
                HOPHOP_ACTOR,
                organisation,
                inbound_id=event.id,
                parent=parent,
                at=event.at,
                position=event.gps.position,
                travel=event.gps.travel,
            )
            return {"events": [e.kind for e in events]}
        case wire.Cancelled():
            events = cancel_pickups(
                context, HOPHOP_ACTOR, organisation, inbound_id=event.id, parent=parent, at=event.at
            )
            return {"events": [e.kind for e in events]}
        case wire.PhotoChanged():
            parent_photo_changed(
                context,
                HOPHOP_ACTOR,
                organisation,
                inbound_id=event.id,
                parent=parent,
                children=[ChildId(reference) for reference in event.children],
            )
            return {"awaiting_approval": list(event.children)}


_STATUSES: tuple[tuple[type[CareDomainError], int, str], ...] = (
    (NotFound, 404, "not_found"),
    (Forbidden, 403, "forbidden"),
    (Conflict, 409, "conflict"),
)


def _shown(text: str, most: int = 300) -> str:
    """``text`` as an answer and a log line may show it: control characters escaped (a
    message may echo what the sender wrote), cut to ``most`` characters."""
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return shown if len(shown) <= most else shown[: most - 1] + "…"


def _refusal(error: CareDomainError) -> _Refusal:
    if isinstance(error, SignatureRefused):
        return _Refusal(error.status, error.code, _shown(error.message))
    if isinstance(error, InvalidInput):
        return _Refusal(400, "invalid", _shown(str(error)), error.field)
    if isinstance(error, InboundReused):
        return _Refusal(409, error.code, _shown(error.message), "id")
    if isinstance(error, RuleViolation):
        return _Refusal(422, error.code, _shown(error.message))
    for kind, status, code in _STATUSES:
        if isinstance(error, kind):
            return _Refusal(status, code, _shown(str(error)))
    return _Refusal(500, "internal", _shown(str(error)))


def create_app(
    context: ServiceContext,
    secret: Secret,
    *,
    window: timedelta = REPLAY_WINDOW,
    max_body: int = MAX_BODY,
) -> ASGIApp:
    """The webhook receiver applying events to ``context``'s store, checking signatures
    with ``secret`` within ``window`` of ``context.clock``."""
    if not isinstance(secret, Secret) or not secret.reveal().strip():
        raise InvalidInput(Text("the webhook secret is required"), field="webhook_secret")
    try:
        from starlette.applications import Starlette
        from starlette.concurrency import run_in_threadpool
        from starlette.exceptions import HTTPException
        from starlette.requests import ClientDisconnect
        from starlette.responses import JSONResponse
        from starlette.routing import Route
    except ImportError:
        raise CareDomainError(
            Text("HopHop's webhooks need Starlette: pip install 'caredomain[hophop]'")
        ) from None

    async def body_of(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > max_body:
            raise _Refusal(413, "too_large", Text("a body is at most {n} bytes", n=max_body))
        body = bytearray()
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_body:
                    raise _Refusal(
                        413, "too_large", Text("a body is at most {n} bytes", n=max_body)
                    )
        except ClientDisconnect:  # before the end of the body its headers announced
            log.info("HopHop webhook: the sender hung up before the end of its body")
            raise _Refusal(
                400, "incomplete_body", Text("the sender hung up before the end of its body")
            ) from None
        return bytes(body)

    async def receive(request: Request) -> JSONResponse:
        organisation = str(request.path_params["organisation"])
        try:
            body = await body_of(request)
            verify(request.headers.get(HEADER), body, secret, context.clock.now(), window)
            event = wire.event_from(wire.read_json(body, limit=max_body))
            result = await run_in_threadpool(apply, context, organisation, event)
        except _Refusal as refused:
            return _answer(refused)
        except CareDomainError as error:
            refusal = _refusal(error)
            log.log(
                logging.ERROR if refusal.status >= 500 else logging.INFO,
                "HopHop webhook for %s refused %d: %s",
                _shown(organisation),
                refusal.status,
                refusal.body["error"]["message"],
            )
            return _answer(refusal)
        except Exception:
            log.exception("HopHop webhook for %s failed", _shown(organisation))
            return _answer(_Refusal(500, "internal", Text("internal error")))
        return JSONResponse({"id": event.id, "type": _type(event), "result": result})

    def _answer(refused: _Refusal) -> JSONResponse:
        return JSONResponse(refused.body, status_code=refused.status)

    async def http_error(request: Request, error: Exception) -> JSONResponse:
        status = error.status_code if isinstance(error, HTTPException) else 500
        headers = error.headers if isinstance(error, HTTPException) else None
        code = {404: "not_found", 405: "method"}.get(status, "error")
        message = error.detail if isinstance(error, HTTPException) else "internal error"
        return JSONResponse(wire.error_json(code, message), status_code=status, headers=headers)

    return Starlette(
        routes=[Route(PATH, receive, methods=["POST"])],
        exception_handlers={HTTPException: http_error},
    )


def webhook_app(context: ServiceContext, settings: HopHopSettings) -> ASGIApp:
    """:func:`create_app` with the settings' webhook secret, which is required here."""
    if settings.webhook_secret is None:
        raise InvalidInput(
            Text("HopHop's webhooks need the webhook secret"), field="webhook_secret"
        )
    return create_app(context, settings.webhook_secret)


def _type(event: wire.InboundEvent) -> str:
    match event:
        case wire.Announced():
            return wire.ANNOUNCED
        case wire.PositionUpdated():
            return wire.POSITION
        case wire.Cancelled():
            return wire.CANCELLED
        case wire.PhotoChanged():
            return wire.PHOTO_CHANGED
