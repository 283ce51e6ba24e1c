"""The appointment book's tables behind :class:`~caredomain.slots.ports.SlotRepository`.

``slot_settings`` holds each organisation's settings as one JSON document;
``slot_settings_versions`` the random version written with them at every save (schema
version 8: a table of its own, so that reading it does not walk the document's pages);
``slot_plans``
the basis of its plan (the day, zone and calendar it was planned with), never the slots
themselves; ``slot_appointments`` one row per appointment, with the columns the queries
filter on beside its JSON document. A partial unique index on (organisation, counter,
start, seat) among booked appointments makes a double booking impossible whatever the
transactions around it do: a violation becomes :class:`~caredomain.errors.Conflict`.

What a write unit reads it holds until it ends (:meth:`Statements.serialise`; nothing to
do on SQLite): the organisation's planning under one key, ``slot planning …``, shared by
bookings, so that they read it side by side, yet none reads a calendar or settings that a
planning change (exclusive) is replacing (:meth:`SqlSlots.hold_planning`); the
appointments of at most a few counters, and one appointment read by its id, exclusively.
Every unit takes the planning before any appointment or counter, so that the kinds of lock
cannot wait for each other in a circle.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from caredomain.calendar import OpeningCalendar
from caredomain.errors import Conflict, InvalidInput, NotFound
from caredomain.organisation import OrganisationId
from caredomain.serialization import structure
from caredomain.slots.appointments import Appointment
from caredomain.slots.model import AppointmentId, CounterId
from caredomain.slots.ports import PlanBasis
from caredomain.slots.settings import SlotSettings
from caredomain.text import Text
from caredomain_sql.documents import as_json, loaded, parsed
from caredomain_sql.statements import ConstraintViolated, Statements

__all__ = ["SqlSlots"]

_CHUNK = 500  # counters per "IN (…)" query, well under SQLite's limit on parameters
_SERIALISED = 64
"""A read of at most this many counters holds them until the unit ends (a booking, a
cancellation); a wider one (a nightly refresh) relies on the unique index alone."""


def _second(moment: datetime, what: str) -> int:
    if moment.utcoffset() is None:
        raise InvalidInput(
            Text("a timezone-aware datetime is required"), field=what, text=str(moment)
        )
    return int(moment.timestamp())


class SqlSlots:
    """:class:`~caredomain.slots.ports.SlotRepository` over the ``slot_*`` tables."""

    def __init__(self, unit: Statements) -> None:
        self._unit = unit

    # -- settings and plan ------------------------------------------------------------

    def hold_planning(self, organisation_id: OrganisationId, *, shared: bool = False) -> None:
        self._unit.serialise([_planning_key(organisation_id)], shared=shared)

    def settings(self, organisation_id: OrganisationId) -> SlotSettings | None:
        found = self.versioned_settings(organisation_id)
        return None if found is None else found[1]

    def settings_version(self, organisation_id: OrganisationId) -> str | None:
        # Before the read, so that the version read is the one committed by the last
        # planning change, never one being replaced (the cache keeps versions read).
        self._unit.serialise([_planning_key(organisation_id)], shared=True)
        rows = self._unit.query(
            "SELECT version FROM slot_settings_versions WHERE organisation = ?",
            (organisation_id,),
        )
        return str(rows[0][0]) if rows else None

    def versioned_settings(
        self, organisation_id: OrganisationId
    ) -> tuple[str, SlotSettings] | None:
        self._unit.serialise([_planning_key(organisation_id)], shared=True)
        rows = self._unit.query(
            "SELECT version, document FROM slot_settings "
            "JOIN slot_settings_versions USING (organisation) WHERE organisation = ?",
            (organisation_id,),
        )
        if not rows:
            return None
        version, document = rows[0]
        source = Text("slot settings of {organisation}", organisation=repr(organisation_id))
        return str(version), structure(parsed(document, source), SlotSettings, source=source)

    def save_settings(self, organisation_id: OrganisationId, settings: SlotSettings) -> None:
        self._unit.serialise([_planning_key(organisation_id)])
        self._unit.change(
            "INSERT INTO slot_settings (organisation, document) VALUES (?, ?) "
            "ON CONFLICT (organisation) DO UPDATE SET document = excluded.document",
            (organisation_id, as_json(settings)),
        )
        # A random version, new at every save, in the same transaction.
        self._unit.change(
            "INSERT INTO slot_settings_versions (organisation, version) VALUES (?, ?) "
            "ON CONFLICT (organisation) DO UPDATE SET version = excluded.version",
            (organisation_id, secrets.token_hex(16)),
        )

    def plan_basis(self, organisation_id: OrganisationId) -> PlanBasis | None:
        rows = self._unit.query(
            "SELECT planned_on, basis FROM slot_plans WHERE organisation = ?", (organisation_id,)
        )
        return _plan_basis(rows[0][0], rows[0][1], organisation_id) if rows else None

    def save_plan_basis(self, organisation_id: OrganisationId, basis: PlanBasis) -> None:
        document = as_json({"zone": basis.zone, "calendar": basis.calendar})
        self._unit.serialise([_planning_key(organisation_id)])
        self._unit.change(
            "INSERT INTO slot_plans (organisation, planned_on, basis) VALUES (?, ?, ?) "
            "ON CONFLICT (organisation) DO UPDATE "
            "SET planned_on = excluded.planned_on, basis = excluded.basis",
            (organisation_id, basis.day.isoformat(), document),
        )

    # -- appointments -----------------------------------------------------------------

    def appointment(
        self, organisation_id: OrganisationId, appointment_id: AppointmentId
    ) -> Appointment:
        # A use case that reads one appointment changes it (cancels, reschedules): another
        # one changing it waits, then reads what this one made of it.
        self._unit.serialise([f"appointment {organisation_id} {appointment_id}"])
        rows = self._unit.query(
            "SELECT document FROM slot_appointments WHERE organisation = ? AND id = ?",
            (organisation_id, appointment_id),
        )
        if not rows:
            raise NotFound(Text("no appointment {id}", id=repr(appointment_id)))
        return _appointment(rows[0][0], appointment_id)

    def appointments(
        self,
        organisation_id: OrganisationId,
        *,
        booked_only: bool = False,
        counters: Collection[CounterId] | None = None,
        start_from: datetime | None = None,
        start_before: datetime | None = None,
        beneficiary: str | None = None,
        limit: int | None = None,
    ) -> list[Appointment]:
        if limit is not None and limit < 0:
            raise InvalidInput(Text("must be zero or more"), field="limit", text=str(limit))
        where = ["organisation = ?"]
        params: list[Any] = [organisation_id]
        if booked_only:
            where.append("status = 'booked'")  # literal: lets SQLite use the partial index
        if start_from is not None:
            where.append("start_second >= ?")
            params.append(_second(start_from, "start_from"))
        if start_before is not None:
            where.append("start_second < ?")
            params.append(_second(start_before, "start_before"))
        if beneficiary is not None:
            where.append("beneficiary = ?")
            params.append(beneficiary)
        if counters is None:
            return self._select(where, params, limit)
        wanted = sorted(set(counters))
        if len(wanted) <= _SERIALISED:
            # A booking reads its counter's appointments before it chooses a seat: another
            # booking of that counter waits here, then sees this one's seat taken.
            self._unit.serialise([f"slots {organisation_id} {counter}" for counter in wanted])
        if not wanted:
            return []
        if len(wanted) <= _CHUNK:  # one query, in order already
            marks = ", ".join("?" * len(wanted))
            return self._select([*where, f"counter_id IN ({marks})"], [*params, *wanted], limit)
        found: list[tuple[int, str, str]] = []
        for offset in range(0, len(wanted), _CHUNK):
            chunk = wanted[offset : offset + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            found += self._rows([*where, f"counter_id IN ({marks})"], [*params, *chunk], limit)
        found.sort()
        return [_appointment(document, key) for _, key, document in found[:limit]]

    def _select(self, where: list[str], params: list[Any], limit: int | None) -> list[Appointment]:
        return [_appointment(row[2], row[1]) for row in self._query(where, params, limit)]

    def _rows(
        self, where: list[str], params: list[Any], limit: int | None
    ) -> list[tuple[int, str, str]]:
        return [(row[0], row[1], row[2]) for row in self._query(where, params, limit)]

    def _query(self, where: list[str], params: list[Any], limit: int | None) -> list[Any]:
        sql = (
            "SELECT start_second, id, document FROM slot_appointments WHERE "
            + " AND ".join(where)
            + " ORDER BY start_second, id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, min(limit, 2**63 - 1)]
        return self._unit.query(sql, tuple(params))

    def save_appointments(
        self, organisation_id: OrganisationId, appointments: Iterable[Appointment]
    ) -> None:
        for appointment in appointments:
            try:
                self._unit.change(
                    "INSERT INTO slot_appointments (organisation, id, counter_id, start_second, "
                    "seat, status, beneficiary, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (organisation, id) DO UPDATE SET "
                    "counter_id = excluded.counter_id, start_second = excluded.start_second, "
                    "seat = excluded.seat, status = excluded.status, "
                    "beneficiary = excluded.beneficiary, document = excluded.document",
                    (
                        organisation_id,
                        appointment.id,
                        appointment.counter_id,
                        appointment.start_second,
                        appointment.seat,
                        appointment.status.value,
                        appointment.beneficiary.id,
                        as_json(appointment),
                    ),
                )
            except ConstraintViolated as error:
                raise Conflict(
                    Text(
                        "seat {seat} of counter {counter} at {start} is already booked",
                        seat=appointment.seat,
                        counter=appointment.counter_id,
                        start=appointment.start.isoformat(),
                    )
                ) from error


def _planning_key(organisation_id: OrganisationId) -> str:
    return f"slot planning {organisation_id}"


@functools.lru_cache(maxsize=64)
def _plan_basis(planned_on: str, basis: str, organisation_id: str) -> PlanBasis:
    """The basis a stored row gives: immutable, so the few rows read last are structured
    once, not at every use case."""
    source = Text("slot plan of {organisation}", organisation=repr(organisation_id))
    data = parsed(basis, source)
    return PlanBasis(
        structure(planned_on, date, source=source),
        structure(data.get("zone"), ZoneInfo, source=source),
        structure(data.get("calendar"), OpeningCalendar, source=source),
    )


def _appointment(document: str, appointment_id: str) -> Appointment:
    return loaded(document, Appointment, Text("appointment {id}", id=repr(appointment_id)))
