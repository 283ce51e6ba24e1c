"""``caredomain pickup``: each subcommand through ``caredomain.cli.main`` on a temp SQLite
file, talking to a reference HopHop on loopback; ``serve`` in a subprocess, receiving one
signed webhook."""

from __future__ import annotations

import importlib.resources
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from caredomain import FixedClock
from caredomain.cli import main
from caredomain.pickup.services import HOPHOP_ACTOR, AnnouncedChild, announce_pickup
from caredomain.services import ServiceContext
from caredomain_hophop.reference import HopHopServer
from caredomain_sqlite import SqliteStore

TOKEN = "partner-token-Zr8Pq3"
PASSWORD = "mot-de-passe-Wx5"
SECRET = "whsec-Tb7Nc2Lq"
MONTREAL = ZoneInfo("America/Toronto")
DAYCARE = "cpe-soleil"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    shipped = importlib.resources.files("caredomain.data").joinpath("sample_daycare.toml")
    path = tmp_path / "daycare.toml"
    path.write_bytes(shipped.read_bytes())
    return path


@pytest.fixture
def server() -> Iterator[HopHopServer]:
    with HopHopServer(api_token=TOKEN) as running:
        yield running


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOPHOP_TOKEN", TOKEN)
    monkeypatch.setenv("SOLEIL_PASSWORD", PASSWORD)
    monkeypatch.setenv("CAREDOMAIN_LANG", "en")


def run(capsys: pytest.CaptureFixture[str], *words: str) -> tuple[int, str, str]:
    status = main(list(words))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def db(
    tmp_path: Path,
    sample: Path,
    server: HopHopServer,
    env: None,
    capsys: pytest.CaptureFixture[str],
) -> Path:
    """The sample daycare loaded, Rosemont linked (created) and synced."""
    path = tmp_path / "daycare.db"
    status, out, _ = run(capsys, "pickup", "load", str(sample), "--db", str(path))
    assert status == 0
    assert out == (
        "CPE Soleil (cpe-soleil): 2 installation(s), 3 group(s), 4 child(ren), 5 parent(s)\n"
    )
    status, out, err = run(
        capsys,
        *("pickup", "link", "rosemont", "--daycare", str(sample), "--create"),
        *("--password-env", "SOLEIL_PASSWORD", "--set", f"url={server.url}", "--db", str(path)),
    )
    assert (status, err) == (0, "")
    assert out == "rosemont: soleil.rosemont@hophop.ca linked (green)\n"
    status, out, err = run(
        capsys, "pickup", "sync", "--set", f"url={server.url}", "--db", str(path)
    )
    assert (status, err) == (0, "")
    assert "  rosemont: 3 added, 0 changed, 0 removed" in out
    assert "  villeray: skipped, the link is red (not-linked)" in out
    return path


def announce(db: Path, inbound: str, parent: str, child: AnnouncedChild, *when: datetime) -> None:
    """A parent's announcement as the webhook applies it, on a clock of the test's."""
    at, arrival, now = when
    with SqliteStore(db) as store:
        context = ServiceContext(store, clock=FixedClock(now))
        announce_pickup(
            context,
            HOPHOP_ACTOR,
            DAYCARE,
            inbound_id=inbound,
            parent=parent,
            children=[child],
            at=at,
            arrival=arrival,
        )


def local(year: int, hour: int, minute: int) -> datetime:
    return datetime(year, 3, 4, hour, minute, tzinfo=MONTREAL)


LEA = AnnouncedChild("lea-tremblay", "Léa", "Tremblay")


def test_the_sync_again_sends_nothing_and_says_so_in_json(
    db: Path, server: HopHopServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert sorted(server.held("soleil.rosemont@hophop.ca")) == [
        "felix-gagnon",
        "florence-roy-cote",
        "lea-tremblay",
    ]
    status, out, _ = run(
        capsys, "pickup", "sync", "--set", f"url={server.url}", "--db", str(db), "--json"
    )
    assert status == 0
    document = json.loads(out)
    assert document == {
        "organisation": DAYCARE,
        "pushed": {"rosemont": {"added": [], "changed": [], "removed": []}},
        "skipped": {"villeray": "not-linked"},
    }


def test_a_wrong_password_is_red_and_exit_1(
    db: Path,
    server: HopHopServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WRONG", "pas-le-bon")
    status, out, _ = run(
        capsys,
        *("pickup", "link", "rosemont", "--email", "soleil.rosemont@hophop.ca"),
        *("--password-env", "WRONG", "--set", f"url={server.url}", "--db", str(db)),
    )
    assert status == 1
    assert out == "rosemont: soleil.rosemont@hophop.ca not linked (red): bad-credentials\n"
    assert "pas-le-bon" not in out
    status, out, _ = run(capsys, "pickup", "accounts", "--db", str(db))
    assert (status, out) == (
        0,
        "CPE Soleil: HopHop accounts\n"
        "  rosemont: soleil.rosemont@hophop.ca red (bad-credentials)\n"
        "  villeray: no account linked yet\n",
    )
    status, out, _ = run(capsys, "pickup", "accounts", "--db", str(db), "--json")
    assert json.loads(out)["accounts"][0] == {
        "installation": "rosemont",
        "display_name": "CPE Soleil Rosemont",
        "email": "soleil.rosemont@hophop.ca",
        "link": "broken",
        "problem": "bad-credentials",
    }


def test_link_refuses_a_password_variable_not_set(
    db: Path, server: HopHopServer, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(
        capsys,
        *("pickup", "link", "rosemont", "--email", "a@hophop.ca", "--password-env", "NOPE"),
        *("--set", f"url={server.url}", "--db", str(db)),
    )
    assert status == 2
    assert err == (
        "caredomain: error: --password-env: the environment variable is not set (got 'NOPE')\n"
    )


def test_a_bad_setting_in_the_settings_file_is_located_there(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = tmp_path / "hophop.toml"
    settings.write_text('[hophop]\nurl = "ftp://example.ca"\n', "utf-8")
    status, _, err = run(capsys, "pickup", "sync", "--settings", str(settings), "--db", str(db))
    assert status == 2
    assert err.startswith(f"caredomain: error: {settings}: hophop.url: "), err


def test_alerts_call_ready_depart(
    db: Path, server: HopHopServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Marie announced at 14:30 for 15:45; the alert rang at 15:40 (a year ahead: not expired).
    announce(
        db,
        "evt-1",
        "marie-tremblay",
        LEA,
        local(2030, 14, 30),
        local(2030, 15, 45),
        local(2030, 15, 41),
    )
    status, out, _ = run(
        capsys,
        "pickup",
        "alerts",
        "--installation",
        "rosemont",
        "--group",
        "poussins",
        "--db",
        str(db),
    )
    assert status == 0
    assert out == (
        "rosemont / Les Poussins: 1 alert\n"
        "  evt-1:lea-tremblay  due 15:40  Léa Tremblay (Les Poussins), Marie Tremblay arrives "
        "15:45 (eta): announced\n"
    )
    status, out, _ = run(
        capsys,
        "pickup",
        "alerts",
        "--installation",
        "rosemont",
        "--group",
        "papillons",
        "--db",
        str(db),
    )
    assert out == "rosemont / Les Papillons: 0 alerts\n"
    status, out, _ = run(
        capsys, "pickup", "alerts", "--installation", "rosemont", "--db", str(db), "--json"
    )
    document = json.loads(out)
    assert set(document) == {"organisation", "installation", "group", "as_of", "alerts"}
    (alert,) = document["alerts"]
    assert alert["id"] == "evt-1:lea-tremblay"
    assert alert["due_at"] == "2030-03-04T15:40:00-05:00"
    assert (alert["child_name"], alert["group"], alert["status"]) == (
        "Léa Tremblay",
        "poussins",
        "announced",
    )

    status, _, err = run(capsys, "pickup", "depart", "evt-1:lea-tremblay", "--db", str(db))
    assert status == 2
    assert "pickup.status_order" in err
    status, out, _ = run(capsys, "pickup", "call", "evt-1:lea-tremblay", "--db", str(db))
    assert (status, out.split(": ", 1)[0]) == (0, "evt-1:lea-tremblay")
    assert "Léa Tremblay called at " in out
    status, out, _ = run(
        capsys,
        *("pickup", "ready", "evt-1:lea-tremblay", "--set", f"url={server.url}", "--db", str(db)),
    )
    assert status == 0
    assert "ready at" in out
    assert [r.pickup for r in server.told_ready] == ["evt-1:lea-tremblay"]
    status, out, _ = run(
        capsys, "pickup", "depart", "evt-1:lea-tremblay", "--by", "sophie", "--db", str(db)
    )
    assert status == 0
    assert out.endswith(", released by sophie\n")
    status, out, _ = run(capsys, "pickup", "alerts", "--installation", "rosemont", "--db", str(db))
    assert out == "rosemont: 0 alerts\n"


def test_tick_expires_a_pickup_long_past(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    announce(
        db,
        "evt-old",
        "marie-tremblay",
        LEA,
        local(2025, 14, 30),
        local(2025, 15, 45),
        local(2025, 14, 30),
    )
    status, out, _ = run(capsys, "pickup", "tick", "--db", str(db), "--json")
    assert status == 0
    document = json.loads(out)
    assert set(document) == {"organisation", "at", "events"}
    assert document["events"] == [{"kind": "PickupExpired", "pickup": "evt-old:lea-tremblay"}]
    status, out, _ = run(capsys, "pickup", "tick", "--db", str(db))
    assert out == "CPE Soleil: 0 events\n"


def test_activations_and_approve(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "pickup", "activations", "--installation", "rosemont", "--db", str(db)
    )
    assert status == 0
    assert out == (
        "rosemont: 3 children, 1 orange\n"
        "  white   Félix Gagnon\n"
        "  orange  Florence Roy-Côté: not activated by Mathieu Côté <mathieu.cote@example.ca>\n"
        "  white   Léa Tremblay\n"
    )
    status, out, _ = run(
        capsys, "pickup", "activations", "--installation", "rosemont", "--db", str(db), "--json"
    )
    document = json.loads(out)
    assert set(document) == {"organisation", "installation", "children"}
    assert document["children"][1]["missing"] == [
        {"parent": "mathieu-cote", "name": "Mathieu Côté", "email": "mathieu.cote@example.ca"}
    ]
    status, out, _ = run(capsys, "pickup", "approve", "florence-roy-cote", "--db", str(db))
    assert (status, out) == (0, "Florence Roy-Côté: photo changes approved\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_receives_a_signed_webhook_then_stops_on_ctrl_c(
    db: Path, tmp_path: Path, server: HopHopServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import httpx

    from caredomain.secret import Secret
    from caredomain_hophop.signature import HEADER, sign

    port = _free_port()
    environ = {
        **os.environ,
        "HOPHOP_TOKEN": TOKEN,
        "HOPHOP_WEBHOOK_SECRET": SECRET,
        "CAREDOMAIN_LANG": "en",
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "caredomain", "pickup", "serve", "--db", str(db)),
            *("--port", str(port), "--every", "1", "--set", f"url={server.url}"),
        ],
        cwd=tmp_path,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    event = {
        "id": "evt-photo",
        "type": "photo.changed",
        "occurred_at": datetime.now(MONTREAL).isoformat(),
        "data": {"parent": {"email": "mathieu.cote@example.ca"}, "children": ["florence-roy-cote"]},
    }
    body = json.dumps(event).encode("utf-8")
    url = f"http://127.0.0.1:{port}/organisations/{DAYCARE}/hophop"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                headers = {HEADER: sign(Secret(SECRET), int(time.time()), body)}
                answer = httpx.post(url, content=body, headers=headers, timeout=5)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert answer.status_code == 200, answer.text
        assert answer.json()["result"] == {"awaiting_approval": ["florence-roy-cote"]}
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/organisations/{DAYCARE}/hophop" in out
    status, out, _ = run(
        capsys, "pickup", "activations", "--installation", "rosemont", "--db", str(db), "--json"
    )
    (florence,) = [c for c in json.loads(out)["children"] if c["child"] == "florence-roy-cote"]
    assert florence["awaiting_approval"] == ["mathieu-cote"]
    assert status == 0
    status, out, _ = run(
        capsys, "pickup", "activations", "--installation", "rosemont", "--db", str(db)
    )
    assert "Florence Roy-Côté: not activated by Mathieu Côté" in out
    assert out.splitlines()[2].endswith("  (photo awaiting approval)")


def test_the_demo_chapter_tells_the_afternoon_then_recognises_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "demo.db")
    status, first, _ = run(capsys, "demo", "--db", db, "--days", "1", "--lang", "en")
    assert status == 0
    story = first[first.index("== Daycare pickups") :]
    for line in (
        "  rosemont: 3 added, 0 changed, 0 removed",
        "  14:30 Marie announces she will be there at 15:45",
        "  15:39 tick: nothing yet",
        "  15:40 tick: the alert rings",
        "        alerts at Les Papillons: Léa Tremblay; at Les Poussins: none",
        "  15:44 Sophie taps Prêt: HopHop tells Marie",
        "        pickup demo-evt-marie:lea-tremblay: departed, released by educ-sophie at 15:47",
        "  16:20 20 positions reported: 1 alert",
        "  17:00 refused [pickup.outside_window] HopHop is not used at 18:10: calls are taken "
        "15:30–18:00",
        "  17:05 his announcement is refused [pickup.awaiting_approval] awaiting approval by "
        "the centre",
        "          orange  Florence Roy-Côté: not activated by Mathieu Côté "
        "<mathieu.cote@example.ca>  (photo awaiting approval)",
    ):
        assert line + "\n" in story, line
    status, again, _ = run(capsys, "demo", "--db", db, "--days", "1", "--lang", "en")
    assert status == 0
    story = again[again.index("== Daycare pickups") :]
    assert "  rosemont: 0 added, 0 changed, 0 removed\n" in story
    assert story.count("(done in an earlier run of the demo") == 3
    assert "  16:20 20 positions reported: 0 alerts\n" in story
    assert "(photo awaiting approval)" in story  # still waiting: nobody approved it
