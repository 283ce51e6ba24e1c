"""``caredomain plugins``: each loaded plugin, its version and the hooks it implements."""

from __future__ import annotations

import argparse
from typing import Any

from caredomain.cli.commands import COMMANDS
from caredomain.cli.common import Console
from caredomain.cli.i18n import _, shown
from caredomain.cli.options import add_command_options


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "plugins", help=COMMANDS["plugins"].help, description=COMMANDS["plugins"].help
    )
    add_command_options(parser, None, json=True)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    plugins = console.plugins()
    if args.json:
        console.emit(
            {
                "plugins": [
                    {"name": i.name, "version": i.version, "module": i.module, "hooks": i.hooks}
                    for i in plugins.describe()
                ],
                "failures": [{"name": f.name, "error": f.error} for f in plugins.failures],
            }
        )
        return 1 if plugins.failures else 0
    for info in plugins.describe():
        version = f" {info.version}" if info.version else ""
        console.print(f"{info.name}{version}  ({info.module})")
        for hook in info.hooks:
            console.print(f"    {hook}")
    for failure in plugins.failures:
        console.print(
            _("{name}  NOT LOADED: {error}").format(name=failure.name, error=shown(failure.error))
        )
    return 1 if plugins.failures else 0
