"""``caredomain access``: access rights of seed 002, the operator's side.

* ``access catalogue`` prints the function catalogue: which function is available in
  console mode and in Administrator mode, as of which release;
* ``access route`` routes a support call (:mod:`caredomain.cli.access_support`).
"""

from __future__ import annotations

import argparse
from typing import Any

from caredomain.cli.access_support import add_support_parsers
from caredomain.cli.commands import COMMANDS
from caredomain.cli.options import Shared, add_group_options

__all__ = ["add_parser"]


def add_parser(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "access", help=COMMANDS["access"].help, description=COMMANDS["access"].help
    )
    shared = Shared(db=False)
    add_group_options(parser, shared)
    commands = parser.add_subparsers(dest="access_command", required=True, metavar="COMMAND")
    add_support_parsers(commands)
