import GRDB

extension SQLiteStore {
    /// The schema, one migration per released change. Never edit a migration once it shipped.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-inbox") { db in
            try db.execute(
                sql: """
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        source TEXT NOT NULL,
                        delivery_id TEXT NOT NULL,
                        type TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        received_at REAL NOT NULL,
                        headers TEXT NOT NULL,
                        body BLOB NOT NULL,
                        match_state TEXT NOT NULL DEFAULT 'pending',
                        UNIQUE (source, delivery_id)
                    );
                    CREATE INDEX events_pending ON events (match_state, seq);
                    """
            )
        }
        migrator.registerMigration("v2-runs", migrate: Self.createRunTables)
        migrator.registerMigration("v3-event-bodies", migrate: Self.moveBodies)
        migrator.registerMigration("v4-body-log") { db in
            // Where the event's body is in the store's `BodyLog`; NULL for a body in `event_bodies`
            // (stored before v4, or by a store without a log).
            try db.execute(
                sql: """
                    ALTER TABLE events ADD COLUMN body_segment INTEGER;
                    ALTER TABLE events ADD COLUMN body_offset INTEGER;
                    ALTER TABLE events ADD COLUMN body_length INTEGER;
                    """
            )
        }
        migrator.registerMigration("v5-planner", migrate: Self.addPlanner)
        migrator.registerMigration("v6-api-keys", migrate: Self.createAPIKeyTable)
        migrator.registerMigration("v7-audit", migrate: Self.createAuditTables)
        migrator.registerMigration("v8-claim-queue", migrate: Self.addClaimQueue)
        migrator.registerMigration("v9-run-changes", migrate: Self.createRunChanges)
        migrator.registerMigration("v10-run-changes-by-id", migrate: Self.keyRunChangesByRun)
        return migrator
    }

    /// "v5-planner": a run's subject (the planner is shown the last runs of the same playbook and
    /// subject, found by `runs_by_playbook_subject`), its plan record, and its planner transcript, kept
    /// apart because runs are saved after every step and the transcript only when the planner answers.
    static func addPlanner(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE runs ADD COLUMN subject TEXT NOT NULL DEFAULT '';
                ALTER TABLE runs ADD COLUMN plan TEXT;
                UPDATE runs SET subject = COALESCE((SELECT subject FROM events WHERE events.id = runs.event_id), '');
                CREATE INDEX runs_by_playbook_subject ON runs (playbook, subject, seq);
                CREATE TABLE run_transcripts (
                    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                    conversation TEXT NOT NULL
                );
                """
        )
    }

    /// "v3-event-bodies": raw bodies move to their own table. SQLite rewrites a whole row, overflow pages
    /// included, on any update, so each change of an event's match state or lease wrote its body (tens
    /// of kilobytes) again; bodies are written once and never updated.
    static func moveBodies(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE event_bodies (
                    event_seq INTEGER PRIMARY KEY REFERENCES events (seq) ON DELETE CASCADE,
                    body BLOB NOT NULL
                );
                INSERT INTO event_bodies (event_seq, body) SELECT seq, body FROM events;
                ALTER TABLE events DROP COLUMN body;
                """
        )
    }
}
