"""The plugin is found through its entry point and offers ``penbase``; its settings."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from caredomain.errors import InvalidInput
from caredomain.plugins import load_plugins
from caredomain_penbase import PenbaseClient, PenbaseSettings, Secret
from caredomain_penbase.reference import PenbaseServer

OFFICE_TOKEN = "office-token-Zq8xW2vR"


def test_the_plugin_is_registered_through_the_entry_point_group() -> None:
    found = {ep.name: ep.value for ep in entry_points(group="caredomain")}
    assert found["caredomain_penbase"] == "caredomain_penbase.plugin"


def test_hook_caredomain_mobile_platforms_offers_penbase(server: PenbaseServer) -> None:
    plugins = load_plugins({"CAREDOMAIN_PLUGINS_STRICT": "1"})
    specs = plugins.mobile_platform_specs()
    assert "penbase" in specs
    assert "url" in specs["penbase"].description
    info = {i.name: i.hooks for i in plugins.describe()}
    assert info["caredomain_penbase"] == ("caredomain_mobile_platforms",)
    platform = specs["penbase"].create({"url": server.url, "token": OFFICE_TOKEN})
    try:
        assert isinstance(platform, PenbaseClient)
        assert platform.name == f"penbase {server.url}"
        assert len(platform.pull()) == 0
    finally:
        platform.close()


def test_the_token_comes_from_the_variable_token_env_names() -> None:
    settings = PenbaseSettings.from_mapping(
        {"url": "https://penbase.example/api", "token_env": "MY_PENBASE", "attempts": "5"},
        {"MY_PENBASE": OFFICE_TOKEN},
    )
    assert settings.token.reveal() == OFFICE_TOKEN
    assert settings.url == "https://penbase.example/api/"
    assert settings.attempts == 5
    assert OFFICE_TOKEN not in repr(settings)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"url": "https://penbase.example"}, "token_env"),
        ({"url": "ftp://penbase.example", "token": "t"}, "url"),
        ({"url": "https://user:pw@penbase.example", "token": "t"}, "url"),
        ({"url": "https://penbase.example?token=t", "token": "t"}, "url"),
        ({"url": "https://penbase.example", "token": "t", "attempts": "0"}, "attempts"),
        ({"url": "https://penbase.example", "token": "t", "timeout": "soon"}, "timeout"),
        ({"url": "https://penbase.example", "token": "t", "colour": "blue"}, "colour"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        PenbaseSettings.from_mapping(settings, {})
    assert refused.value.field == field
    assert "pw" not in str(refused.value)


@pytest.mark.parametrize("token", ["tok\r\nen-1234", "tok\x00en-1234", "tokén-1234", "tok en-1234"])
def test_a_token_that_cannot_travel_in_a_header_is_refused_unshown(token: str) -> None:
    for refused in (
        lambda: PenbaseSettings(url="https://penbase.example", token=Secret(token)),
        lambda: PenbaseSettings.from_mapping({"url": "https://penbase.example", "token": token}),
    ):
        with pytest.raises(InvalidInput) as caught:
            refused()
        assert caught.value.field == "token"
        assert "en-1234" not in f"{caught.value}{caught.value!r}"


def test_the_reference_platform_under_its_old_name_warns() -> None:
    import caredomain_penbase
    from caredomain_penbase import reference

    with pytest.warns(DeprecationWarning, match="moved to caredomain_penbase.reference"):
        moved = caredomain_penbase.PenbaseServer
    assert moved is reference.PenbaseServer
    with pytest.raises(AttributeError):
        _ = caredomain_penbase.NoSuchThing
