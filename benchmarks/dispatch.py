"""Outbox dispatch against a bare smtplib loop, to the same local SMTP server, in one run.

    python benchmarks/dispatch.py [--messages 10000] [--batch 100] [--rounds 10] [--json]

A local aiosmtpd server runs in a child process (so that it does not share this process's
interpreter lock) and counts what it receives. The same N mails (reminders: subject and
body in French, no attachment) are sent twice, in interleaved rounds — a slice of the mails
the bare way, then the same number through the outbox, then the other way round, and so on
— so that the machine's load falls on both alike:

* **bare**: one smtplib connection, a ``text/plain`` MIME part built (the same headers,
  quoted-printable UTF-8) and sent per mail — the least a program sending those mails must
  do;
* **outbox**: queued in a SQLite store (one transaction), then dispatched by
  :func:`caredomain.notifications.services.dispatch_notifications` through the ``smtp``
  sender: claims in batches, one connection a batch, each outcome recorded.

The ratio is outbox throughput / bare throughput over all the rounds; the target is at least
0.7. The lowest and highest ratio of a round are reported too (``round_ratios``). Queueing
time is reported apart (``queue_per_s``): it belongs to the business transaction. The load
average before and after is printed with the figures. With ``--json`` the figures are
printed as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formatdate
from pathlib import Path
from typing import cast

from caredomain.notifications import OutboxMessage
from caredomain.notifications.services import NOTIFIER_ACTOR, dispatch_notifications
from caredomain.services import ServiceContext
from caredomain_messaging import SmtpSender
from caredomain_sqlite import SqliteStore

sys.path.insert(0, str(Path(__file__).parent))
from machine import Load

TARGET = 0.7

_SERVER = """
import sys, threading
from aiosmtpd.controller import Controller

class Counter:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"

handler = Counter()
controller = Controller(handler, hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(handler.count, flush=True)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _messages(count: int, now: datetime) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            key=f"bench-{number:06d}:appointment.reminder/mail/person{number}@example.org",
            event_id=f"bench-{number:06d}",
            organisation_id="bench",
            kind="appointment.reminder",
            topic=f"appointment:{number}",
            channel="mail",
            recipient=f"person{number}@example.org",
            subject="Rappel : votre rendez-vous du mardi 3 février 2026 à 14 h 30",
            body=(
                "Bonjour Marie Dupont,\n\nNous vous rappelons votre rendez-vous « Pièces "
                "d'identité » le mardi 3 février 2026 à 14 h 30 (durée : 20 minutes).\n\n"
                "Guichet : Guichet 1\nLieu : Hôtel de ville, 1 place de la Mairie\n\n"
                "Cordialement,\nLe service des rendez-vous"
            ),
            created_at=now,
            due_at=now,
        )
        for number in range(count)
    ]


def _bare(port: int, messages: list[OutboxMessage]) -> float:
    """Send ``messages`` on one connection, the least a sender must do; the time taken."""
    utf8 = Charset("utf-8")
    utf8.body_encoding = QP
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as connection:
        for message in messages:
            mail = MIMENonMultipart("text", "plain")
            mail.set_payload(message.body, utf8)
            mail["From"] = "Mairie <rdv@mairie.example>"
            mail["To"] = message.recipient
            mail["Subject"] = cast("str", Header(message.subject, "utf-8"))  # stubs say str
            mail["Date"] = formatdate(usegmt=True)
            mail["Message-ID"] = f"<{message.event_id}@mairie.example>"
            connection.send_message(mail)
    return time.perf_counter() - started


def _queued(store: SqliteStore, messages: list[OutboxMessage]) -> float:
    """Queue every message in one transaction; the time taken."""
    started = time.perf_counter()
    with store.unit_of_work() as uow:
        uow.notifications.add(messages)
        uow.commit()
    return time.perf_counter() - started


def _dispatched(store: SqliteStore, port: int, batch: int, batches: int) -> tuple[float, int]:
    """Dispatch the next ``batches`` batches of the outbox; the time taken and mails sent."""
    sender = SmtpSender(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="Mairie <rdv@mairie.example>",
        envelope_from="rdv@mairie.example",
    )
    started = time.perf_counter()
    report = dispatch_notifications(
        ServiceContext(store=store),
        NOTIFIER_ACTOR,
        {"mail": sender},
        batch_size=batch,
        max_batches=batches,
    )
    return time.perf_counter() - started, report.sent


def _rounds(
    port: int, messages: list[OutboxMessage], batch: int, rounds: int, workdir: Path
) -> tuple[float, float, float, int, list[float]]:
    """Bare and outbox in turns over slices of ``messages``: the total times, the queueing
    time, the mails the outbox sent and each round's ratio."""
    batches = max(1, -(-len(messages) // (rounds * batch)))  # a round's slice, in batches
    size = batches * batch
    bare_total = outbox_total = 0.0
    sent = 0
    ratios = []
    store = SqliteStore(workdir / "outbox.db")
    try:
        queued = _queued(store, messages)
        for number, first in enumerate(range(0, len(messages), size)):
            part = messages[first : first + size]
            if number % 2 == 0:
                bare = _bare(port, part)
                outbox, done = _dispatched(store, port, batch, batches)
            else:
                outbox, done = _dispatched(store, port, batch, batches)
                bare = _bare(port, part)
            bare_total += bare
            outbox_total += outbox
            sent += done
            ratios.append(bare / outbox)
    finally:
        store.close()
    return bare_total, outbox_total, queued, sent, ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10, help="turns of bare and outbox (10)")
    parser.add_argument("--json", action="store_true", help="figures as JSON on the last line")
    args = parser.parse_args(argv)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None
    assert server.stdout is not None
    try:
        if server.stdout.readline().strip() != "ready":
            raise SystemExit("the SMTP server did not start")
        messages = _messages(args.messages, datetime.now(UTC))
        load = Load.now()
        with tempfile.TemporaryDirectory(prefix="caredomain-bench-") as directory:
            bare, dispatched, queued, sent, ratios = _rounds(
                port, messages, args.batch, args.rounds, Path(directory)
            )
    finally:
        server.stdin.close()
        received = int(server.stdout.readline().strip() or 0)
        server.wait(timeout=60)
    load = load.until_now()
    if sent != args.messages or received != 2 * args.messages:
        raise SystemExit(f"lost messages: outbox sent {sent}, server received {received}")
    figures = {
        "messages": args.messages,
        "batch": args.batch,
        "bare_s": round(bare, 3),
        "outbox_s": round(dispatched, 3),
        "queue_s": round(queued, 3),
        "bare_per_s": round(args.messages / bare, 1),
        "outbox_per_s": round(args.messages / dispatched, 1),
        "queue_per_s": round(args.messages / queued, 1),
        "ratio": round(bare / dispatched, 3),
        "round_ratios": [round(min(ratios), 3), round(max(ratios), 3)],
        "rounds": len(ratios),
        "target": TARGET,
        "received": received,
        "load": load.figures(),
    }
    print(f"{args.messages} mails to a local aiosmtpd server (batch {args.batch})")
    print(f"  bare smtplib loop  {figures['bare_per_s']:>9} mails/s  ({figures['bare_s']} s)")
    print(f"  outbox dispatch    {figures['outbox_per_s']:>9} mails/s  ({figures['outbox_s']} s)")
    print(f"  queueing           {figures['queue_per_s']:>9} mails/s  ({figures['queue_s']} s)")
    low, high = figures["round_ratios"]
    print(
        f"  ratio {figures['ratio']} (target >= {TARGET}); "
        f"{figures['rounds']} interleaved rounds, from {low} to {high}"
    )
    print(f"  {load.line()}")
    if args.json:
        print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
