"""The schema of the PostgreSQL store, as an ordered list of migrations applied on open. (Past
400 lines would be the time to split it; it reads best whole, in the order it is applied.)

The versions and their descriptions are those of the SQLite store
(:mod:`caredomain_sqlite.migrations`), so that ``schema_version`` means the same in both.
To change the schema, append one ``Migration`` with the next version number to both; never
edit one that has shipped.

Text that queries sort or compare is of the domain ``ordered_text`` (``text`` collated
``"C"``): ids sort by code point, as in SQLite and in Python, whatever the database's locale.
Instants are whole microseconds since the epoch (``bigint``), flags ``boolean``. The
append-only logs are guarded by triggers that refuse ``UPDATE``, ``DELETE`` and
``TRUNCATE`` with an integrity error (SQLSTATE 23000).
"""

from __future__ import annotations

from caredomain_sql.migration import Migration

__all__ = ["LATEST_VERSION", "MIGRATIONS"]

_APPEND_ONLY = """
CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{what} is append-only' USING ERRCODE = 'integrity_constraint_violation';
END $$;
CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_refuse();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse();
"""


def _append_only(table: str, what: str) -> str:
    return _APPEND_ONLY.format(table=table, what=what)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "organisations and the event journal",
        """
        CREATE DOMAIN ordered_text AS text COLLATE "C";
        CREATE TABLE organisations (
            id ordered_text PRIMARY KEY,
            document text NOT NULL
        );
        CREATE TABLE events (
            position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            event_id ordered_text NOT NULL UNIQUE,
            kind text NOT NULL,
            occurred_at text NOT NULL,
            document text NOT NULL
        );
        CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify(TG_TABLE_SCHEMA || '.caredomain_events', '');
            RETURN NULL;
        END $$;
        CREATE TRIGGER events_committed AFTER INSERT ON events
            FOR EACH STATEMENT EXECUTE FUNCTION events_notify();
        """,
    ),
    Migration(
        2,
        "appointment slots: settings, plan basis and appointments per organisation",
        """
        CREATE TABLE slot_settings (
            organisation ordered_text PRIMARY KEY,
            document text NOT NULL
        );
        CREATE TABLE slot_plans (
            organisation ordered_text PRIMARY KEY,
            planned_on text NOT NULL,
            basis text NOT NULL
        );
        CREATE TABLE slot_appointments (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            counter_id ordered_text NOT NULL,
            start_second bigint NOT NULL,
            seat integer NOT NULL CHECK (seat >= 0),
            status text NOT NULL
                CHECK (status IN ('booked', 'cancelled', 'no_show', 'deprogrammed')),
            beneficiary ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        CREATE UNIQUE INDEX slot_appointments_one_per_seat
            ON slot_appointments (organisation, counter_id, start_second, seat)
            WHERE status = 'booked';
        CREATE INDEX slot_appointments_by_status
            ON slot_appointments (organisation, status, start_second);
        CREATE INDEX slot_appointments_by_counter
            ON slot_appointments (organisation, counter_id, start_second);
        CREATE INDEX slot_appointments_by_beneficiary
            ON slot_appointments (organisation, beneficiary, start_second);
        """,
    ),
    Migration(
        3,
        "rosters: GTT codes per agent, local edits, plannings, posts, assignments, batches",
        """
        CREATE TABLE roster_documents (
            key ordered_text PRIMARY KEY,
            document text NOT NULL
        );
        CREATE TABLE roster_agents (
            id ordered_text PRIMARY KEY,
            name text NOT NULL,
            skills text NOT NULL
        );
        CREATE TABLE roster_plannings (
            id ordered_text PRIMARY KEY,
            unit text NOT NULL,
            label text NOT NULL,
            status text NOT NULL CHECK (status IN ('draft', 'published'))
        );
        CREATE TABLE roster_posts (
            id ordered_text PRIMARY KEY,
            planning ordered_text NOT NULL REFERENCES roster_plannings (id),
            day integer NOT NULL,
            starts_at ordered_text NOT NULL,
            ends_at text NOT NULL,
            skills text NOT NULL,
            required integer NOT NULL CHECK (required >= 1),
            closed boolean NOT NULL
        );
        CREATE INDEX roster_posts_by_day ON roster_posts (day);
        CREATE TABLE roster_assignments (
            post ordered_text NOT NULL REFERENCES roster_posts (id) ON DELETE CASCADE,
            agent ordered_text NOT NULL,
            day integer NOT NULL,
            state text NOT NULL CHECK (state IN ('assigned', 'stood_down')),
            PRIMARY KEY (post, agent)
        );
        CREATE INDEX roster_assignments_by_agent_day ON roster_assignments (agent, day);
        CREATE INDEX roster_assignments_by_day ON roster_assignments (day);
        CREATE TABLE roster_codes (
            agent ordered_text PRIMARY KEY,
            first integer NOT NULL,
            codes text NOT NULL,
            times text NOT NULL,
            confirmed bigint NOT NULL DEFAULT 0
        );
        CREATE TABLE roster_local_edits (
            agent ordered_text NOT NULL,
            day integer NOT NULL,
            code text NOT NULL,
            edited_at text NOT NULL,
            edited_by text NOT NULL,
            previous text,
            PRIMARY KEY (agent, day)
        );
        CREATE TABLE gtt_batches (
            source ordered_text NOT NULL,
            extracted_at ordered_text NOT NULL,
            size bigint NOT NULL,
            applied_at ordered_text NOT NULL,
            summary text NOT NULL,
            PRIMARY KEY (source, extracted_at, size)
        );
        """,
    ),
    Migration(
        4,
        "notifications: settings per organisation and the outbox",
        """
        CREATE TABLE notification_settings (
            organisation_id ordered_text PRIMARY KEY,
            document text NOT NULL
        );
        CREATE TABLE outbox (
            key ordered_text PRIMARY KEY,
            status text NOT NULL CHECK (
                status IN ('pending', 'sending', 'sent', 'dead', 'skipped', 'withdrawn')
            ),
            channel text NOT NULL,
            kind text NOT NULL,
            topic text NOT NULL,
            created_at bigint NOT NULL,
            due_at bigint NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            claim text,
            lease_until bigint,
            last_error text NOT NULL DEFAULT '',
            detail text NOT NULL DEFAULT '',
            sent_at bigint,
            document text NOT NULL
        );
        CREATE INDEX outbox_due ON outbox (status, due_at);
        CREATE INDEX outbox_by_topic ON outbox (topic, kind) WHERE status = 'pending';
        CREATE INDEX outbox_by_claim ON outbox (claim) WHERE claim IS NOT NULL;
        """,
    ),
    Migration(
        5,
        "home care: caregivers, clients, planning, the append-only punch log, corrections "
        "and visit data, threads, requests, phonebook, alarms, devices, platform state",
        """
        CREATE TABLE care_documents (
            organisation ordered_text NOT NULL,
            key ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, key)
        );
        CREATE TABLE care_records (
            organisation ordered_text NOT NULL,
            kind text NOT NULL CHECK (kind IN ('caregiver', 'client', 'service')),
            id ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, kind, id)
        );
        CREATE TABLE care_interventions (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            starts_at bigint NOT NULL,
            ends_at bigint NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        CREATE INDEX care_interventions_by_start ON care_interventions (organisation, starts_at);
        CREATE INDEX care_interventions_by_caregiver
            ON care_interventions (organisation, caregiver, starts_at);
        CREATE TABLE care_punches (
            position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            organisation ordered_text NOT NULL,
            punch_id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            sequence integer NOT NULL CHECK (sequence >= 0),
            intervention ordered_text NOT NULL,
            document text NOT NULL,
            UNIQUE (organisation, punch_id),
            UNIQUE (organisation, caregiver, sequence)
        );
        CREATE INDEX care_punches_by_intervention ON care_punches (organisation, intervention);
        CREATE TABLE care_corrections (
            position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            intervention ordered_text NOT NULL,
            document text NOT NULL,
            UNIQUE (organisation, id)
        );
        CREATE INDEX care_corrections_by_caregiver ON care_corrections (organisation, caregiver);
        CREATE TABLE care_visit_entries (
            position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            intervention ordered_text NOT NULL,
            kind text NOT NULL,
            document text NOT NULL,
            UNIQUE (organisation, id)
        );
        CREATE INDEX care_visit_entries_by_intervention
            ON care_visit_entries (organisation, intervention);
        CREATE TABLE care_threads (
            organisation ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, caregiver)
        );
        CREATE TABLE care_requests (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            status text NOT NULL,
            submitted_at bigint NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        CREATE TABLE care_alarms (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            state text NOT NULL,
            triggered_at bigint NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        CREATE INDEX care_alarms_by_state ON care_alarms (organisation, state);
        CREATE TABLE care_devices (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            caregiver ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        """
        + _append_only("care_punches", "the punch log")
        + _append_only("care_corrections", "the corrections log")
        + _append_only("care_visit_entries", "the visit data"),
    ),
    Migration(
        6,
        "roster: the digest of the export lines that last stated each agent's GTT record",
        """
        ALTER TABLE roster_codes ADD COLUMN digest bytea NOT NULL DEFAULT '\\x';
        """,
    ),
    Migration(
        7,
        "daycare pickups: files, HopHop accounts, what was synced, pickups, inbound ids",
        """
        CREATE TABLE pickup_files (
            organisation ordered_text NOT NULL,
            kind text NOT NULL,
            id ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, kind, id)
        );
        CREATE TABLE pickup_accounts (
            organisation ordered_text NOT NULL,
            installation ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, installation)
        );
        CREATE TABLE pickup_sent (
            organisation ordered_text NOT NULL,
            installation ordered_text NOT NULL,
            reference ordered_text NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, installation, reference)
        );
        CREATE TABLE pickup_pickups (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            installation ordered_text NOT NULL,
            parent ordered_text NOT NULL,
            open boolean NOT NULL,
            document text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        CREATE INDEX pickup_open_by_installation
            ON pickup_pickups (organisation, installation) WHERE open;
        CREATE INDEX pickup_open_by_parent ON pickup_pickups (organisation, parent) WHERE open;
        CREATE TABLE pickup_inbound (
            organisation ordered_text NOT NULL,
            id ordered_text NOT NULL,
            PRIMARY KEY (organisation, id)
        );
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
