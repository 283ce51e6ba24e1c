"""The access chapter of the demo, on a real SQLite file, run twice."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from caredomain.access import Actor
from caredomain.cli.access_demo import access_chapter
from caredomain.cli.common import Console, sqlite_url
from caredomain.cli.demo_run import DemoRun, sample_configuration
from caredomain.embedding import open_context
from caredomain.plugins import load_plugins


def _run(path: Path) -> str:
    out = io.StringIO()
    console = Console(out=out, err=io.StringIO(), environ={})
    plugins = load_plugins({})
    with open_context(sqlite_url(path), plugins=plugins) as context:
        demo = DemoRun(
            console=console,
            context=context,
            plugins=plugins,
            admin=Actor.administrator("demo-admin"),
            organisation=sample_configuration().organisation,
            today=date(2026, 12, 3),
            days=1,
        )
        access_chapter(demo)
    return out.getvalue()


def test_the_chapter_tells_the_seed_story_and_verifies_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    first = _run(path)
    assert "bases metz-ccas, metz-etat-civil; administrator Marie DUPONT" in first
    assert "2024-05-15, transition: the console password opens Administrator mode" in first
    assert "2024-08-01: the console password is refused: wrong password: since 2024-07-01" in first
    assert "2024-08-01: her own password opens it (administrator-password)" in first
    assert "console mode refused: after the transition the console opens only through" in first
    assert "report sent to mdupont@metz.fr" in first
    assert "chain verified" in first
    second = _run(path)
    assert "chain verified" in second
    assert "pupitre-demo-2024" not in first + second
