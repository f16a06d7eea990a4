public import CopilotCore
import CopilotExpressions
import Crypto
import GRDB
import Logging

extension SQLiteStore: AuditLog {
    /// "v7-audit": the hash-chained audit log and its head (`AuditLog`). `seq` is the record's number
    /// in the chain, not a rowid alias that SQLite may reuse: AUTOINCREMENT never hands out a number
    /// twice, so a removed record leaves a gap.
    static func createAuditTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    at_ms INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL,
                    detail TEXT NOT NULL,
                    previous_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE TABLE audit_head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq INTEGER NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_by_action ON audit_log (action, seq);
                CREATE INDEX audit_by_actor ON audit_log (actor, seq);
                """
        )
    }

    /// The audit chain's digest: SHA-256 in lowercase hex.
    public static let auditDigest: AuditRecord.Digest = { bytes in
        Hex.encode(SHA256.hash(data: bytes), count: SHA256.byteCount)
    }

    public func appendAudit(_ entries: [AuditEntry]) async throws(RunStoreError) {
        guard !entries.isEmpty else { return }
        try await auditAppends.submit(entries).get()
    }

    /// Appends concurrent callers' entries in one transaction (`GroupCommit`): a burst of refused
    /// requests must not queue one transaction each in front of the writer that deliveries need.
    static func appendAudit(
        _ batches: [[AuditEntry]],
        to writer: any DatabaseWriter,
        logger: Logger,
        then done: @escaping @Sendable ([Result<Void, RunStoreError>]) -> Void
    ) {
        write("append audit", to: writer, logger: logger) { db in
            try appendAudit(batches.flatMap { $0 }, in: db)
        } then: { result in
            done(batches.map { _ in result })
        }
    }

    /// Links `entries` after the stored head and writes them with the new head, inside the caller's
    /// transaction: the writer is single, so no other append can come between the read and the write.
    static func appendAudit(_ entries: [AuditEntry], in db: Database) throws {
        guard !entries.isEmpty else { return }
        // After the head, as written. Only a head behind the records (moved back or deleted, which
        // `audit verify` reports) makes the chain go on after the newest record instead: appending
        // must not fail, or every run save in the batch would fail with it.
        let head = try db.row("SELECT seq, hash FROM audit_head WHERE id = 1")
        var sequence: Int64 = head?["seq"] ?? 0
        var previous: String = head?["hash"] ?? AuditRecord.genesisHash
        if let newest = try db.row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
            newest["seq"] as Int64 > sequence
        {
            sequence = newest["seq"]
            previous = newest["hash"]
        }
        for entry in entries {
            sequence += 1
            let record = AuditRecord(appending: entry, sequence: sequence, previousHash: previous, digest: auditDigest)
            try db.run(
                """
                INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, previous_hash, hash)
                VALUES (\(record.sequence), \(record.milliseconds), \(record.actor), \(record.action.rawValue),
                    \(record.target), \(record.detailText), \(record.previousHash), \(record.hash))
                """
            )
            previous = record.hash
        }
        try db.run(
            """
            INSERT INTO audit_head (id, seq, hash) VALUES (1, \(sequence), \(previous))
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """
        )
    }

    public func auditRecords(_ query: AuditQuery) async throws(RunStoreError) -> AuditPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list audit records") { db in
            var sql: SQL = "SELECT * FROM audit_log WHERE 1"
            if let before { sql.append(literal: " AND seq < \(before)") }
            if let action = query.action { sql.append(literal: " AND action = \(action.rawValue)") }
            if let actor = query.actor { sql.append(literal: " AND actor = \(actor)") }
            sql.append(literal: " ORDER BY seq DESC LIMIT \(limit + 1)")
            let (page, next) = RunCursor.page(try db.rows(sql).map(Self.auditRecord(from:)), limit: limit) {
                $0.sequence
            }
            return AuditPage(records: page, nextCursor: next)
        }
    }

    public func auditRecords(after sequence: Int64, limit: Int) async throws(RunStoreError) -> [AuditRecord] {
        try await read("read audit chain") { db in
            try db.rows("SELECT * FROM audit_log WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(limit, 1))")
                .map(Self.auditRecord(from:))
        }
    }

    public func auditTip() async throws(RunStoreError) -> AuditTip {
        try await read("read audit tip") { db in
            AuditTip(
                head: try db.row("SELECT seq, hash FROM audit_head WHERE id = 1").map {
                    AuditHead(sequence: $0["seq"], hash: $0["hash"])
                },
                newestSequence: try db.row("SELECT MAX(seq) AS seq FROM audit_log")?["seq"] ?? 0
            )
        }
    }

    /// Checks the whole chain (`copilot-agent audit verify`).
    public func verifyAudit() async throws -> AuditChain {
        try await verifyAudit(digest: Self.auditDigest)
    }

    static func auditRecord(from row: Row) -> AuditRecord {
        AuditRecord(
            sequence: row["seq"],
            milliseconds: row["at_ms"],
            actor: row["actor"],
            action: AuditAction(rawValue: row["action"]),
            target: row["target"],
            detailText: row["detail"],
            previousHash: row["previous_hash"],
            hash: row["hash"]
        )
    }
}
