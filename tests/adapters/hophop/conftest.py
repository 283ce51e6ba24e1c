"""A real reference HopHop on loopback and clients that talk to it; a daycare on a real
SQLite file, linked and synced through them; the webhook receiver served by uvicorn."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from caredomain import Actor, FixedClock, Organisation
from caredomain.hours import TimeRange
from caredomain.organisation import ConfigurationId
from caredomain.pickup import AccountSettings, Child, Group, Installation, Parent
from caredomain.pickup.services import link_account, set_up_daycare, sync_hophop
from caredomain.secret import Secret
from caredomain.services import ServiceContext, configure_organisation
from caredomain_hophop import HopHopClient, HopHopSettings
from caredomain_hophop.reference import HopHopServer
from caredomain_sqlite import SqliteStore

API_TOKEN = "partner-token-Hq7Lm2Xc"
WEBHOOK_SECRET = "whsec-Kp4Tn8Rw2Zb6"
PASSWORD = "mot-de-passe-Vd3"
MONTREAL = ZoneInfo("America/Toronto")
DAYCARE = "cpe-soleil"
ADMIN = Actor.administrator("direction", "Direction du CPE", configuration=ConfigurationId(DAYCARE))
WINDOW = AccountSettings(timedelta(minutes=5), TimeRange.parse("15h30-18h00"))


def at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2027, 3, 2, hours, minutes, tzinfo=MONTREAL)


@pytest.fixture
def server() -> Iterator[HopHopServer]:
    with HopHopServer(api_token=API_TOKEN) as running:
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    """The pauses the clients took between tries (they do not really sleep)."""
    return []


@pytest.fixture
def make_client(server: HopHopServer, sleeps: list[float]) -> Iterator[Callable[..., HopHopClient]]:
    """``make_client(**settings)``: a client of ``server`` (3 tries, 10 ms first pause)."""
    made: list[HopHopClient] = []

    def make(**overrides: Any) -> HopHopClient:
        values: dict[str, Any] = {
            "url": server.url,
            "token": Secret(API_TOKEN),
            "timeout": 2.0,
            "attempts": 3,
            "backoff": 0.01,
        }
        values.update(overrides)
        client = HopHopClient(HopHopSettings(**values), sleep=sleeps.append)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., HopHopClient]) -> HopHopClient:
    return make_client()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at("15:00"))


@pytest.fixture
def daycare(tmp_path: Path, clock: FixedClock, client: HopHopClient) -> Iterator[ServiceContext]:
    """A Québec daycare with one installation, linked to the reference HopHop and synced
    through the client: Léa (parents Marie and Paul) and Max (parent Paul)."""
    counter = itertools.count()
    with SqliteStore(tmp_path / "daycare.db") as store:
        context = ServiceContext(store, clock=clock, new_id=lambda: f"id{next(counter)}")
        configure_organisation(context, ADMIN, Organisation(DAYCARE, "CPE Soleil", zone=MONTREAL))
        set_up_daycare(
            context,
            ADMIN,
            DAYCARE,
            installations=[Installation("site-1", "Installation 1", "CPE Soleil")],
            groups=[Group("poussins", "site-1", "Poussins"), Group("lutins", "site-1", "Lutins")],
            parents=[
                Parent("marie", "Marie", "Tremblay", "marie@example.ca", activated=True),
                Parent("paul", "Paul", "Gagnon", "paul@example.ca"),
            ],
            children=[
                Child("lea", "Léa", "Tremblay", "site-1", "poussins", frozenset({"marie", "paul"})),
                Child("max", "Max", "Gagnon", "site-1", "lutins", frozenset({"paul"})),
            ],
        )
        account = link_account(
            context,
            ADMIN,
            DAYCARE,
            "site-1",
            email="soleil@hophop.ca",
            password=Secret(PASSWORD),
            platform=client,
            create=True,
            settings=WINDOW,
        )
        assert account.problem is None
        sync_hophop(context, ADMIN, DAYCARE, client)
        yield context


class Uvicorn:
    """An ASGI application served by uvicorn on 127.0.0.1 in a thread of its own."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", ws="none"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        (listening,) = self._server.servers
        port = listening.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


Send = Callable[..., Any]


@pytest.fixture
def webhook(daycare: ServiceContext, clock: FixedClock) -> Iterator[Send]:
    """``webhook(event, **how)``: POST ``event`` (a dict, or ``raw`` bytes) to the receiver
    served by uvicorn for the daycare, signed with the webhook secret at the clock's time
    unless ``timestamp``, ``secret`` or ``signature`` (text or raw bytes) say otherwise; the
    httpx response. ``webhook.base`` is the receiver's base URL, for raw sockets."""
    import httpx

    from caredomain_hophop.signature import HEADER, sign
    from caredomain_hophop.webhooks import create_app

    app = create_app(daycare, Secret(WEBHOOK_SECRET))
    with Uvicorn(app) as base, httpx.Client(base_url=base, timeout=5.0) as http:

        def send(
            event: Any = None,
            *,
            raw: bytes | None = None,
            timestamp: int | None = None,
            secret: str = WEBHOOK_SECRET,
            signature: str | bytes | None = None,
            organisation: str = DAYCARE,
        ) -> httpx.Response:
            import json

            body = raw if raw is not None else json.dumps(event).encode("utf-8")
            when = int(clock.now().timestamp()) if timestamp is None else timestamp
            header = signature if signature is not None else sign(Secret(secret), when, body)
            return http.post(
                f"/organisations/{organisation}/hophop",
                content=body,
                headers={HEADER: header, "Content-Type": "application/json"},
            )

        send.base = base  # type: ignore[attr-defined]  # for raw sockets
        yield send
