public import CopilotCore
import CopilotExpressions
import Crypto

extension MemoryRunStore: AuditLog {
    /// SHA-256 in lowercase hex, the audit chain's digest: the contract checks every store's chain with it.
    public static let digest: AuditRecord.Digest = { Hex.encode(SHA256.hash(data: $0), count: SHA256.byteCount) }

    public func appendAudit(_ entries: [AuditEntry]) throws(RunStoreError) {
        try checkAvailable()
        append(entries)
    }

    /// Links and keeps `entries` (the caller checked availability).
    func append(_ entries: [AuditEntry]) {
        for entry in entries {
            audit.append(
                AuditRecord(
                    appending: entry,
                    sequence: Int64(audit.count + 1),
                    previousHash: audit.last?.hash ?? AuditRecord.genesisHash,
                    digest: Self.digest
                )
            )
        }
    }

    public func auditRecords(_ query: AuditQuery) throws(RunStoreError) -> AuditPage {
        try checkAvailable()
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let matching = audit.reversed().filter { record in
            (before.map { record.sequence < $0 } ?? true) && (query.action.map { record.action == $0 } ?? true)
                && (query.actor.map { record.actor == $0 } ?? true)
        }
        let (page, next) = RunCursor.page(matching, limit: query.effectiveLimit) { $0.sequence }
        return AuditPage(records: page, nextCursor: next)
    }

    public func auditRecords(after sequence: Int64, limit: Int) throws(RunStoreError) -> [AuditRecord] {
        try checkAvailable()
        return Array(audit.filter { $0.sequence > sequence }.prefix(max(limit, 1)))
    }

    public func auditTip() throws(RunStoreError) -> AuditTip {
        try checkAvailable()
        return AuditTip(
            head: audit.last.map { AuditHead(sequence: $0.sequence, hash: $0.hash) },
            newestSequence: audit.last?.sequence ?? 0
        )
    }

    /// Checks the whole chain with this store's digest.
    public func verifyAudit() async throws -> AuditChain {
        try await verifyAudit(digest: Self.digest)
    }
}
