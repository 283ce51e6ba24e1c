"""``caredomain plugins``: each loaded plugin, its version and the hooks it implements."""

from __future__ import annotations

import argparse
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "plugins", help=COMMANDS["plugins"].help, description=COMMANDS["plugins"].help
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    plugins = console.plugins()
    for info in plugins.describe():
        version = f" {info.version}" if info.version else ""
        console.print(f"{info.name}{version}  ({info.module})")
        for hook in info.hooks:
            console.print(f"    {hook}")
    for failure in plugins.failures:
        console.print(f"{failure.name}  NOT LOADED: {failure.error}")
    return 1 if plugins.failures else 0
