"""The installed packages are the checkout's sources: an editable install must not hide the
adapters being edited behind copies made when it was installed."""

from __future__ import annotations

from pathlib import Path

import pytest

import caredomain

SOURCES = Path(__file__).resolve().parents[1] / "src"
ADAPTERS = (
    "caredomain_sqlite",
    "caredomain_gtt",
    "caredomain_messaging",
    "caredomain_penbase",
    "caredomain_hophop",
)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_an_editable_install_imports_each_adapter_from_the_sources(adapter: str) -> None:
    if Path(caredomain.__file__).resolve().parent != SOURCES / "caredomain":
        pytest.skip("caredomain is not installed from this checkout (a wheel install)")
    module = __import__(adapter)
    assert Path(module.__file__).resolve().parent == SOURCES / "adapters" / adapter
