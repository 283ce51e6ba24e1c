"""What each chapter of ``caredomain demo`` works with (:class:`DemoRun`), and the sample
files it uses, shipped in the package (``caredomain demo --samples DIR`` writes them out)."""

from __future__ import annotations

import importlib.resources
from datetime import date
from pathlib import Path

from attrs import frozen

from caredomain.access import Actor
from caredomain.cli.common import Console
from caredomain.cli.i18n import _
from caredomain.configuration import Configuration, load_configuration
from caredomain.errors import InvalidInput
from caredomain.organisation import Organisation
from caredomain.plugins import Plugins
from caredomain.services import ServiceContext

__all__ = ["SAMPLE", "DemoRun", "sample_configuration", "write_samples"]

SAMPLE = "sample_organisation.toml"


@frozen
class DemoRun:
    """What each chapter works with."""

    console: Console
    context: ServiceContext
    plugins: Plugins
    admin: Actor
    organisation: Organisation
    today: date
    days: int


def sample_configuration() -> Configuration:
    """The sample organisation shipped in the package."""
    text = importlib.resources.files("caredomain.data").joinpath(SAMPLE).read_text("utf-8")
    return load_configuration(text, source=SAMPLE)


def write_samples(folder: Path) -> list[Path]:
    """Copy the sample files shipped in the package into ``folder``; one already there is
    refused, naming it, before anything is written."""
    shipped = importlib.resources.files("caredomain.data").iterdir()
    samples = sorted(
        (entry for entry in shipped if entry.name.endswith((".toml", ".csv"))),
        key=lambda entry: entry.name,
    )
    taken = [folder / entry.name for entry in samples if (folder / entry.name).exists()]
    if taken:
        raise InvalidInput(_("already exists; not overwritten"), source=str(taken[0]))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for entry in samples:
            (folder / entry.name).write_bytes(entry.read_bytes())
    except OSError as error:
        raise InvalidInput(
            _("cannot write: {reason}").format(reason=error.strerror), source=str(folder)
        ) from None
    return [folder / entry.name for entry in samples]
