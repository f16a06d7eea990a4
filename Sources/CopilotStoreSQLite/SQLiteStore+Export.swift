public import CopilotCore
import CopilotExpressions
import GRDB

extension SQLiteStore: StoreExport {
    public func exportEvents(
        after position: Int64,
        limit: Int
    ) async throws(RunStoreError)
        -> [Exported<EventRecord>]
    {
        try await read("export events") { [bodies] db in
            try db.rows("SELECT * FROM events WHERE seq > \(position) ORDER BY seq LIMIT \(max(limit, 1))").map { row in
                // The match result without the runs: they are exported on their own.
                Exported(
                    position: row["seq"],
                    record: try Self.eventRecord(row, bodies: bodies, in: db, withRuns: false)
                )
            }
        }
    }

    public func exportRuns(after position: Int64, limit: Int) async throws(RunStoreError) -> [Exported<ExportedRun>] {
        try await read("export runs") { db in
            let rows = try db.rows("SELECT * FROM runs WHERE seq > \(position) ORDER BY seq LIMIT \(max(limit, 1))")
            // Each run with its own row's position: a row that is not a run (an unknown status) is
            // left out without shifting the others.
            let runs = try rows.compactMap { row in
                try Self.runs(from: [row], in: db).first.map { (position: row["seq"] as Int64, run: $0) }
            }
            var transcripts: [String: String] = [:]
            let ids = runs.map(\.run.id.rawValue)
            for row in try db.rows("SELECT run_id, conversation FROM run_transcripts WHERE run_id IN \(ids)") {
                transcripts[row["run_id"]] = row["conversation"]
            }
            return runs.map { position, run in
                let transcript = transcripts[run.id.rawValue].flatMap { try? JSONValue(parsing: $0) }
                    .flatMap(PlannerConversation.init(jsonValue:))
                return Exported(position: position, record: ExportedRun(run: run, transcript: transcript))
            }
        }
    }

    public func contents() async throws(RunStoreError) -> StoreContents {
        try await read("count the store") { db in
            let row = try db.row(
                """
                SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM runs) AS runs,
                    (SELECT COUNT(*) FROM api_keys) AS keys, (SELECT COUNT(*) FROM audit_log) AS audit
                """
            )
            return StoreContents(
                events: row?["events"] ?? 0,
                runs: row?["runs"] ?? 0,
                apiKeys: row?["keys"] ?? 0,
                auditRecords: row?["audit"] ?? 0
            )
        }
    }
}
