"""The ``sms-http`` sender against a hostile gateway on loopback
(:mod:`caredomain_http.crafted`): a head trickled a byte at a time is a time-out at the
sender's ``timeout``, and an answer of any size, compressed or not, costs at most the
64 KiB read of it, its status deciding the result."""

from __future__ import annotations

import gzip
import ssl
import tracemalloc
from collections.abc import Iterator

import pytest

from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain_http.crafted import Answer, Crafted, crafted_server
from caredomain_messaging import SmsHttpSender

MESSAGE = OutboundMessage("event-1/sms/+33612340001", "sms", "+33612340001", "", "Rappel")
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def crafted() -> Iterator[Crafted]:
    with crafted_server() as server:
        yield server


def offer(crafted: Crafted, answer: Answer, timeout: str = "5") -> tuple[SendResult, int]:
    """The result of sending one SMS, and the peak of Python's allocations meanwhile."""
    crafted.serve(answer)
    sender = SmsHttpSender.from_settings({"url": crafted.url, "timeout": timeout})
    tracemalloc.start()
    try:
        [result] = sender.send([MESSAGE])
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_head_trickled_past_the_timeout_is_transient(crafted: Crafted) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
    result, _ = offer(crafted, Answer(raw=head, trickle=0.05), timeout="0.4")
    assert result.status is SendStatus.TRANSIENT
    assert "did not answer in 0.4 s" in result.detail
    assert crafted.trickled < len(head) // 2


def test_an_acceptance_whose_body_trickles_past_the_timeout_is_sent(crafted: Crafted) -> None:
    """The 200 has come: sending the SMS again because its body is late would send it twice."""
    result, _ = offer(
        crafted, Answer(200, b'{"id": "m-1", "status": "queued"}', trickle=0.05), "0.4"
    )
    assert result.status is SendStatus.SENT


def test_a_refusal_cut_short_is_permanent_with_what_came(crafted: Crafted) -> None:
    answer = Answer(400, b"bad number", {"Content-Length": "1000"})
    result, _ = offer(crafted, answer)
    assert (result.status, result.detail) == (
        SendStatus.PERMANENT,
        "HTTP 400 Bad Request: bad number",
    )


def test_a_huge_refusal_is_read_no_further_than_its_bound(crafted: Crafted) -> None:
    body = b"quota exceeded " + b"x" * (40 * MIB)
    result, peak = offer(crafted, Answer(400, body))
    assert result.status is SendStatus.PERMANENT
    assert result.detail.startswith("HTTP 400 Bad Request: quota exceeded xxx")
    assert peak < 2 * MIB, f"{peak / MIB:.1f} MiB"


def test_a_compressed_refusal_is_inflated_no_further_than_its_bound(crafted: Crafted) -> None:
    bomb = gzip.compress(b"quota exceeded " + b" " * (64 * MIB), compresslevel=9)
    result, peak = offer(crafted, Answer(400, bomb, {"Content-Encoding": "gzip"}))
    assert result.status is SendStatus.PERMANENT
    assert result.detail == "HTTP 400 Bad Request: quota exceeded"
    assert peak < 2 * MIB, f"{peak / MIB:.1f} MiB"


def test_an_accepted_sms_in_an_encoding_not_asked_for_is_still_sent(crafted: Crafted) -> None:
    """The status decides; the answer's text only explains a refusal."""
    result, _ = offer(crafted, Answer(200, b"\x1f\x8b", {"Content-Encoding": "br"}))
    assert result.status is SendStatus.SENT
    assert crafted.seen[0].headers["Accept-Encoding"] == "gzip"


def test_a_gateway_over_https_is_sent_to(server_tls: ssl.SSLContext) -> None:
    with crafted_server(tls=server_tls) as gateway:
        result, _ = offer(gateway, Answer(200, b'{"id": "m-1"}'))
    assert gateway.url.startswith("https://")
    assert result.status is SendStatus.SENT
    assert gateway.seen[0].headers["Idempotency-Key"]
