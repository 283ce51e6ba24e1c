"""What the ``caredomain pickup`` subcommands share: the platform built from its settings
(``--platform``, ``--settings``, ``--set``), the store's context, the daycare worked on, and
its files (children, parents, groups) for showing pickups."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from datetime import datetime
from typing import NoReturn

from attrs import field, frozen

from caredomain.cli.common import Console, choose_organisation, context_of, key_values, read_file
from caredomain.cli.i18n import N_, _
from caredomain.errors import InvalidInput
from caredomain.organisation import Organisation
from caredomain.pickup.model import Child, InstallationId, Parent
from caredomain.pickup.ports import HopHopPlatform, PickupPlatformSpec, pickup_unit_of_work
from caredomain.serialization import parse_toml, structure
from caredomain.services import ServiceContext

__all__ = [
    "DEFAULT_PLATFORM",
    "Files",
    "clock",
    "close_platform",
    "context_of",
    "daycare_of",
    "files_of",
    "installation_of",
    "located",
    "platform_of",
    "platform_options",
    "platform_settings",
    "spec_of",
]

DEFAULT_PLATFORM = "hophop"


def platform_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--platform",
        default=DEFAULT_PLATFORM,
        help=N_("the pickup platform, by the name `caredomain plugins` shows (default hophop)"),
    )
    parser.add_argument(
        "--settings",
        metavar="FILE",
        help=N_(
            "a TOML file whose [hophop] table sets the platform (the HopHop page of the "
            "documentation lists the settings)"
        ),
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=N_("a platform setting (url=http://127.0.0.1:8080, token_env=HOPHOP_TOKEN…)"),
    )


@frozen
class _SettingsFile:
    """A settings file: its ``[hophop]`` table; other tables are another tool's business."""

    hophop: dict[str, str] = field(factory=dict)


def platform_settings(args: argparse.Namespace) -> dict[str, str]:
    """The platform's settings: ``--set`` over the ``[hophop]`` table of ``--settings``."""
    values: dict[str, str] = {}
    if args.settings:
        document = parse_toml(read_file(args.settings), source=args.settings)
        table = {"hophop": document.get("hophop", {})}
        values = structure(table, _SettingsFile, source=args.settings).hophop
    return values | key_values(args.set)


def located(error: InvalidInput, args: argparse.Namespace, given: Mapping[str, str]) -> NoReturn:
    """Raise ``error`` located in the settings file when the setting at fault came from it."""
    if (
        args.settings
        and error.field in given
        and not any(item.partition("=")[0].strip() == error.field for item in args.set)
    ):
        raise InvalidInput(
            error.message, source=args.settings, field=f"hophop.{error.field}", text=error.text
        ) from None
    raise error


def spec_of(console: Console, args: argparse.Namespace) -> PickupPlatformSpec:
    specs = console.plugins().pickup_platform_specs()
    spec = specs.get(args.platform)
    if spec is None:
        offered = ", ".join(sorted(specs)) or _("none")
        refused = _("no plugin offers this pickup platform (offered: {offered})")
        raise InvalidInput(refused.format(offered=offered), field="--platform", text=args.platform)
    return spec


def platform_of(console: Console, args: argparse.Namespace) -> HopHopPlatform:
    spec = spec_of(console, args)
    settings = platform_settings(args)
    try:
        return spec.create(settings)
    except InvalidInput as error:
        located(error, args, settings)


def close_platform(platform: object) -> None:
    close = getattr(platform, "close", None)
    if callable(close):
        close()


def daycare_of(context: ServiceContext, wanted: str | None) -> Organisation:
    """The daycare to work on: an organisation with installations."""
    with pickup_unit_of_work(context.store, write=False) as uow:
        ids = [i for i in uow.organisations.ids() if uow.pickup.installations(i)]
        return uow.organisations.get(choose_organisation(ids, wanted))


@frozen
class Files:
    children: dict[str, Child]
    parents: dict[str, Parent]
    groups: dict[str, str]  # id -> name


def files_of(context: ServiceContext, organisation_id: str) -> Files:
    with pickup_unit_of_work(context.store, write=False) as uow:
        return Files(
            {c.id: c for c in uow.pickup.children(organisation_id)},
            {p.id: p for p in uow.pickup.parents(organisation_id)},
            {g.id: g.name for g in uow.pickup.groups(organisation_id)},
        )


def installation_of(context: ServiceContext, organisation_id: str, wanted: str) -> InstallationId:
    """``--installation``, if the daycare has it: an unknown one would list nothing."""
    with pickup_unit_of_work(context.store, write=False) as uow:
        known = [installation.id for installation in uow.pickup.installations(organisation_id)]
    if wanted not in known:
        refused = _("no such installation (known: {known})").format(known=", ".join(known))
        raise InvalidInput(refused, field="--installation", text=wanted)
    return InstallationId(wanted)


def clock(moment: datetime | None, organisation: Organisation) -> str:
    return "--:--" if moment is None else organisation.local(moment).strftime("%H:%M")
