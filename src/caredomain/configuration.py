"""An organisation's configuration file (TOML), structured through the one converter.

Each module adds its own section (appointment types, places, counters…) with a default,
so that older files keep loading. See ``docs/configuration.md``.
"""

from __future__ import annotations

from attrs import field, frozen

from caredomain.interventions.configuration import InterventionsConfiguration
from caredomain.notifications.configuration import NotificationConfiguration
from caredomain.organisation import Organisation
from caredomain.serialization import load_toml
from caredomain.slots.settings import SlotSettings

__all__ = ["Configuration", "load_configuration"]


@frozen
class Configuration:
    """Everything an organisation's configuration file holds."""

    organisation: Organisation
    slots: SlotSettings = field(factory=SlotSettings)
    """Appointment types, places, counters, reference weeks and their applications
    (``[slots]``); closures and public holidays are in ``organisation.calendar``."""
    notifications: NotificationConfiguration = field(factory=NotificationConfiguration)
    """How notifications leave: the sender of each channel, reminders, retries
    (``[notifications]``; see ``docs/notifications.md``)."""
    interventions: InterventionsConfiguration = field(factory=InterventionsConfiguration)
    """Home care: the DATI alarm's countdown, number and office e-mail, and the
    reconciliation's tolerances (``[interventions]``; see ``docs/interventions.md``)."""


def load_configuration(text: str | bytes, *, source: str | None = None) -> Configuration:
    """Read a configuration file's content (its bytes, or its text); errors name the file
    and the path at fault."""
    return load_toml(text, Configuration, source=source)
