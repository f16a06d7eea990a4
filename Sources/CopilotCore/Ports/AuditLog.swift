/// The tamper-evident audit log (CONTRACT §6): append-only, hash-chained records in the store.
///
/// Appending takes the newest record's hash and writes the next one in the same transaction, so the
/// chain has one order whatever the number of writers. Changes that must not happen without their
/// record take theirs in the same transaction: decisions (`RunStore.decideApproval`, `cancelRun`),
/// token changes (`APIKeyStore`) and executed actions (`RunStore.save`). Records are never pruned.
public protocol AuditLog: Sendable {
    /// Appends the entries, in order, in one transaction.
    func appendAudit(_ entries: [AuditEntry]) async throws(RunStoreError)

    /// Records matching the query, newest first, after `query.cursor`.
    func auditRecords(_ query: AuditQuery) async throws(RunStoreError) -> AuditPage

    /// Up to `limit` records numbered above `sequence`, oldest first: how the chain is read to verify it.
    func auditRecords(after sequence: Int64, limit: Int) async throws(RunStoreError) -> [AuditRecord]

    /// The stored head and the highest record number, read in one transaction.
    func auditTip() async throws(RunStoreError) -> AuditTip
}

extension AuditLog {
    /// Walks the whole chain, a page at a time, and answers it (how many records, the newest). Throws
    /// the first `AuditChain.Break`, or `RunStoreError` when the store cannot be read: hence untyped.
    public func verifyAudit(digest: @escaping AuditRecord.Digest, pageSize: Int = 1000) async throws -> AuditChain {
        // The tip first: records appended while the walk runs come after it and are not checked.
        let tip = try await auditTip()
        let end = max(tip.head?.sequence ?? 0, tip.newestSequence)
        var chain = AuditChain(digest: digest)
        var after: Int64 = 0
        while after < end {
            let page = try await auditRecords(after: after, limit: pageSize)
            guard let newest = page.last else { break }
            for record in page where record.sequence <= end {
                try chain.check(record)
            }
            after = newest.sequence
        }
        try chain.finish(tip: tip)
        return chain
    }
}

/// `GET /api/v1/audit` filters and page.
public struct AuditQuery: Sendable, Hashable {
    public var action: AuditAction?
    public var actor: String?
    /// Clamped to 1...500 by `effectiveLimit`, as runs are.
    public var limit: Int
    /// The `nextCursor` of the previous page; nil for the first page.
    public var cursor: String?

    public init(
        action: AuditAction? = nil,
        actor: String? = nil,
        limit: Int = RunQuery.defaultLimit,
        cursor: String? = nil
    ) {
        self.action = action
        self.actor = actor
        self.limit = limit
        self.cursor = cursor
    }

    public var effectiveLimit: Int { min(max(limit, 1), RunQuery.maximumLimit) }
}

/// One page of audit records, newest first; `nextCursor` is nil on the last page.
public struct AuditPage: Sendable, Hashable {
    public var records: [AuditRecord]
    public var nextCursor: String?

    public init(records: [AuditRecord], nextCursor: String?) {
        self.records = records
        self.nextCursor = nextCursor
    }
}
