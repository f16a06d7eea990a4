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

    /// "v10-run-changes-by-id": a change is the run's id alone, and the stream reads the run as it is
    /// when it sends the change. A copy of the run's state with every write was work on a storm's hot
    /// path (three writes a run, in the writer's transaction), for changes read far less often.
    /// The table is made again (numbers restart: a client resuming across the upgrade is told of a gap).
    static func keyRunChangesByRun(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP TABLE run_changes;
                CREATE TABLE run_changes (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL
                );
                """
        )
    }

    /// Appends a change of `run`. Every thousandth change deletes the changes more than
    /// `RunChange.retained` behind it: a thousand rows at a time, by primary key, so the table stays
    /// bounded at no cost a save would notice.
    static func recordChange(of run: Run, in db: Database) throws {
        try db.run("INSERT INTO run_changes (run_id) VALUES (\(run.id.rawValue))")
        let sequence = db.lastInsertedRowID
        if sequence % 1000 == 0 {
            try db.run("DELETE FROM run_changes WHERE seq <= \(sequence - RunChange.retained)")
        }
    }

    public func runChanges(after sequence: Int64, limit: Int) async throws(RunStoreError) -> RunChanges {
        try await read("run changes") { db in
            let rows = try db.rows(
                """
                SELECT run_changes.seq AS change_seq, runs.* FROM run_changes JOIN runs ON runs.id = run_changes.run_id
                WHERE run_changes.seq > \(sequence) ORDER BY run_changes.seq LIMIT \(max(limit, 0))
                """
            )
            // MIN and MAX of the primary key are one index probe each.
            let bounds = try db.row("SELECT MIN(seq) AS oldest, MAX(seq) AS newest FROM run_changes")
            let runs = try Self.runs(from: rows, in: db)
            let changes = zip(rows, runs).map { row, run in
                RunChange(sequence: row["change_seq"], state: RunChange.state(of: run))
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
