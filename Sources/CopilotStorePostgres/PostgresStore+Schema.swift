import CopilotCore

extension PostgresStore {
    /// The schema's versions, in order. Each is applied once and recorded in `schema_migrations`. Never
    /// edit one that shipped: add the next.
    static let migrations: [(version: String, statements: [String])] = [
        (
            "v1-inbox",
            [
                """
                CREATE TABLE events (
                    seq BIGSERIAL PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    delivery_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    received_at DOUBLE PRECISION NOT NULL,
                    headers TEXT NOT NULL,
                    body BYTEA NOT NULL,
                    UNIQUE (source, delivery_id)
                )
                """
            ]
        ),
        ("v2-runs", runTables),
        (
            "v3-bodies-uncompressed",
            [
                // Bodies are kept out of line but not compressed: pglz on every 28 KB delivery was CPU in
                // the inbox's transaction, for JSON that is rarely read again. Disk is cheaper here.
                "ALTER TABLE events ALTER COLUMN body SET STORAGE EXTERNAL"
            ]
        ),
    ]

    /// "v2-runs": SQLite's schema at its v10 in one step, with three differences.
    /// - A run's steps, with their attempts, outputs and approvals, are one JSON document on its row
    ///   (`StoredSteps`): the aggregate is always read and written whole, and one row is one round trip
    ///   where SQLite's three tables cost one statement per step and attempt.
    /// - Bodies stay on `events`: PostgreSQL keeps large values out of line (TOAST) and an update of the
    ///   row's match state or lease does not copy them, which is why SQLite moved them out.
    /// - The claim queue (`parked`, `claimable`, see `PostgresStore+ClaimQueue`) is the same, with
    ///   partial indexes that `FOR UPDATE SKIP LOCKED` walks.
    static var runTables: [String] {
        let holding = RunStatus.allCases.filter(\.holdsConcurrencySlot).map { "'\($0.rawValue)'" }
        let unfinished = RunStatus.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }
        return [
            """
            ALTER TABLE events
                ADD COLUMN match_state TEXT NOT NULL DEFAULT 'pending',
                ADD COLUMN match_reasons TEXT NOT NULL DEFAULT '[]',
                ADD COLUMN match_lease_owner TEXT,
                ADD COLUMN match_lease_until DOUBLE PRECISION
            """,
            "CREATE INDEX events_pending ON events (seq) WHERE match_state = 'pending'",
            "CREATE INDEX events_by_source_type ON events (source, type, seq)",
            """
            CREATE TABLE runs (
                seq BIGSERIAL PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                event_id TEXT NOT NULL REFERENCES events (id),
                playbook TEXT NOT NULL,
                subject TEXT NOT NULL,
                status TEXT NOT NULL,
                planner TEXT NOT NULL,
                plan TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                started_at DOUBLE PRECISION,
                concurrency_key TEXT,
                concurrency_limit BIGINT,
                traceparent TEXT,
                failed_step TEXT,
                cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
                wake_at DOUBLE PRECISION,
                lease_owner TEXT,
                lease_until DOUBLE PRECISION,
                parked BOOLEAN NOT NULL DEFAULT FALSE,
                claimable BOOLEAN NOT NULL DEFAULT FALSE,
                steps TEXT NOT NULL,
                UNIQUE (event_id, playbook)
            )
            """,
            "CREATE INDEX runs_by_event ON runs (event_id)",
            "CREATE INDEX runs_unfinished ON runs (status) WHERE status IN (\(unfinished.joined(separator: ", ")))",
            "CREATE INDEX runs_by_playbook_subject ON runs (playbook, subject, seq)",
            "CREATE INDEX runs_ready ON runs (seq) WHERE claimable AND wake_at IS NULL",
            "CREATE INDEX runs_timed ON runs (wake_at) WHERE claimable AND wake_at IS NOT NULL",
            "CREATE INDEX runs_parked ON runs (playbook, concurrency_key, seq) WHERE parked",
            """
            CREATE INDEX runs_holding ON runs (playbook, concurrency_key)
            WHERE status IN (\(holding.joined(separator: ", "))) OR (status = 'pending' AND NOT parked)
            """,
            "CREATE INDEX runs_by_key_created ON runs (playbook, concurrency_key, created_at)",
            """
            CREATE TABLE run_transcripts (
                run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
                conversation TEXT NOT NULL
            )
            """,
            "CREATE TABLE run_changes (seq BIGSERIAL PRIMARY KEY, run_id TEXT NOT NULL)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                hash TEXT NOT NULL UNIQUE,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION,
                revoked_at DOUBLE PRECISION
            )
            """,
            """
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at_ms BIGINT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL,
                previous_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE audit_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                seq BIGINT NOT NULL,
                hash TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_by_action ON audit_log (action, seq)",
            "CREATE INDEX audit_by_actor ON audit_log (actor, seq)",
        ]
    }
}
