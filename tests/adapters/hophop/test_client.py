"""The client against the reference HopHop over real HTTP on loopback: the account link,
the roster push read back, "ready", the activation e-mail; retries and giving up; the
settings and the plugin."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points

import httpx
import pytest

from caredomain.errors import Conflict, Forbidden, InvalidInput
from caredomain.pickup import HopHopAccount, LinkProblem
from caredomain.pickup.pickups import ArrivalMode, Pickup
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.plugins import load_plugins
from caredomain.secret import Secret
from caredomain_hophop import HopHopClient, HopHopSettings, HopHopUnavailable
from caredomain_hophop.reference import HopHopServer, Ready

API_TOKEN = "partner-token-Hq7Lm2Xc"
PASSWORD = "mot-de-passe-Vd3"
ACCOUNT = HopHopAccount("site-1", "soleil@hophop.ca")
MARIE = SyncedParent("Tremblay", "Marie", "marie@example.ca")
LEA = SyncedChild("lea", "Tremblay", "Léa", "CPE Soleil", "CPE Soleil", True, (MARIE,))
MAX = SyncedChild("max", "Gagnon", "Max", "CPE Soleil", "CPE Soleil", True, ())


def _linked(client: HopHopClient) -> None:
    assert client.link(ACCOUNT, Secret(PASSWORD), create=True) is None


def test_link_creates_an_account_then_links_with_its_credentials(
    client: HopHopClient, server: HopHopServer
) -> None:
    assert client.link(ACCOUNT, Secret(PASSWORD), create=True) is None
    assert server.linked(ACCOUNT.email)
    assert client.link(ACCOUNT, Secret(PASSWORD), create=False) is None


def test_link_with_an_account_hophop_made_itself(
    client: HopHopClient, server: HopHopServer
) -> None:
    server.add_account("cpe@hophop.ca", "donne-par-hophop")
    account = HopHopAccount("site-2", "cpe@hophop.ca")
    assert client.link(account, Secret("donne-par-hophop"), create=False) is None


def test_bad_credentials_make_the_link_red(client: HopHopClient, server: HopHopServer) -> None:
    _linked(client)
    assert client.link(ACCOUNT, Secret("wrong"), create=False) is LinkProblem.BAD_CREDENTIALS
    unknown = HopHopAccount("site-2", "nobody@hophop.ca")
    assert client.link(unknown, Secret(PASSWORD), create=False) is LinkProblem.BAD_CREDENTIALS


def test_an_email_taken_by_another_installation_makes_the_link_red(
    client: HopHopClient,
) -> None:
    _linked(client)
    other = HopHopAccount("site-2", ACCOUNT.email)
    assert client.link(other, Secret(PASSWORD), create=True) is LinkProblem.EMAIL_TAKEN


def test_a_push_is_held_as_sent_then_changed_and_removed(
    client: HopHopClient, server: HopHopServer
) -> None:
    _linked(client)
    client.push(ACCOUNT, SyncDiff(added=(LEA, MAX)))
    assert server.held(ACCOUNT.email) == {"lea": LEA, "max": MAX}
    ended = SyncedChild("lea", "Tremblay", "Léa", "CPE Soleil", "CPE Soleil", False, (MARIE,))
    client.push(ACCOUNT, SyncDiff(changed=(ended,), removed=("max",)))
    assert server.held(ACCOUNT.email) == {"lea": ended}
    assert [diff for _, diff in server.pushes] == [
        SyncDiff(added=(LEA, MAX)),
        SyncDiff(changed=(ended,), removed=("max",)),
    ]


def test_ready_tells_the_parent_once_per_pickup(client: HopHopClient, server: HopHopServer) -> None:
    _linked(client)
    now = datetime(2027, 3, 2, 21, 0, tzinfo=UTC)
    pickup = Pickup(
        id="evt-1:lea",
        organisation_id="cpe-soleil",
        child="lea",
        parent="marie",
        installation="site-1",
        mode=ArrivalMode.ETA,
        requested_at=now,
        arrival=now + timedelta(minutes=30),
        preparation=timedelta(minutes=5),
    )
    client.tell_ready(ACCOUNT, pickup)
    client.tell_ready(ACCOUNT, pickup)
    assert server.told_ready == [Ready(ACCOUNT.email, "evt-1:lea", "evt-1", "lea")]


def test_the_activation_email_is_sent_again(client: HopHopClient, server: HopHopServer) -> None:
    _linked(client)
    client.push(ACCOUNT, SyncDiff(added=(LEA,)))
    client.resend_activation(ACCOUNT, MARIE)
    assert server.activation_mails == [MARIE]


def test_calls_for_an_account_not_linked_are_refused(client: HopHopClient) -> None:
    with pytest.raises(Exception, match="no linked account") as refused:
        client.push(ACCOUNT, SyncDiff(added=(LEA,)))
    assert refused.type.__name__ == "NotFound"


def test_a_wrong_api_token_is_forbidden_and_not_shown(
    make_client: Callable[..., HopHopClient],
) -> None:
    client = make_client(token=Secret("not-the-token-Zz9"))
    with pytest.raises(Forbidden) as refused:
        client.link(ACCOUNT, Secret(PASSWORD), create=True)
    assert "not-the-token-Zz9" not in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_a_503_then_a_200_is_retried(
    client: HopHopClient, server: HopHopServer, sleeps: list[float]
) -> None:
    _linked(client)
    server.fail_next(1, 503, retry_after=0.5)
    client.push(ACCOUNT, SyncDiff(added=(LEA,)))
    assert server.held(ACCOUNT.email) == {"lea": LEA}
    assert sleeps == [0.5]  # the server's Retry-After, longer than the first pause


def test_a_retry_after_beyond_the_bound_is_cut_to_it(
    make_client: Callable[..., HopHopClient], server: HopHopServer, sleeps: list[float]
) -> None:
    client = make_client(max_backoff=1.0)
    server.fail_next(2, 429, retry_after=3600)
    _linked(client)
    assert sleeps == [1.0, 1.0]


def test_a_500_forever_gives_up_with_a_clear_error_and_no_secret(
    client: HopHopClient, server: HopHopServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.fail_next(10, 500)
    with caplog.at_level(logging.DEBUG), pytest.raises(HopHopUnavailable) as gave_up:
        client.link(ACCOUNT, Secret(PASSWORD), create=True)
    message = str(gave_up.value)
    assert isinstance(gave_up.value, Conflict)  # the port's "try again later"
    assert message.startswith(f"hophop {server.url}: gave up after 3 tries")
    assert "HTTP 500" in message
    shown = message + repr(client) + caplog.text + repr(client.settings)
    assert API_TOKEN not in shown
    assert PASSWORD not in shown


def test_an_unreachable_hophop_gives_up(
    make_client: Callable[..., HopHopClient], sleeps: list[float]
) -> None:
    client = make_client(url="http://127.0.0.1:9/", attempts=2)
    with pytest.raises(HopHopUnavailable, match="unreachable"):
        client.push(ACCOUNT, SyncDiff(added=(LEA,)))
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    ("content", "field"),
    [(b'{"result": "maybe"}', "result"), (b"<html>", "body"), (b'{"result": 1e999}', "result")],
)
def test_an_unreadable_answer_is_invalid_input(content: bytes, field: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=content))
    settings = HopHopSettings(url="https://hophop.example", token=Secret(API_TOKEN))
    client = HopHopClient(settings, transport=transport)
    with client, pytest.raises(InvalidInput) as refused:
        client.link(ACCOUNT, Secret(PASSWORD), create=True)
    assert refused.value.field == field
    assert refused.value.source == "hophop https://hophop.example/"


def test_the_plugin_is_registered_through_the_entry_point_group() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="caredomain")}
    assert found["caredomain_hophop"] == "caredomain_hophop.plugin"


def test_hook_caredomain_pickup_platforms_offers_hophop(server: HopHopServer) -> None:
    plugins = load_plugins({"CAREDOMAIN_PLUGINS_STRICT": "1"})
    specs = plugins.pickup_platform_specs()
    assert "hophop" in specs
    assert "url" in specs["hophop"].description
    info = {i.name: i.hooks for i in plugins.describe()}
    assert info["caredomain_hophop"] == ("caredomain_pickup_platforms",)
    platform = specs["hophop"].create({"url": server.url, "token": API_TOKEN})
    try:
        assert isinstance(platform, HopHopClient)
        assert platform.name == f"hophop {server.url}"
        assert platform.link(ACCOUNT, Secret(PASSWORD), create=True) is None
    finally:
        platform.close()


def test_the_secrets_come_from_the_variables_the_settings_name() -> None:
    settings = HopHopSettings.from_mapping(
        {"url": "https://hophop.example/api", "token_env": "MY_HOPHOP", "attempts": "5"},
        {"MY_HOPHOP": API_TOKEN, "HOPHOP_WEBHOOK_SECRET": "whsec-123"},
    )
    assert settings.token.reveal() == API_TOKEN
    assert settings.webhook_secret == Secret("whsec-123")
    assert settings.url == "https://hophop.example/api/"
    assert settings.attempts == 5
    assert API_TOKEN not in repr(settings)
    assert "whsec-123" not in repr(settings)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"url": "https://hophop.example"}, "token_env"),
        ({"url": "ftp://hophop.example", "token": "t"}, "url"),
        ({"url": "https://user:pw@hophop.example", "token": "t"}, "url"),
        ({"url": "https://hophop.example?token=t", "token": "t"}, "url"),
        ({"url": "https://hophop.example", "token": "t", "attempts": "0"}, "attempts"),
        ({"url": "https://hophop.example", "token": "t", "timeout": "soon"}, "timeout"),
        ({"url": "https://hophop.example", "token": "t", "max_backoff": "nan"}, "max_backoff"),
        ({"url": "https://hophop.example", "token": "t", "colour": "blue"}, "colour"),
        (
            {"url": "https://hophop.example", "token": "t", "webhook_secret_env": "UNSET"},
            "webhook_secret_env",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        HopHopSettings.from_mapping(settings, {})
    assert refused.value.field == field
    assert "pw" not in str(refused.value)


def test_settings_built_directly_are_checked_too() -> None:
    with pytest.raises(InvalidInput) as refused:
        HopHopSettings(url="https://hophop.example", token=Secret("t"), attempts=0)
    assert refused.value.field == "attempts"


def test_the_plugin_and_the_webhooks_module_load_without_starlette() -> None:
    code = (
        "import sys\n"
        "import caredomain_hophop.plugin, caredomain_hophop.webhooks\n"
        "assert 'starlette' not in sys.modules, 'starlette imported'\n"
        "assert 'uvicorn' not in sys.modules, 'uvicorn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_password_with_accents_links_with_the_reference_hophop(
    client: HopHopClient, server: HopHopServer
) -> None:
    assert client.link(ACCOUNT, Secret("mot-de-passé-Ü"), create=True) is None
    assert client.link(ACCOUNT, Secret("mot-de-passé-Ü"), create=False) is None
    assert (
        client.link(ACCOUNT, Secret("mot-de-passe-U"), create=False) is LinkProblem.BAD_CREDENTIALS
    )
