"""The two modes a configuration's functions run in (seed 002): the technicians' console
mode ("mode pupitre") and the customer's Administrator mode."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Mode"]


class Mode(StrEnum):
    CONSOLE = "console"  # "mode pupitre": the vendor's technicians only
    ADMINISTRATOR = "administrator"  # "mode Administrateur": the customer's administrator
