"""Each story in examples/ runs to the end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
# A story is a script; the other modules (such as the example plugin) are imported by them.
STORIES = sorted(
    p for p in EXAMPLES.glob("*.py") if 'if __name__ == "__main__":' in p.read_text("utf-8")
)

# What each story must print, so that a story silently doing nothing fails.
EXPECTED = {
    "write_a_plugin.py": [
        "plugin audit_trail: caredomain_feed_readers, caredomain_on_event, caredomain_senders",
        '"kind": "OrganisationConfigured"',
        "Subject: Plugin installed",
        "sent: ['sent']",
        "feed line 2: agent A12 on 2026-11-24 has code MAL",
    ],
}


def test_every_story_has_expectations() -> None:
    assert sorted(p.name for p in STORIES) == sorted(EXPECTED)


@pytest.mark.parametrize("story", STORIES, ids=lambda p: p.name)
def test_story_runs(story: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(story)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for line in EXPECTED[story.name]:
        assert line in result.stdout, f"{line!r} missing from:\n{result.stdout}"
