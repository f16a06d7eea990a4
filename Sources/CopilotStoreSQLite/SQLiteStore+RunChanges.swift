public import CopilotCore
import CopilotExpressions
import GRDB

// The live stream's changes (`RunChange`): every write of a run appends one, in its transaction.
extension SQLiteStore {
    /// "v9-run-changes". `seq` is AUTOINCREMENT so a number is never handed out twice, even after the
    /// oldest changes are deleted: a client's `Last-Event-ID` then still means what it meant.
    static func createRunChanges(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE run_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    state TEXT NOT NULL
                );
                """
        )
    }

    /// Appends the change `run` is now. Every thousandth change deletes the changes more than
    /// `RunChange.retained` behind it: a thousand rows at a time, by primary key, so the table stays
    /// bounded at no cost a save would notice.
    static func recordChange(of run: Run, in db: Database) throws {
        try db.run("INSERT INTO run_changes (state) VALUES (\(RunChange.state(of: run).jsonText))")
        let sequence = db.lastInsertedRowID
        if sequence % 1000 == 0 {
            try db.run("DELETE FROM run_changes WHERE seq <= \(sequence - RunChange.retained)")
        }
    }

    public func runChanges(after sequence: Int64, limit: Int) async throws(RunStoreError) -> RunChanges {
        try await read("run changes") { db in
            let rows = try db.rows(
                "SELECT seq, state FROM run_changes WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(limit, 0))"
            )
            // MIN and MAX of the primary key are one index probe each.
            let bounds = try db.row("SELECT MIN(seq) AS oldest, MAX(seq) AS newest FROM run_changes")
            let changes = rows.compactMap { row -> RunChange? in
                guard let state = try? JSONValue(parsing: row["state"] as String) else { return nil }
                return RunChange(sequence: row["seq"], state: state)
            }
            return RunChanges(
                changes: changes,
                oldest: bounds?["oldest"],
                // The newest change is never deleted: only those `retained` behind it are.
                newest: bounds?["newest"] ?? 0
            )
        }
    }
}
