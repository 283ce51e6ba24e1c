"""``caredomain notify`` and the demo's notifications chapter, run as a user runs them."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from caredomain import __version__


def _caredomain(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "caredomain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The demo run once: its folder and what it printed."""
    folder = tmp_path_factory.mktemp("demo")
    result = _caredomain(
        "demo", "--db", "demo.db", "--today", "2026-12-20", "--days", "1", cwd=folder
    )
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


def test_the_demo_dispatches_to_the_embedded_senders_and_says_where(demo: tuple[Path, str]) -> None:
    folder, out = demo
    assert f"caredomain {__version__} demo" in out
    chapter = out[out.index("== Notifications") :]
    assert "outbox before dispatch: 3 pending, 2 withdrawn" in chapter
    assert "dispatched: 3 sent, 0 to retry, 0 dead-lettered" in chapter
    assert f"mail -> Maildir {folder / 'demo-mail'}" in chapter
    assert f"sms  -> {folder / 'demo-sms.jsonl'}" in chapter
    assert "sent appointment.deprogrammed by sms to +33612345678" in chapter
    assert "withdrawn appointment.reminder by mail" in chapter
    # Two from this chapter, and the DATI alarm's e-mail from the home-care chapter.
    assert len(list((folder / "demo-mail" / "new").iterdir())) == 3
    (line,) = (folder / "demo-sms.jsonl").read_text("utf-8").splitlines()
    assert json.loads(line)["text"].startswith("Votre RDV Pièces d'identité du lundi 21 décembre")


def test_notify_outbox_counts_by_status(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain("notify", "outbox", "--db", "demo.db", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "  sent       4" in result.stdout  # with the home-care chapter's alarm e-mail
    assert "  withdrawn  2" in result.stdout
    assert "  dead       0" in result.stdout


def test_notify_preview_renders_sample_values(demo: tuple[Path, str]) -> None:
    folder, _ = demo
    result = _caredomain(
        "notify",
        "preview",
        "--db",
        "demo.db",
        "--event",
        "AppointmentRescheduled",
        "--type",
        "pieces-identite",
        cwd=folder,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("appointment.date_changed (Changement de date) for type pieces-identite")
    assert "-- mail (sent)" in out
    assert "-- sms (not sent)" in out
    assert "Subject: Nouvelle date pour votre rendez-vous : mardi 3 février 2026 à 14 h 30" in out
    assert (
        "prévu le mardi 27 janvier 2026 à 9 h est déplacé au mardi 3 février 2026 à 14 h 30" in out
    )


def test_bad_input_is_one_line_without_a_traceback(demo: tuple[Path, str], tmp_path: Path) -> None:
    folder, _ = demo
    unknown = _caredomain(
        "notify", "preview", "--db", "demo.db", "--event", "appointment.party", cwd=folder
    )
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("caredomain: error: unknown notification kind; known: ")
    missing = _caredomain("notify", "outbox", "--db", "nowhere.db", cwd=tmp_path)
    assert missing.returncode == 2
    assert "no such store file" in missing.stderr
    config = tmp_path / "town.toml"
    config.write_text(
        '[organisation]\nid = "m"\nname = "Mairie"\n\n'
        '[notifications.mail]\nsender = "smtp"\n'
        '[notifications.mail.settings]\nhost = "127.0.0.1"\nfrom = "rdv@m.example"\n'
        'password_env = "CAREDOMAIN_TEST_UNSET_PASSWORD"\nusername = "rdv"\n',
        encoding="utf-8",
    )
    unset = _caredomain(
        "notify",
        "dispatch",
        "--once",
        "--db",
        str(folder / "demo.db"),
        "--config",
        str(config),
        cwd=tmp_path,
    )
    assert unset.returncode == 2
    assert unset.stderr == (
        f"caredomain: error: {config}: notifications.mail.settings.password_env: the "
        "environment variable it names is not set (got 'CAREDOMAIN_TEST_UNSET_PASSWORD')\n"
    )
    for text in (unknown.stderr, missing.stderr, unset.stderr):
        assert "Traceback" not in text


class _Refusing:
    """An SMTP server that refuses every mailbox for good."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return "550 5.1.1 <" + address + ">: unknown mailbox"


def _down_then_refusing(tmp_path: Path, port: int) -> Path:
    config = tmp_path / "town.toml"
    config.write_text(
        '[organisation]\nid = "m"\nname = "Mairie"\n\n[notifications]\nmax_attempts = 1\n\n'
        f'[notifications.mail]\nsender = "smtp"\n[notifications.mail.settings]\n'
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "rdv@m.example"\n',
        encoding="utf-8",
    )
    return config


def _make_due(db: Path) -> None:
    with sqlite3.connect(db) as connection:
        connection.execute(
            "UPDATE outbox SET status = 'pending', due_at = 0 WHERE kind = 'appointment.reminder' "
            "AND channel = 'mail'"
        )
    connection.close()


def test_a_dead_letter_is_listed_with_its_error_and_requeued(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    fresh = tmp_path / "fresh.db"
    result = _caredomain(
        "demo", "--db", str(fresh), "--today", "2026-12-20", "--days", "1", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = _down_then_refusing(tmp_path, port)
    _make_due(fresh)  # the withdrawn reminder, due again
    run = ("notify", "dispatch", "--once", "--db", str(fresh), "--config", str(config))
    # A server that is down was offered nothing: nothing charged, nothing dead.
    down = _caredomain(*run, cwd=tmp_path)
    assert down.returncode == 0, down.stderr
    assert f"mail  SmtpSender(smtp://127.0.0.1:{port}, security='none'" in down.stdout
    assert (
        "1 claimed: 0 sent, 0 to retry, 0 dead-lettered, "
        "1 not offered (the connection failed; no attempt charged)"
    ) in down.stdout
    # Once it answers, and refuses the mailbox for good, the reminder is a dead letter.
    controller = Controller(_Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _make_due(fresh)
        refused = _caredomain(*run, cwd=tmp_path)
    finally:
        controller.stop()
    assert "1 claimed: 0 sent, 0 to retry, 1 dead-lettered" in refused.stdout
    listed = _caredomain("notify", "outbox", "--db", str(fresh), cwd=tmp_path)
    assert "dead letters (1):" in listed.stdout
    assert (
        "appointment.reminder by mail to camille.martin@example.org, 1 attempt(s)" in listed.stdout
    )
    assert "permanent: 550 5.1.1 <camille.martin@example.org>: unknown mailbox" in listed.stdout
    key = listed.stdout.split("dead letters (1):\n  ")[1].split()[0]
    # Requeued from the command line: by key, all of them or none.
    wrong = _caredomain("notify", "requeue", "--db", str(fresh), key, "nokey", cwd=tmp_path)
    assert (wrong.returncode, wrong.stderr) == (2, "caredomain: error: no outbox message 'nokey'\n")
    neither = _caredomain("notify", "requeue", "--db", str(fresh), cwd=tmp_path)
    assert neither.returncode == 2
    assert "name the dead letters to requeue by key, or give --all" in neither.stderr
    requeued = _caredomain("notify", "requeue", "--db", str(fresh), key, cwd=tmp_path)
    assert requeued.returncode == 0, requeued.stderr
    assert requeued.stdout == f"requeued 1 dead letter(s), due now:\n  {key}\n"
    again = _caredomain("notify", "requeue", "--db", str(fresh), key, cwd=tmp_path)
    assert again.returncode == 2
    assert "is pending, not a dead letter: nothing to requeue" in again.stderr
    after = _caredomain("notify", "outbox", "--db", str(fresh), cwd=tmp_path)
    assert "  dead       0" in after.stdout
    assert "dead letters" not in after.stdout
    nothing = _caredomain("notify", "requeue", "--db", str(fresh), "--all", cwd=tmp_path)
    assert nothing.stdout == "no dead letter to requeue\n"
