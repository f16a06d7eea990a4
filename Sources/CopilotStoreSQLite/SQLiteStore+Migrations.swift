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
        return migrator
    }
}
