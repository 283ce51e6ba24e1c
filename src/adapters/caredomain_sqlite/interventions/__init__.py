"""The home-care tables (schema version 5) behind
:class:`~caredomain.interventions.ports.InterventionRepository`.

Records are the JSON documents of :func:`caredomain.serialization.unstructure`, with the
columns the queries filter on beside them (instants as integer microseconds since the
epoch, in UTC). The punch log, the corrections and the visit data are append-only: rows
are only ever inserted, and triggers refuse an ``UPDATE`` or a ``DELETE`` of them
(:class:`~caredomain.errors.Conflict`), whoever tries.

The repository (:mod:`~caredomain_sqlite.interventions.repository`) is put together from
one part per kind of record: :mod:`~caredomain_sqlite.interventions.documents`,
:mod:`~caredomain_sqlite.interventions.planning`,
:mod:`~caredomain_sqlite.interventions.visit_logs`,
:mod:`~caredomain_sqlite.interventions.messages`, :mod:`~caredomain_sqlite.interventions.alarms`
and :mod:`~caredomain_sqlite.interventions.devices`, over
:mod:`~caredomain_sqlite.interventions.tables`.
"""

from caredomain_sqlite.interventions.repository import SqliteInterventions

__all__ = ["SqliteInterventions"]
