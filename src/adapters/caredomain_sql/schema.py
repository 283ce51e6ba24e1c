"""The schema of the SQL stores, as an ordered list of migrations, written in SQLite's
dialect. (Past 400 lines: the list reads best whole, in the order it is applied.)

The SQLite store applies them as they are (:mod:`caredomain_sqlite.migrations`); the
PostgreSQL store translates each into its own dialect (:mod:`caredomain_postgres.schema`),
so that one list, and one version number, describes both stores. To change the schema,
append one ``Migration`` with the next version number; never edit one that has shipped.
"""

from __future__ import annotations

from caredomain_sql.migration import Migration

__all__ = ["LATEST_VERSION", "MIGRATIONS"]

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "organisations and the event journal",
        """
        CREATE TABLE organisations (
            id TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE events (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            document TEXT NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "appointment slots: settings, plan basis and appointments per organisation",
        """
        CREATE TABLE slot_settings (
            organisation TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE slot_plans (
            organisation TEXT PRIMARY KEY NOT NULL,
            planned_on TEXT NOT NULL,
            basis TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE slot_appointments (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            counter_id TEXT NOT NULL,
            start_second INTEGER NOT NULL,
            seat INTEGER NOT NULL CHECK (seat >= 0),
            status TEXT NOT NULL
                CHECK (status IN ('booked', 'cancelled', 'no_show', 'deprogrammed')),
            beneficiary TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
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
            key TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE roster_agents (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            skills TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE roster_plannings (
            id TEXT PRIMARY KEY NOT NULL,
            unit TEXT NOT NULL,
            label TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('draft', 'published'))
        ) WITHOUT ROWID;
        CREATE TABLE roster_posts (
            id TEXT PRIMARY KEY NOT NULL,
            planning TEXT NOT NULL REFERENCES roster_plannings (id),
            day INTEGER NOT NULL,
            starts_at TEXT NOT NULL,
            ends_at TEXT NOT NULL,
            skills TEXT NOT NULL,
            required INTEGER NOT NULL CHECK (required >= 1),
            closed INTEGER NOT NULL CHECK (closed IN (0, 1))
        ) WITHOUT ROWID;
        CREATE INDEX roster_posts_by_day ON roster_posts (day);
        CREATE TABLE roster_assignments (
            post TEXT NOT NULL REFERENCES roster_posts (id) ON DELETE CASCADE,
            agent TEXT NOT NULL,
            day INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('assigned', 'stood_down')),
            PRIMARY KEY (post, agent)
        ) WITHOUT ROWID;
        CREATE INDEX roster_assignments_by_agent_day ON roster_assignments (agent, day);
        CREATE INDEX roster_assignments_by_day ON roster_assignments (day);
        CREATE TABLE roster_codes (
            agent TEXT PRIMARY KEY NOT NULL,
            first INTEGER NOT NULL,
            codes TEXT NOT NULL,
            times TEXT NOT NULL,
            confirmed INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE TABLE roster_local_edits (
            agent TEXT NOT NULL,
            day INTEGER NOT NULL,
            code TEXT NOT NULL,
            edited_at TEXT NOT NULL,
            edited_by TEXT NOT NULL,
            previous TEXT,
            PRIMARY KEY (agent, day)
        ) WITHOUT ROWID;
        CREATE TABLE gtt_batches (
            source TEXT NOT NULL,
            extracted_at TEXT NOT NULL,
            size INTEGER NOT NULL,
            applied_at TEXT NOT NULL,
            summary TEXT NOT NULL,
            PRIMARY KEY (source, extracted_at, size)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        4,
        "notifications: settings per organisation and the outbox",
        """
        CREATE TABLE notification_settings (
            organisation_id TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE outbox (
            key TEXT PRIMARY KEY NOT NULL,
            status TEXT NOT NULL CHECK (
                status IN ('pending', 'sending', 'sent', 'dead', 'skipped', 'withdrawn')
            ),
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            topic TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            due_at INTEGER NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            claim TEXT,
            lease_until INTEGER,
            last_error TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '',
            sent_at INTEGER,
            document TEXT NOT NULL
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
            organisation TEXT NOT NULL,
            key TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, key)
        ) WITHOUT ROWID;
        CREATE TABLE care_records (
            organisation TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('caregiver', 'client', 'service')),
            id TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, kind, id)
        ) WITHOUT ROWID;
        CREATE TABLE care_interventions (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            starts_at INTEGER NOT NULL,
            ends_at INTEGER NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        CREATE INDEX care_interventions_by_start ON care_interventions (organisation, starts_at);
        CREATE INDEX care_interventions_by_caregiver
            ON care_interventions (organisation, caregiver, starts_at);
        CREATE TABLE care_punches (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            organisation TEXT NOT NULL,
            punch_id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 0),
            intervention TEXT NOT NULL,
            document TEXT NOT NULL,
            UNIQUE (organisation, punch_id),
            UNIQUE (organisation, caregiver, sequence)
        );
        CREATE INDEX care_punches_by_intervention ON care_punches (organisation, intervention);
        CREATE TRIGGER care_punches_no_update BEFORE UPDATE ON care_punches
        BEGIN SELECT RAISE(ABORT, 'the punch log is append-only'); END;
        CREATE TRIGGER care_punches_no_delete BEFORE DELETE ON care_punches
        BEGIN SELECT RAISE(ABORT, 'the punch log is append-only'); END;
        CREATE TABLE care_corrections (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            intervention TEXT NOT NULL,
            document TEXT NOT NULL,
            UNIQUE (organisation, id)
        );
        CREATE INDEX care_corrections_by_caregiver ON care_corrections (organisation, caregiver);
        CREATE TRIGGER care_corrections_no_update BEFORE UPDATE ON care_corrections
        BEGIN SELECT RAISE(ABORT, 'the corrections log is append-only'); END;
        CREATE TRIGGER care_corrections_no_delete BEFORE DELETE ON care_corrections
        BEGIN SELECT RAISE(ABORT, 'the corrections log is append-only'); END;
        CREATE TABLE care_visit_entries (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            intervention TEXT NOT NULL,
            kind TEXT NOT NULL,
            document TEXT NOT NULL,
            UNIQUE (organisation, id)
        );
        CREATE INDEX care_visit_entries_by_intervention
            ON care_visit_entries (organisation, intervention);
        CREATE TRIGGER care_visit_entries_no_update BEFORE UPDATE ON care_visit_entries
        BEGIN SELECT RAISE(ABORT, 'the visit data is append-only'); END;
        CREATE TRIGGER care_visit_entries_no_delete BEFORE DELETE ON care_visit_entries
        BEGIN SELECT RAISE(ABORT, 'the visit data is append-only'); END;
        CREATE TABLE care_threads (
            organisation TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, caregiver)
        ) WITHOUT ROWID;
        CREATE TABLE care_requests (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            status TEXT NOT NULL,
            submitted_at INTEGER NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        CREATE TABLE care_alarms (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            state TEXT NOT NULL,
            triggered_at INTEGER NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        CREATE INDEX care_alarms_by_state ON care_alarms (organisation, state);
        CREATE TABLE care_devices (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            caregiver TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        6,
        "roster: the digest of the export lines that last stated each agent's GTT record",
        """
        ALTER TABLE roster_codes ADD COLUMN digest BLOB NOT NULL DEFAULT x'';
        """,
    ),
    Migration(
        7,
        "daycare pickups: files, HopHop accounts, what was synced, pickups, inbound ids",
        """
        CREATE TABLE pickup_files (
            organisation TEXT NOT NULL,
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, kind, id)
        ) WITHOUT ROWID;
        CREATE TABLE pickup_accounts (
            organisation TEXT NOT NULL,
            installation TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, installation)
        ) WITHOUT ROWID;
        CREATE TABLE pickup_sent (
            organisation TEXT NOT NULL,
            installation TEXT NOT NULL,
            reference TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, installation, reference)
        ) WITHOUT ROWID;
        CREATE TABLE pickup_pickups (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            installation TEXT NOT NULL,
            parent TEXT NOT NULL,
            open INTEGER NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        CREATE INDEX pickup_open_by_installation
            ON pickup_pickups (organisation, installation) WHERE open;
        CREATE INDEX pickup_open_by_parent ON pickup_pickups (organisation, parent) WHERE open;
        CREATE TABLE pickup_inbound (
            organisation TEXT NOT NULL,
            id TEXT NOT NULL,
            PRIMARY KEY (organisation, id)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        8,
        "access rights: configurations, users, attempts, sessions, break-glass, the audit journal",
        """
        CREATE TABLE access_configurations (
            id TEXT PRIMARY KEY NOT NULL,
            document TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE access_records (
            configuration TEXT NOT NULL,
            kind TEXT NOT NULL,
            id TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (configuration, kind, id)
        ) WITHOUT ROWID;
        CREATE TABLE access_audit (
            configuration TEXT NOT NULL,
            sequence INTEGER NOT NULL CHECK (sequence >= 1),
            kind TEXT NOT NULL,
            hash TEXT NOT NULL,
            document TEXT NOT NULL,
            PRIMARY KEY (configuration, sequence)
        ) WITHOUT ROWID;
        CREATE TRIGGER access_audit_no_update BEFORE UPDATE ON access_audit
        BEGIN SELECT RAISE(ABORT, 'the audit journal is append-only'); END;
        CREATE TRIGGER access_audit_no_delete BEFORE DELETE ON access_audit
        BEGIN SELECT RAISE(ABORT, 'the audit journal is append-only'); END;
        """,
    ),
    Migration(
        9,
        "slot settings versioned: a random version written with every save",
        """
        CREATE TABLE slot_settings_versions (
            organisation TEXT PRIMARY KEY NOT NULL,
            version TEXT NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO slot_settings_versions (organisation, version)
            SELECT organisation, 'migrated-' || organisation FROM slot_settings;
        """,
    ),
    Migration(
        10,
        "daycare pickups: the digest of each inbound message applied, to refuse its id reused",
        """
        ALTER TABLE pickup_inbound ADD COLUMN digest TEXT NOT NULL DEFAULT '';
        """,
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version
