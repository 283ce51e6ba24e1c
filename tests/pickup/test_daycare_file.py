"""The daycare file: the sample loads, and every mistake is refused naming the file and the
path at fault."""

from __future__ import annotations

import importlib.resources
from datetime import timedelta

import pytest

from caredomain.errors import InvalidInput
from caredomain.hours import TimeRange
from caredomain.pickup.daycare import load_daycare

HEAD = '[organisation]\nid = "cpe"\nname = "CPE"\nzone = "America/Toronto"\n'
SITE = '[[installations]]\nid = "a"\nname = "A"\n'


def test_the_sample_daycare_loads() -> None:
    text = importlib.resources.files("caredomain.data").joinpath("sample_daycare.toml")
    daycare = load_daycare(text.read_bytes(), source="sample_daycare.toml")
    assert (daycare.organisation.name, daycare.organisation.zone.key) == (
        "CPE Soleil",
        "America/Toronto",
    )
    assert [i.id for i in daycare.installations] == ["rosemont", "villeray"]
    assert daycare.installations[0].display_name == "CPE Soleil Rosemont"
    account = daycare.account("villeray")
    assert account is not None
    assert account.email == "soleil.villeray@hophop.ca"
    assert account.settings.preparation == timedelta(minutes=7)
    assert account.settings.call_window == TimeRange.parse("15h30-18h00")
    (florence,) = [c for c in daycare.children if c.id == "florence-roy-cote"]
    assert florence.parents == {"genevieve-roy", "mathieu-cote"}
    assert florence.group == "papillons"


def test_defaults_of_an_installation_and_its_account() -> None:
    daycare = load_daycare(HEAD + SITE + 'hophop = { email = "a@hophop.ca" }\n')
    (installation,) = daycare.installations
    assert installation.display_name == "A"
    account = daycare.account("a")
    assert account is not None
    assert account.problem is not None
    assert account.settings.preparation == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (SITE + SITE, "installations[1].id: the id is used twice"),
        (
            SITE + '[[groups]]\nid = "g"\ninstallation = "b"\nname = "G"\n',
            "groups[0].installation: no such id in the file (got 'b')",
        ),
        (
            SITE + 'hophop = { email = "a@h.ca", preparation_minutes = "5" }\n',
            "installations[0].hophop.preparation_minutes: expected a whole number",
        ),
        (
            SITE + 'hophop = { email = "a@h.ca", preparation_minutes = 0 }\n',
            "installations[0].hophop.preparation: a preparation time is more than zero",
        ),
        (
            SITE + 'hophop = { email = "a@h.ca", call_window = "15:30" }\n',
            "installations[0].hophop.call_window",
        ),
        (
            SITE
            + 'hophop = { email = "a@h.ca" }\n[[installations]]\nid = "b"\nname = "B"\n'
            + 'hophop = { email = "A@h.ca" }\n',
            "installations[1].hophop.email: another installation's HopHop account",
        ),
        (
            '[[parents]]\nid = "p"\nfirst_name = "P"\nlast_name = "Q"\nemail = "nope"\n',
            "parents[0].email: expected an e-mail address (got 'nope')",
        ),
        (
            SITE
            + '[[groups]]\nid = "g"\ninstallation = "a"\nname = "G"\n'
            + '[[children]]\nid = "c"\nfirst_name = "C"\nlast_name = "D"\n'
            + 'installation = "a"\ngroup = "g"\nparents = ["ghost"]\n',
            "children[0].parents[0]: no such id in the file (got 'ghost')",
        ),
        (
            SITE
            + '[[children]]\nid = "c"\nfirst_name = "C"\nlast_name = "D"\n'
            + 'installation = "a"\ngroup = "g"\n',
            "children[0].group: no such id in the file (got 'g')",
        ),
    ],
)
def test_a_mistake_names_the_file_and_the_path(body: str, error: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_daycare(HEAD + body, source="daycare.toml")
    assert str(refused.value).startswith(f"daycare.toml: {error}"), str(refused.value)
