public import CopilotCore
import CopilotExpressions
import Crypto
import PostgresNIO

extension PostgresStore: AuditLog {
    /// The audit chain's digest, SHA-256 in lowercase hex: the same as `SQLiteStore.auditDigest`, so a
    /// chain copied from one store to the other (`store copy`) verifies on either.
    public static let auditDigest: AuditRecord.Digest = { bytes in
        Hex.encode(SHA256.hash(data: bytes), count: SHA256.byteCount)
    }

    public func appendAudit(_ entries: [AuditEntry]) async throws(RunStoreError) {
        guard !entries.isEmpty else { return }
        try await transaction("append audit") { transaction in try await Self.appendAudit(entries, in: transaction) }
    }

    /// Links `entries` after the stored head and writes them with the new head, inside the caller's
    /// transaction, holding the chain's advisory lock until it commits: appends from any node are one
    /// chain, in one order.
    static func appendAudit(_ entries: [AuditEntry], in transaction: StoreTransaction) async throws {
        guard !entries.isEmpty else { return }
        try await transaction.run(StoreLock.audit)
        // After the head, as written; a head behind the records (which `audit verify` reports) makes the
        // chain go on after the newest record instead, as on SQLite: appending must not fail.
        let head = try await transaction.row("SELECT seq, hash FROM audit_head WHERE id = 1")
        var sequence: Int64 = try head?("seq") ?? 0
        var previous: String = try head?("hash") ?? AuditRecord.genesisHash
        if let newest = try await transaction.row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"),
            try newest("seq", as: Int64.self) > sequence
        {
            sequence = try newest("seq")
            previous = try newest("hash")
        }
        for entry in entries {
            sequence += 1
            let record = AuditRecord(appending: entry, sequence: sequence, previousHash: previous, digest: auditDigest)
            try await insert(record, in: transaction)
            previous = record.hash
        }
        try await transaction.run(
            """
            INSERT INTO audit_head (id, seq, hash) VALUES (1, \(sequence), \(previous))
            ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
            """
        )
    }

    static func insert(_ record: AuditRecord, in transaction: StoreTransaction) async throws {
        try await transaction.run(
            """
            INSERT INTO audit_log (seq, at_ms, actor, action, target, detail, previous_hash, hash)
            VALUES (\(record.sequence), \(record.milliseconds), \(record.actor), \(record.action.rawValue),
                \(record.target), \(record.detailText), \(record.previousHash), \(record.hash))
            """
        )
    }

    public func auditRecords(_ query: AuditQuery) async throws(RunStoreError) -> AuditPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list audit records") { transaction in
            let rows = try await transaction.rows(
                """
                SELECT * FROM audit_log
                WHERE (\(before)::bigint IS NULL OR seq < \(before))
                  AND (\(query.action?.rawValue)::text IS NULL OR action = \(query.action?.rawValue))
                  AND (\(query.actor)::text IS NULL OR actor = \(query.actor))
                ORDER BY seq DESC LIMIT \(limit + 1)
                """
            )
            let (page, next) = RunCursor.page(try rows.map(Self.auditRecord(from:)), limit: limit) { $0.sequence }
            return AuditPage(records: page, nextCursor: next)
        }
    }

    public func auditRecords(after sequence: Int64, limit: Int) async throws(RunStoreError) -> [AuditRecord] {
        try await read("read audit chain") { transaction in
            try await transaction.rows(
                "SELECT * FROM audit_log WHERE seq > \(sequence) ORDER BY seq LIMIT \(max(limit, 1))"
            ).map(Self.auditRecord(from:))
        }
    }

    public func auditTip() async throws(RunStoreError) -> AuditTip {
        // One statement, one snapshot: an append between two reads would look like a head left behind.
        try await read("read audit tip") { transaction in
            let row = try await transaction.row(
                """
                SELECT (SELECT seq FROM audit_head WHERE id = 1) AS head_seq,
                    (SELECT hash FROM audit_head WHERE id = 1) AS head_hash,
                    (SELECT MAX(seq) FROM audit_log) AS newest
                """
            )
            let sequence = try row?("head_seq", as: Int64?.self)
            let hash = try row?("head_hash", as: String?.self)
            return AuditTip(
                head: sequence.flatMap { sequence in hash.map { AuditHead(sequence: sequence, hash: $0) } },
                newestSequence: try row?("newest", as: Int64?.self) ?? 0
            )
        }
    }

    /// Checks the whole chain (`copilot-agent audit verify`).
    public func verifyAudit() async throws -> AuditChain {
        try await verifyAudit(digest: Self.auditDigest)
    }

    static func auditRecord(from row: StoredRow) throws -> AuditRecord {
        AuditRecord(
            sequence: try row("seq"),
            milliseconds: try row("at_ms"),
            actor: try row("actor"),
            action: AuditAction(rawValue: try row("action")),
            target: try row("target"),
            detailText: try row("detail"),
            previousHash: try row("previous_hash"),
            hash: try row("hash")
        )
    }
}
