"""Sending a batch through a :class:`~caredomain.notifications.ports.Connection`: what the senders'
``send`` shares, so that a batch sent directly behaves as the dispatcher's offers do."""

from __future__ import annotations

from collections.abc import Sequence

from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain.notifications.ports import Connection

__all__ = ["send_through"]


def send_through(connection: Connection, messages: Sequence[OutboundMessage]) -> list[SendResult]:
    """One result per message, in order: each offered in turn until the connection fails;
    those after it are not offered."""
    results: list[SendResult] = []
    lost: SendResult | None = None
    try:
        for message in messages:
            if lost is not None:
                detail = f"not offered: {lost.detail}"
                results.append(SendResult(message.key, SendStatus.TRANSIENT, detail, False))
                continue
            result = connection.offer(message)
            lost = result if result.connection_lost else None
            results.append(result)
    finally:
        connection.close()
    return results
