"""The HopHop client against a hostile HopHop: a real HTTP server on loopback
(:mod:`caredomain_http.crafted`) that answers each call with whatever a test crafts —
any status, mutated answers, any JSON, any bytes, too much, too deep, too late, a byte at a
time, nothing at all, or the client's own secrets echoed back. Every call gives a valid
result or a caredomain error naming HopHop, never another exception; no error shows the API
token or the account's password; a refusal that retrying cannot mend is asked once."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredomain.errors import CareDomainError, InvalidInput
from caredomain.pickup import HopHopAccount, LinkProblem
from caredomain.pickup.pickups import ArrivalMode, Pickup
from caredomain.pickup.sync import SyncDiff, SyncedChild, SyncedParent
from caredomain.testing.hostile import json_values, mutated
from caredomain_hophop import HopHopClient, HopHopSettings, HopHopUnavailable, Secret
from caredomain_hophop.client import PASSWORD_HEADER
from caredomain_hophop.wire import MAX_ANSWER_BYTES
from caredomain_http.crafted import Answer, Crafted, crafted_server

API_TOKEN = "partner-token-Hq7Lm2Xc"
PASSWORD = "mot-de-passe-Vd3"
SECRETS = (API_TOKEN, PASSWORD)
ACCOUNT = HopHopAccount("site-1", "soleil@hophop.ca")
MARIE = SyncedParent("Tremblay", "Marie", "marie@example.ca")
LEA = SyncedChild("lea", "Tremblay", "Léa", "CPE Soleil", "CPE Soleil", True, (MARIE,))


def _pickup() -> Pickup:
    from datetime import UTC, datetime, timedelta

    now = datetime(2027, 3, 2, 21, 0, tzinfo=UTC)
    return Pickup(
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


PICKUP = _pickup()
CALLS: dict[str, Callable[[HopHopClient], object]] = {
    "link": lambda client: client.link(ACCOUNT, Secret(PASSWORD), create=True),
    "push": lambda client: client.push(ACCOUNT, SyncDiff(added=(LEA,))),
    "tell_ready": lambda client: client.tell_ready(ACCOUNT, PICKUP),
    "resend_activation": lambda client: client.resend_activation(ACCOUNT, MARIE),
}
DIGITS = b"1" * 5000


@pytest.fixture(scope="module")
def crafted() -> Iterator[Any]:
    with crafted_server() as server:
        yield server


def _client(crafted: Crafted, **overrides: Any) -> HopHopClient:
    values: dict[str, Any] = {
        "url": crafted.url,
        "token": Secret(API_TOKEN),
        "timeout": 5.0,
        "attempts": 1,
    }
    values.update(overrides)
    return HopHopClient(HopHopSettings(**values), sleep=lambda _: None)


@pytest.fixture(scope="module")
def client(crafted: Crafted) -> Iterator[HopHopClient]:
    """One try a call: what the campaign's answers do to a single exchange."""
    with _client(crafted) as made:
        yield made


@pytest.fixture(scope="module")
def retrying(crafted: Crafted) -> Iterator[HopHopClient]:
    """Three tries a call (not really sleeping between): which answers are retried."""
    with _client(crafted, attempts=3) as made:
        yield made


def outcome(client: HopHopClient, call: str) -> object:
    """The call's result, or the caredomain error it raised — checked to name HopHop, be
    short and show no secret; anything else fails the test."""
    try:
        return CALLS[call](client)
    except CareDomainError as raised:
        error = raised
    shown = f"{error}\n{error!r}"
    assert client.name in shown, shown
    assert len(str(error)) < 600, shown
    for secret in SECRETS:
        assert secret not in shown
    if isinstance(error, InvalidInput):
        assert error.source == client.name
    return error


def refused(client: HopHopClient, call: str = "link") -> CareDomainError:
    result = outcome(client, call)
    assert isinstance(result, CareDomainError), result
    return result


# -- each case of the campaign -------------------------------------------------------


@pytest.mark.parametrize("call", CALLS)
def test_a_valid_answer_gives_the_result(crafted: Crafted, client: HopHopClient, call: str) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}'))
    assert outcome(client, call) is None
    assert crafted.asked == 1


def test_each_link_result_is_read(crafted: Crafted, client: HopHopClient) -> None:
    for result, problem in [
        ("ok", None),
        ("bad-credentials", LinkProblem.BAD_CREDENTIALS),
        ("email-taken", LinkProblem.EMAIL_TAKEN),
    ]:
        crafted.serve(Answer(200, json.dumps({"result": result, "extra": [1]}).encode()))
        assert outcome(client, "link") is problem


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"result": ' + DIGITS + b"}", "more than 32 characters"),
        (b'{"result": 1e999}', "not a finite number"),
        (b'{"result": NaN}', "not a finite number"),
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper"),
        (b'{"result": "\xffok"}', "not UTF-8"),
        (b"\xef\xbb\xbf" + b'{"result": "ok"}', "not JSON"),
        (b"<html>ok</html>", "not JSON"),
        (b"", "not JSON"),
        (b'{"result": "ok"} trailing', "not JSON"),
        (b'"ok"', "expected a JSON object"),
        (b'{"result": "\\ud800"}', "lone surrogate"),
        (b'{"result": "' + b"o" * 10_000 + b'"}', "longer than 40 characters"),
    ],
)
def test_an_unreadable_link_answer_is_refused_naming_hophop(
    crafted: Crafted, client: HopHopClient, body: bytes, says: str
) -> None:
    crafted.serve(Answer(200, body))
    error = refused(client)
    assert isinstance(error, InvalidInput)
    assert says in error.message


def test_an_answer_larger_than_the_bound_is_refused(crafted: Crafted, client: HopHopClient) -> None:
    crafted.serve(Answer(200, b" " * (MAX_ANSWER_BYTES + 1)))
    for call in CALLS:
        error = refused(client, call)
        assert isinstance(error, InvalidInput)
        assert "larger than" in error.message


def test_a_compressed_answer_is_bounded_once_inflated(
    crafted: Crafted, client: HopHopClient
) -> None:
    bomb = gzip.compress(b" " * (MAX_ANSWER_BYTES * 4))
    crafted.serve(Answer(200, bomb, {"Content-Encoding": "gzip"}))
    error = refused(client)
    assert isinstance(error, InvalidInput)
    assert "larger than" in error.message


def test_a_corrupt_compressed_answer_is_a_caredomain_error(
    crafted: Crafted, client: HopHopClient
) -> None:
    crafted.serve(Answer(200, b"not gzip at all", {"Content-Encoding": "gzip"}))
    refused(client)


def test_a_content_length_longer_than_the_body_is_a_caredomain_error(
    crafted: Crafted, client: HopHopClient
) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}', {"Content-Length": "1000"}))
    refused(client)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_not_followed(
    crafted: Crafted, retrying: HopHopClient, status: int
) -> None:
    crafted.serve(Answer(status, b"", {"Location": crafted.url + "elsewhere"}))
    error = refused(retrying)
    assert "redirect" in str(error)
    assert crafted.asked == 1
    assert [seen.path for seen in crafted.seen] == ["/v1/accounts/link"]


def test_a_server_that_closes_without_answering_is_unavailable(
    crafted: Crafted, retrying: HopHopClient
) -> None:
    crafted.serve(Answer(drop=True))
    error = refused(retrying, "push")
    assert isinstance(error, HopHopUnavailable)
    assert "unreachable" in str(error)
    assert crafted.asked == 3


@pytest.mark.parametrize("raw", [b"garbage\r\n\r\n", b"HTTP/1.1 abc OK\r\n\r\n", b"\x00" * 64])
def test_a_malformed_status_line_is_unavailable(
    crafted: Crafted, retrying: HopHopClient, raw: bytes
) -> None:
    crafted.serve(Answer(raw=raw))
    assert isinstance(refused(retrying, "tell_ready"), HopHopUnavailable)


def test_a_server_slower_than_the_timeout_is_unavailable(crafted: Crafted) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}', delay=3.0))
    with _client(crafted, timeout=0.2, attempts=2) as client:
        error = refused(client)
    assert isinstance(error, HopHopUnavailable)
    assert "no answer within 0.2 s" in str(error)
    assert crafted.asked == 2


def test_an_answer_trickled_past_the_timeout_is_unavailable(crafted: Crafted) -> None:
    """Each byte within the timeout, the whole answer far beyond it: a per-read timeout
    alone would wait as long as the server pleases."""
    crafted.serve(Answer(200, b'{"result": "ok"}    ', trickle=0.1))
    with _client(crafted, timeout=0.3) as client:
        error = refused(client)
    assert isinstance(error, HopHopUnavailable)
    assert "no answer within 0.3 s" in str(error)


# -- secrets echoed back ---------------------------------------------------------------


ECHOES = [
    json.dumps({"error": {"message": f"refused: Authorization: Bearer {API_TOKEN}"}}).encode(),
    json.dumps({"error": {"message": f"{PASSWORD_HEADER}: {PASSWORD} is wrong"}}).encode(),
    f"Authorization: Bearer {API_TOKEN}\n{PASSWORD_HEADER}: {PASSWORD}".encode(),
    # cut at 200 characters in the middle of the secret: no part of it may show
    json.dumps({"error": {"message": "x" * 190 + f"Bearer {API_TOKEN}"}}).encode(),
    json.dumps({"error": {"message": "x" * 195 + PASSWORD}}).encode(),
    ("y" * 193 + f"Bearer {API_TOKEN}").encode(),
]


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 503])
@pytest.mark.parametrize("body", ECHOES)
def test_a_server_echoing_the_secrets_does_not_put_them_in_an_error(
    crafted: Crafted,
    client: HopHopClient,
    status: int,
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    crafted.serve(Answer(status, body))
    error = refused(client, "link")
    shown = f"{error}{error!r}{caplog.text}"
    for secret in SECRETS:
        for start in range(len(secret) - 3):  # nor 4 characters of it in a row
            assert secret[start : start + 4] not in shown.replace("***", ""), shown


def test_a_reason_phrase_echoing_the_token_does_not_show_it(
    crafted: Crafted, client: HopHopClient
) -> None:
    crafted.serve(Answer(400, b"", reason="x" * 186 + f" Bearer {API_TOKEN}"))
    error = refused(client, "push")
    assert API_TOKEN[:4] not in str(error)


def test_an_accented_password_echoed_as_json_escapes_is_scrubbed_before_the_cut(
    crafted: Crafted, client: HopHopClient
) -> None:
    password = "mot-de-passé-Kw7"
    echoed = json.dumps({"error": {"message": "x" * 192 + password}})  # "pass\u00e9"
    assert "\\u00e9" in echoed
    crafted.serve(Answer(401, echoed.encode()))
    with pytest.raises(CareDomainError) as refused_:
        client.link(ACCOUNT, Secret(password), create=False)
    assert "mot-de" not in str(refused_.value)


def test_the_secrets_travel_in_their_headers_only(crafted: Crafted, client: HopHopClient) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}'))
    outcome(client, "link")
    (seen,) = crafted.seen
    assert seen.headers["Authorization"] == f"Bearer {API_TOKEN}"
    assert seen.headers[PASSWORD_HEADER] == PASSWORD
    assert PASSWORD not in seen.path + seen.body.decode()
    assert API_TOKEN not in seen.path + seen.body.decode()


# -- the account's password, as the daycare types it ------------------------------------


def test_a_password_with_accents_is_sent_as_utf8(crafted: Crafted, client: HopHopClient) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}'))
    assert client.link(ACCOUNT, Secret("mot-de-passé-Ü"), create=False) is None
    (seen,) = crafted.seen
    sent = seen.headers[PASSWORD_HEADER].encode("latin-1")  # as http.server read it
    assert sent.decode("utf-8") == "mot-de-passé-Ü"


@pytest.mark.parametrize("password", ["pw\r\nX-Evil: 1", "pw\nzz-9", "pw\x00zz-9", "pw\x7fzz-9"])
def test_a_password_with_control_characters_is_refused_unsent_and_unshown(
    crafted: Crafted, retrying: HopHopClient, password: str, caplog: pytest.LogCaptureFixture
) -> None:
    crafted.serve(Answer(200, b'{"result": "ok"}'))
    with pytest.raises(InvalidInput) as refused_:
        retrying.link(ACCOUNT, Secret(password), create=True)
    assert refused_.value.field == "password"
    assert crafted.asked == 0
    shown = f"{refused_.value}{refused_.value!r}{caplog.text}"
    assert "zz-9" not in shown
    assert "X-Evil" not in shown


@pytest.mark.parametrize("token", ["tok\r\nen-1234", "tok\x00en-1234", "tokén-1234"])
def test_a_token_that_cannot_travel_in_a_header_is_refused_by_the_settings(token: str) -> None:
    with pytest.raises(InvalidInput) as refused_:
        HopHopSettings(url="https://hophop.example", token=Secret(token))
    assert refused_.value.field == "token"
    assert "en-1234" not in f"{refused_.value}{refused_.value!r}"
    with pytest.raises(InvalidInput) as read:
        HopHopSettings.from_mapping({"url": "https://hophop.example", "token": token})
    assert read.value.field == "token"


# -- properties ------------------------------------------------------------------------


QUICK = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BODIES = st.binary(max_size=120) | json_values.map(
    lambda value: json.dumps(value).encode("utf-8", "surrogatepass")
)


@QUICK
@given(call=st.sampled_from(list(CALLS)), status=st.integers(100, 999), body=BODIES)
def test_any_status_gives_a_result_or_a_caredomain_error(
    crafted: Crafted, retrying: HopHopClient, call: str, status: int, body: bytes
) -> None:
    crafted.serve(Answer(status, body))
    result = outcome(retrying, call)
    if 200 <= status < 300:
        assert crafted.asked == 1
    elif 300 <= status < 600 and status != 429 and status < 500:
        assert isinstance(result, CareDomainError)
        assert not isinstance(result, HopHopUnavailable)
        assert crafted.asked == 1  # not retried: asking again gets the same refusal
    elif status == 429 or status >= 500:
        assert isinstance(result, HopHopUnavailable)
        assert crafted.asked == 3


@settings(QUICK, max_examples=25)
@given(
    status=st.sampled_from([429, 500, 503]),
    retry_after=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40)
    | st.sampled_from(["nan", "-inf", "1e400", "-5", "0x10", "Wed, 21 Oct 2015 07:28:00 GMT"]),
)
def test_any_retry_after_gives_a_pause_within_the_bound(
    crafted: Crafted, status: int, retry_after: str
) -> None:
    sleeps: list[float] = []
    crafted.serve(Answer(status, b"{}", {"Retry-After": retry_after.strip() or "1"}))
    settings_ = HopHopSettings(
        url=crafted.url, token=Secret(API_TOKEN), attempts=3, backoff=0.01, max_backoff=2.0
    )
    with HopHopClient(settings_, sleep=sleeps.append) as client:
        assert isinstance(outcome(client, "push"), HopHopUnavailable)
    assert len(sleeps) == 2
    assert all(0.0 <= pause <= 2.0 for pause in sleeps), sleeps


@settings(QUICK, max_examples=150)
@given(body=mutated({"result": "ok"}) | mutated({"result": "email-taken"}))
def test_any_mutated_link_answer_is_read_or_refused(
    crafted: Crafted, client: HopHopClient, body: Any
) -> None:
    crafted.serve(Answer(200, json.dumps(body).encode("utf-8", "surrogatepass")))
    result = outcome(client, "link")
    assert result is None or isinstance(result, LinkProblem | InvalidInput)


@QUICK
@given(body=json_values)
def test_any_json_answer_is_read_or_refused(
    crafted: Crafted, client: HopHopClient, body: Any
) -> None:
    crafted.serve(Answer(200, json.dumps(body).encode("utf-8", "surrogatepass")))
    result = outcome(client, "link")
    assert result is None or isinstance(result, LinkProblem | InvalidInput)


@QUICK
@given(body=st.binary(max_size=200))
def test_any_bytes_are_read_or_refused(crafted: Crafted, client: HopHopClient, body: bytes) -> None:
    crafted.serve(Answer(200, body))
    result = outcome(client, "link")
    assert result is None or isinstance(result, LinkProblem | InvalidInput)


@QUICK
@given(
    status=st.sampled_from([400, 401, 403, 404, 409, 422, 429, 500, 503]),
    prefix=st.text(max_size=220),
    echo=st.tuples(st.sampled_from(SECRETS), st.sampled_from(["json", "text"])),
)
def test_a_secret_echoed_anywhere_in_an_error_never_shows(
    crafted: Crafted, client: HopHopClient, status: int, prefix: str, echo: tuple[str, str]
) -> None:
    secret, form = echo
    message = prefix + secret + " end"
    body = json.dumps({"error": {"message": message}}) if form == "json" else message
    crafted.serve(Answer(status, body.encode("utf-8", "surrogatepass")))
    error = refused(client, "link")
    assert secret[:6] not in str(error).replace("***", "") or secret[:6] in prefix
