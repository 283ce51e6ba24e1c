"""The ``smtp`` sender against a server on loopback that sends its greeting or a reply a
byte at a time, each byte well within the sender's ``timeout``: the session ends at the
timeout all the same (the outbox's lease counts on it), and a slow server that does finish
within it is not cut short."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest

from caredomain.notifications.outbound import OutboundMessage, SendResult, SendStatus
from caredomain_messaging import SmtpSender

MESSAGE = OutboundMessage("event-1/mail/a@example.org", "mail", "a@example.org", "Rappel", "RDV")
GREETING = b"220 slow.example ESMTP ready for you, one byte at a time\r\n"
REPLIES = {b"EHLO": b"250 slow.example\r\n", b"DATA": b"354 go ahead\r\n", b"QUIT": b"221 bye\r\n"}


class SlowSmtp(socketserver.ThreadingTCPServer):
    """Answers every command with 250 (EHLO, DATA and QUIT as SMTP does), writing the
    greeting or the reply to the command named in :attr:`slow` a byte every
    :attr:`trickle` seconds; :attr:`trickled` counts those bytes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.slow = b""
        self.trickle = 0.0
        self.trickled = 0
        self.stopping = threading.Event()


class _Session(socketserver.StreamRequestHandler):
    server: SlowSmtp

    def handle(self) -> None:
        self._say(GREETING, b"GREETING")
        while line := self.rfile.readline():
            verb = line.split()[0].split(b":")[0].upper() if line.strip() else b""
            if verb == b"DATA":
                self._say(REPLIES[verb], verb)
                while (body := self.rfile.readline()) and body != b".\r\n":
                    pass
                verb = b"END"
            self._say(REPLIES.get(verb, b"250 ok\r\n"), verb)
            if verb == b"QUIT":
                return

    def _say(self, reply: bytes, verb: bytes) -> None:
        server = self.server
        if verb != server.slow:
            self.wfile.write(reply)
            return
        for byte in reply:
            if server.stopping.wait(server.trickle):
                return
            self.wfile.write(bytes([byte]))
            server.trickled += 1


@pytest.fixture
def smtp() -> Iterator[SlowSmtp]:
    server = SlowSmtp()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join()


def send(smtp: SlowSmtp, slow: bytes, trickle: float, timeout: float) -> SendResult:
    smtp.slow, smtp.trickle = slow, trickle
    port = smtp.server_address[1]
    sender = SmtpSender(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="Mairie <rdv@mairie.example>",
        envelope_from="rdv@mairie.example",
        timeout=timeout,
    )
    [result] = sender.send([MESSAGE])
    return result


def test_a_greeting_trickled_past_the_timeout_offers_nothing(smtp: SlowSmtp) -> None:
    result = send(smtp, b"GREETING", trickle=0.05, timeout=0.4)
    assert (result.status, result.offered) == (SendStatus.TRANSIENT, False)
    assert "cannot deliver through 127.0.0.1" in result.detail
    assert smtp.trickled < len(GREETING) // 2


@pytest.mark.parametrize("verb", [b"MAIL", b"RCPT", b"END"])
def test_a_reply_trickled_past_the_timeout_loses_the_session(smtp: SlowSmtp, verb: bytes) -> None:
    result = send(smtp, verb, trickle=0.1, timeout=0.4)
    assert (result.status, result.connection_lost) == (SendStatus.TRANSIENT, True)
    assert "was lost" in result.detail
    assert smtp.trickled <= 5


def test_a_slow_server_within_the_timeout_delivers(smtp: SlowSmtp) -> None:
    result = send(smtp, b"END", trickle=0.01, timeout=5.0)
    assert result.status is SendStatus.SENT
    assert smtp.trickled == len(b"250 ok\r\n")
