"""A real Penbase reference server on loopback, and office clients that talk to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from caredomain import FixedClock
from caredomain_penbase import PenbaseClient, PenbaseSettings, Secret
from caredomain_penbase.reference import PenbaseServer

OFFICE_TOKEN = "office-token-Zq8xW2vR"
NOW = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[PenbaseServer]:
    with PenbaseServer(office_token=OFFICE_TOKEN, clock=FixedClock(NOW)) as running:
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    """The pauses the clients took between tries (they do not really sleep)."""
    return []


@pytest.fixture
def make_client(
    server: PenbaseServer, sleeps: list[float]
) -> Iterator[Callable[..., PenbaseClient]]:
    """``make_client(**settings)``: a client of ``server`` (3 tries, 10 ms first pause)."""
    made: list[PenbaseClient] = []

    def make(**overrides: Any) -> PenbaseClient:
        values: dict[str, Any] = {
            "url": server.url,
            "token": Secret(OFFICE_TOKEN),
            "timeout": 2.0,
            "attempts": 3,
            "backoff": 0.01,
        }
        values.update(overrides)
        client = PenbaseClient(PenbaseSettings(**values), sleep=sleeps.append)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., PenbaseClient]) -> PenbaseClient:
    return make_client()
