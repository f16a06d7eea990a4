import GRDB

extension SQLiteStore {
    /// "v2-runs": the match result on `events`, and runs with their steps and attempts. A step's outputs
    /// and approval live on its row (one JSON column, four decision columns); attempts have their own table.
    static func createRunTables(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE events ADD COLUMN match_reasons TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE events ADD COLUMN match_lease_owner TEXT;
                ALTER TABLE events ADD COLUMN match_lease_until REAL;
                CREATE TABLE runs (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    event_id TEXT NOT NULL REFERENCES events (id),
                    playbook TEXT NOT NULL,
                    status TEXT NOT NULL,
                    planner TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    started_at REAL,
                    concurrency_key TEXT,
                    concurrency_limit INTEGER,
                    traceparent TEXT,
                    failed_step TEXT,
                    cancel_requested INTEGER NOT NULL DEFAULT 0,
                    wake_at REAL,
                    lease_owner TEXT,
                    lease_until REAL,
                    UNIQUE (event_id, playbook)
                );
                CREATE INDEX runs_by_status ON runs (status, seq);
                CREATE INDEX runs_by_playbook_key ON runs (playbook, concurrency_key, status);
                CREATE TABLE run_steps (
                    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    id TEXT NOT NULL,
                    uses TEXT NOT NULL,
                    outcome TEXT,
                    outputs TEXT,
                    error TEXT,
                    started_at REAL,
                    finished_at REAL,
                    approval_requested_at REAL,
                    approval_decision TEXT,
                    approval_by TEXT,
                    approval_comment TEXT,
                    approval_at REAL,
                    PRIMARY KEY (run_id, id)
                );
                CREATE TABLE step_attempts (
                    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
                    step_id TEXT NOT NULL,
                    number INTEGER NOT NULL,
                    started_at REAL NOT NULL,
                    finished_at REAL,
                    outcome TEXT,
                    error TEXT,
                    PRIMARY KEY (run_id, step_id, number)
                );
                """
        )
    }
}
