"""Saving the appointment configuration: who may change what, and what cannot be removed.

Seed 003: the global administrator holds the types, places, reference weeks and opening
days ("Configuration / Rendez-vous"); the management of counters is also open to the
services associated with their type.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import frozen

from caredomain.access import Action, Actor, Resource, authorize
from caredomain.errors import NotFound, RuleViolation
from caredomain.organisation import ConfigurationId
from caredomain.slots.appointments import Appointment
from caredomain.slots.checks import SettingWarning
from caredomain.slots.deprogramming import RefreshReport
from caredomain.slots.model import AppointmentType, CounterId
from caredomain.slots.settings import SettingsChanges, SlotSettings
from caredomain.text import Text

__all__ = ["Reconfigured", "authorize_changes", "refuse_removing_used_counters"]


@frozen
class Reconfigured:
    """The outcome of saving settings: the refresh it caused and the warnings to show."""

    report: RefreshReport
    warnings: tuple[SettingWarning, ...]


def authorize_changes(
    actor: Actor,
    changes: SettingsChanges,
    before: SlotSettings,
    after: SlotSettings,
    *,
    calendar_changed: bool,
    configuration: ConfigurationId,
) -> None:
    """Raise :class:`~caredomain.errors.Forbidden` unless ``actor`` may save ``changes``.

    Types, places, weeks and the opening calendar need :attr:`Action.SLOT_CONFIGURE`; each
    changed counter (or its week applications) :attr:`Action.COUNTER_MANAGE` for the
    services of its type.
    """
    if changes.types or changes.places or changes.weeks or calendar_changed:
        resource = Resource("slot settings", configuration=configuration)
        authorize(actor, Action.SLOT_CONFIGURE, resource)
    for counter_id in sorted(changes.counters):
        kind = _type_of(counter_id, after, before)
        resource = Resource(
            "counter", counter_id, services=kind.services, configuration=configuration
        )
        authorize(actor, Action.COUNTER_MANAGE, resource)


def _type_of(counter_id: CounterId, after: SlotSettings, before: SlotSettings) -> AppointmentType:
    """The type of a counter as saved, or as it was if the counter is being removed."""
    try:
        return after.type(after.counter(counter_id).type_id)
    except NotFound:
        return before.type(before.counter(counter_id).type_id)


def refuse_removing_used_counters(
    changes: SettingsChanges, after: SlotSettings, appointments: Iterable[Appointment]
) -> None:
    """A counter with appointments is kept for their sake: close it with an empty week."""
    removed = {c for c in changes.counters if c not in after.fingerprints()}
    if not removed:
        return
    for appointment in appointments:
        if appointment.counter_id in removed:
            raise RuleViolation(
                "counter.in_use",
                Text(
                    "counter {counter} has appointments; apply an empty "
                    "reference week to close it instead",
                    counter=appointment.counter_id,
                ),
            )
