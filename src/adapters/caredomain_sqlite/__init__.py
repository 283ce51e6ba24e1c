"""The embedded SQLite store: one file, WAL, migrations applied on open."""
