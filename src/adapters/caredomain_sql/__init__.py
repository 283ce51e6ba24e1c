"""What the SQL stores share: the repositories whose queries read the same in SQLite and in
PostgreSQL, written once against :class:`~caredomain_sql.statements.Statements`.

Not a plugin: ``caredomain_sqlite`` and ``caredomain_postgres`` build their units of work
from these repositories, each with its own connections, migrations and error translation.
Where the two dialects differ (``FOR UPDATE SKIP LOCKED``, JSON arrays as rows, row locks),
the unit's :class:`~caredomain_sql.statements.Dialect` says how; queries are written with
``?`` placeholders, which the PostgreSQL unit rewrites for its driver.
"""

from caredomain_sql.statements import ConstraintViolated, Dialect, Statements

__all__ = ["ConstraintViolated", "Dialect", "Statements"]
