"""The connection both platform clients share (:mod:`caredomain_http.connection`), against a
hostile server on loopback (:mod:`caredomain_http.crafted`): an exchange ends within its
timeout however the server spaces its bytes, an answer is never inflated beyond its bound,
an encoding that was not asked for or compressed data cut short is refused, and a request
HTTP cannot carry is refused before it is sent, never retried as if the server were away.
Over HTTPS too (a throwaway certificate authority): the server is verified as httpx does,
and the exchange bounded as over plain HTTP."""

from __future__ import annotations

import gzip
import ssl
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from attrs import Factory, frozen

from caredomain.errors import InvalidInput
from caredomain.secret import Secret
from caredomain_http.connection import Connection, Reply, Unavailable, Wire
from caredomain_http.crafted import Answer, Crafted, crafted_server

LIMIT = 1024 * 1024
TOKEN = "platform-token-Zq81"


@frozen
class Settings:
    url: str
    token: Secret = Factory(lambda: Secret(TOKEN))
    timeout: float = 5.0
    connect_timeout: float = 5.0
    attempts: int = 1
    backoff: float = 0.0
    max_backoff: float = 0.0


class Gone(Unavailable):
    pass


WIRE = Wire("platform", LIMIT, lambda reply: (reply.content.decode("latin-1"), None), Gone)


@pytest.fixture(scope="module")
def crafted() -> Iterator[Crafted]:
    with crafted_server() as server:
        yield server


def connection(crafted: Crafted, sleeps: list[float] | None = None, **settings: Any) -> Connection:
    pauses = [] if sleeps is None else sleeps
    return Connection(Settings(crafted.url, **settings), WIRE, sleep=pauses.append)


def ask(crafted: Crafted, answer: Answer, **settings: Any) -> Reply:
    crafted.serve(answer)
    link = connection(crafted, **settings)
    try:
        return link.request("GET", "v1/thing")
    finally:
        link.close()


# -- the deadline -------------------------------------------------------------------------


HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Slow: " + b"a" * 30 + b"\r\n\r\n{}"


def test_a_status_line_and_headers_trickled_past_the_timeout_time_out(crafted: Crafted) -> None:
    """A byte every 50 ms, each well within the 0.4 s timeout, the head in about 3 s:
    httpx's per-read timeout alone waits for all of it. The client gives up at its
    deadline, having let the server trickle about eight bytes."""
    with pytest.raises(Gone, match=r"no answer within 0\.4 s"):
        ask(crafted, Answer(raw=HEAD, trickle=0.05), timeout=0.4)
    assert crafted.trickled < len(HEAD) // 2


def test_a_head_sent_within_the_timeout_is_read(crafted: Crafted) -> None:
    reply = ask(crafted, Answer(raw=HEAD, trickle=0.001), timeout=5.0)
    assert (reply.status, reply.content) == (200, b"{}")


def test_a_connection_kept_alive_is_reused_within_a_new_deadline(crafted: Crafted) -> None:
    crafted.serve(Answer(200, b"{}"))
    link = connection(crafted, timeout=2.0)
    try:
        replies = [link.request("GET", "v1/thing") for _ in range(3)]
    finally:
        link.close()
    assert [reply.status for reply in replies] == [200, 200, 200]


# -- what the answer is encoded as -----------------------------------------------------


def test_the_client_asks_for_gzip_only(crafted: Crafted) -> None:
    ask(crafted, Answer(200, b"{}"))
    assert crafted.seen[0].headers["Accept-Encoding"] == "gzip"


def test_a_gzip_answer_is_read(crafted: Crafted) -> None:
    reply = ask(crafted, Answer(200, gzip.compress(b'{"a": 1}'), {"Content-Encoding": "gzip"}))
    assert reply.content == b'{"a": 1}'


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """64 MiB of spaces in 64 KiB: each chunk read from the network inflates a thousandfold."""
    return gzip.compress(b" " * (64 * LIMIT), compresslevel=9)


def test_a_gzip_bomb_is_never_inflated_beyond_the_bound(crafted: Crafted, bomb: bytes) -> None:
    """Python's allocations while the answer is read stay within a few times the 1 MiB
    bound, where inflating a chunk whole takes tens of megabytes at once."""
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match="larger than") as refused:
            ask(crafted, Answer(200, bomb, {"Content-Encoding": "gzip"}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.field == "GET /v1/thing"
    assert peak < 4 * LIMIT, f"{peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("encoding", ["br", "zstd", "deflate", "compress", "gzip, gzip"])
def test_an_encoding_not_asked_for_is_refused(crafted: Crafted, encoding: str) -> None:
    """Not read as if it were plain: the bytes would mean something else."""
    with pytest.raises(InvalidInput, match="not asked for") as refused:
        ask(crafted, Answer(200, b'{"a": 1}', {"Content-Encoding": encoding}))
    assert refused.value.source == "platform"


def test_gzip_data_cut_short_is_refused(crafted: Crafted) -> None:
    """Every byte of the JSON is there, the gzip trailer (its checksum and length) is not."""
    cut = gzip.compress(b'{"a": 1}')[:-8]
    with pytest.raises(InvalidInput, match="stops short"):
        ask(crafted, Answer(200, cut, {"Content-Encoding": "gzip"}))


def test_data_that_does_not_inflate_is_refused(crafted: Crafted) -> None:
    with pytest.raises(InvalidInput, match="does not inflate"):
        ask(crafted, Answer(200, b"not gzip at all", {"Content-Encoding": "gzip"}))


# -- a request HTTP cannot carry ---------------------------------------------------------


def test_a_header_http_forbids_is_refused_once_unsent(crafted: Crafted) -> None:
    """Sending it again would fail the same way: not "unreachable" after every try, and
    the value (which may be a secret) is not shown."""
    crafted.serve(Answer(200, b"{}"))
    sleeps: list[float] = []
    link = connection(crafted, sleeps, attempts=3)
    try:
        with pytest.raises(InvalidInput, match="cannot carry") as refused:
            link.request("PUT", "v1/thing", {}, headers={"X-Device": "phone\nSet-Cookie: x"})
    finally:
        link.close()
    assert (crafted.asked, sleeps) == (0, [])
    assert "Set-Cookie" not in str(refused.value)
    assert refused.value.field == "PUT /v1/thing"


# -- over HTTPS ---------------------------------------------------------------------------


@pytest.fixture
def https(server_tls: ssl.SSLContext) -> Iterator[Crafted]:
    with crafted_server(tls=server_tls) as server:
        yield server


def test_an_answer_over_https_is_read(https: Crafted) -> None:
    assert https.url.startswith("https://")
    reply = ask(https, Answer(200, b'{"a": 1}'))
    assert (reply.status, reply.content) == (200, b'{"a": 1}')
    assert https.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_head_trickled_over_https_times_out(https: Crafted) -> None:
    with pytest.raises(Gone, match=r"no answer within 0\.4 s"):
        ask(https, Answer(raw=HEAD, trickle=0.05), timeout=0.4)
    assert https.trickled < len(HEAD) // 2


def test_a_server_the_client_does_not_trust_is_refused_unasked(
    https: Crafted, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(Gone, match="CERTIFICATE_VERIFY_FAILED"):
        ask(https, Answer(200, b"{}"))
    assert https.asked == 0
