"""Four dispatcher processes on one PostgreSQL outbox, sending to one SMTP server on
loopback: every message is received exactly once. (The helpers and the dispatcher are those
of the SQLite fault campaign, :mod:`tests/adapters/messaging/faulty_smtp.py`, given a URL.)"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from .conftest import Server

HELPERS = Path(__file__).parents[1] / "messaging" / "faulty_smtp.py"
MAX_ATTEMPTS = 2


def _helpers() -> ModuleType:
    spec = importlib.util.spec_from_file_location("faulty_smtp", HELPERS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


faulty = _helpers()


def test_four_dispatcher_processes_send_each_mail_once(postgres: Server) -> None:
    url = postgres.fresh_url(pool=2)
    messages = [faulty.message(n) for n in range(200)]
    faulty.queue(url, messages)
    mailbox = faulty.FaultyMailbox(0.01)
    with faulty.faulty_server(mailbox) as port:
        arguments = [str(HELPERS), url, str(port), "1.5", "10", str(MAX_ATTEMPTS), "90"]
        processes = [
            subprocess.Popen([sys.executable, "-c", faulty.CHILD, *arguments]) for _ in range(4)
        ]
        codes = [process.wait(timeout=180) for process in processes]
    assert codes == [0, 0, 0, 0]
    faulty.exactly_once_or_never(mailbox, faulty.statuses(url), set())
    assert sum(mailbox.received.values()) == len(messages)
