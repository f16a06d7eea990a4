/// `copilot-agent store copy`: what one store gives out and another takes in when a node's data moves
/// (SQLite to PostgreSQL, issue 15). Everything a store holds, in the order it was stored, except the
/// live stream's changes (a client resuming across the move is told of a gap) and the leases (the runs
/// of a stopped node are free to claim at once).
public protocol StoreExport: Sendable {
    /// Up to `limit` events stored after `position`, oldest first, each with its match result and no runs.
    func exportEvents(after position: Int64, limit: Int) async throws(RunStoreError) -> [Exported<EventRecord>]
    /// Up to `limit` runs created after `position`, oldest first, each with its planner transcript.
    func exportRuns(after position: Int64, limit: Int) async throws(RunStoreError) -> [Exported<ExportedRun>]
    /// How much the store holds, to check a copy against.
    func contents() async throws(RunStoreError) -> StoreContents
}

/// The receiving side of `StoreExport`.
public protocol StoreImport: Sendable {
    func contents() async throws(RunStoreError) -> StoreContents
    /// Stores events as given (ids, match results), in one transaction.
    func importEvents(_ events: [EventRecord]) async throws(RunStoreError)
    /// Stores runs as given, with no lease, in one transaction; pending runs behind a concurrency key
    /// with no free slot wait as they would have.
    func importRuns(_ runs: [ExportedRun]) async throws(RunStoreError)
    /// Stores keys as given.
    func importAPIKeys(_ keys: [APIKeyRecord]) async throws(RunStoreError)
    /// Stores audit records as given (numbers and hashes kept, so the chain verifies as it did), and the
    /// head, in one transaction.
    func importAudit(_ records: [AuditRecord], head: AuditHead?) async throws(RunStoreError)
}

/// A record with its place in the store it came from.
public struct Exported<Record: Sendable>: Sendable {
    public var position: Int64
    public var record: Record

    public init(position: Int64, record: Record) {
        self.position = position
        self.record = record
    }
}

/// A run with what is stored beside it.
public struct ExportedRun: Sendable {
    public var run: Run
    public var transcript: PlannerConversation?

    public init(run: Run, transcript: PlannerConversation?) {
        self.run = run
        self.transcript = transcript
    }
}

/// What a store holds, counted.
public struct StoreContents: Sendable, Hashable, CustomStringConvertible {
    public var events: Int
    public var runs: Int
    public var apiKeys: Int
    public var auditRecords: Int

    public init(events: Int, runs: Int, apiKeys: Int, auditRecords: Int) {
        self.events = events
        self.runs = runs
        self.apiKeys = apiKeys
        self.auditRecords = auditRecords
    }

    public var isEmpty: Bool { events == 0 && runs == 0 && apiKeys == 0 && auditRecords == 0 }

    public var description: String {
        "\(events) events, \(runs) runs, \(apiKeys) API keys, \(auditRecords) audit records"
    }
}
