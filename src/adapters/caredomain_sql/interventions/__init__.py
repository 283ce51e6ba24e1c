"""The home-care tables (schema version 5) behind
:class:`~caredomain.interventions.ports.InterventionRepository`.

Records are the JSON documents of :func:`caredomain.serialization.unstructure`, with the
columns the queries filter on beside them (instants as integer microseconds since the
epoch, in UTC). The punch log, the corrections and the visit data are append-only: rows
are only ever inserted, and triggers refuse an ``UPDATE`` or a ``DELETE`` of them
(:class:`~caredomain.errors.Conflict`), whoever tries.

The repository (:mod:`~caredomain_sql.interventions.repository`) is put together from
one part per kind of record: :mod:`~caredomain_sql.interventions.documents`,
:mod:`~caredomain_sql.interventions.planning`,
:mod:`~caredomain_sql.interventions.visit_logs`,
:mod:`~caredomain_sql.interventions.messages`, :mod:`~caredomain_sql.interventions.alarms`
and :mod:`~caredomain_sql.interventions.devices`, over
:mod:`~caredomain_sql.interventions.tables`.
"""

from caredomain_sql.interventions.repository import SqlInterventions

__all__ = ["SqlInterventions"]
