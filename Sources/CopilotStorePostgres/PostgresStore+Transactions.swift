import CopilotCore
import Logging
import NIOCore
import PostgresNIO
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One transaction of run state: its connection, and what it changed that must be written last.
///
/// Not `Sendable`: it lives inside one `withTransaction` closure.
final class StoreTransaction {
    let connection: PostgresConnection
    let logger: Logger
    /// The runs written so far, in order: one `run_changes` row each, numbered at commit (see
    /// `PostgresStore+RunChanges`).
    var changedRuns: [String] = []
    /// Set when the transaction made runs claimable: the other nodes are told when it commits.
    var madeRunsClaimable = false

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs `query` and answers its rows.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [StoredRow] {
        try await connection.query(query, logger: logger).collect().map { StoredRow($0) }
    }

    /// The first row of `query`, or nil.
    func row(_ query: PostgresQuery) async throws -> StoredRow? {
        try await rows(query).first
    }

    /// Runs a statement that answers no rows.
    func run(_ query: PostgresQuery) async throws {
        try await connection.query(query, logger: logger)
    }
}

/// A row read by name. Decoding a column as the wrong type is a bug of this module, reported as
/// `unavailable` like any other failure of the store.
struct StoredRow {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    func callAsFunction<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        try row[column].decode(T.self)
    }

    func date(_ column: String) throws -> Date? {
        try self(column, as: Double?.self).map(Date.init(timeIntervalSince1970:))
    }

    /// A list's page of rows read newest first with one more than `limit` (`RunCursor.page`), by `seq`.
    static func page(_ rows: [StoredRow], limit: Int) throws -> (rows: [StoredRow], next: String?) {
        let numbered = try rows.map { (seq: try $0("seq", as: Int64.self), row: $0) }
        let (page, next) = RunCursor.page(numbered, limit: limit) { $0.seq }
        return (page.map(\.row), next)
    }
}

extension PostgresStore {
    /// A transaction of run state: `body` runs on one pooled connection between `BEGIN` and `COMMIT`,
    /// and the run changes it recorded are written last. A `RunStoreError` thrown inside passes through;
    /// any other error is logged (its type and SQLSTATE only: a driver's message may quote values) and
    /// answered `unavailable`, nothing written.
    ///
    /// A deadlock or a serialization failure is tried again (up to three times): the lock orders below
    /// make deadlocks unlikely, but a concurrency key's rows can still be taken in two orders by two
    /// nodes, and PostgreSQL then aborts one of them for the other to go on.
    ///
    /// `durability: .workerState` commits without waiting for the WAL flush (`synchronous_commit =
    /// off` for this transaction only), the choice SQLite's run-state writes make with
    /// `synchronous = NORMAL`: a crash of the *server* may undo the last few claims and saves (never
    /// corrupt them), and a step may then be sent again with the same idempotency key, the at-least-once
    /// contract runs already have. Deliveries, decisions, keys and audit appends of their own wait.
    func transaction<T: Sendable>(
        _ operation: String,
        durability: Durability = .flushed,
        _ body: @escaping (StoreTransaction) async throws -> T
    ) async throws(RunStoreError) -> T {
        var tries = 0
        while true {
            tries += 1
            do {
                let (value, changedRuns) = try await client.withTransaction(logger: logger) { connection in
                    let transaction = StoreTransaction(connection: connection, logger: logger)
                    if durability == .workerState {
                        try await transaction.run("SET LOCAL synchronous_commit = off")
                    }
                    let value = try await body(transaction)
                    try await Self.writeChanges(of: transaction)
                    if transaction.madeRunsClaimable { try await transaction.run(Self.notifying(.runs)) }
                    return (value, !transaction.changedRuns.isEmpty)
                }
                // Committed: a bound of the run changes read before now is not reused.
                if changedRuns { settledChanges.withLock { $0.lastLocalWrite = .now } }
                return value
            } catch {
                let cause = (error as? PostgresTransactionError)?.closureError ?? error
                if let cause = cause as? RunStoreError { throw cause }
                if tries < 3, let state = Self.sqlState(cause), state == "40P01" || state == "40001" { continue }
                throw unavailable(operation, cause)
            }
        }
    }

    enum Durability {
        /// The commit waits for the server's WAL flush (as the server is configured).
        case flushed
        /// The worker's own state (claims, leases, saves): lost at worst by a server crash, then redone.
        case workerState
    }

    /// A read outside a transaction; errors as in `transaction`.
    func read<T: Sendable>(
        _ operation: String,
        _ body: @escaping (StoreTransaction) async throws -> T
    ) async throws(RunStoreError) -> T {
        do {
            return try await client.withConnection { connection in
                try await body(StoreTransaction(connection: connection, logger: logger))
            }
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw unavailable(operation, error)
        }
    }

    private func unavailable(_ operation: String, _ error: any Error) -> RunStoreError {
        var metadata: Logger.Metadata = [
            "copilot.store.operation": "\(operation)", "error.type": "\(String(reflecting: type(of: error)))",
        ]
        if let state = Self.sqlState(error) { metadata["db.response.status_code"] = "\(state)" }
        logger.warning("run store call failed", metadata: metadata)
        return .unavailable
    }

    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Advisory locks of the store, taken for the transaction's length (`pg_advisory_xact_lock`), in this
/// order when a transaction takes several: concurrency keys (sorted), then the audit chain. Rows are
/// locked after the advisory locks, so two transactions never wait for each other in a cycle.
enum StoreLock {
    /// The first key of the two-key lock space: ours, "cpa\0".
    static let space: Int32 = 0x6370_6100

    /// Serializes the changes of one playbook's concurrency key across nodes: parking, unparking,
    /// cooldowns. Distinct keys may share a lock (a 32-bit hash): they then only wait for each other.
    static func key(playbook: PlaybookName, key: String?) -> PostgresQuery {
        let name = "\(playbook.rawValue)\u{1}\(PostgresStore.storedKey(key) ?? "")"
        return "SELECT pg_advisory_xact_lock(\(keySpace), hashtext(\(name)))"
    }

    /// The key locks' own first key, so that no key's hash can ever name the audit lock or the fence.
    static let keySpace: Int32 = space + 1

    /// Serializes appends to the audit chain: each links after the head the previous one wrote.
    static var audit: PostgresQuery { "SELECT pg_advisory_xact_lock(\(space), 1)" }
}

extension PostgresStore {
    /// A concurrency key as PostgreSQL can store it (`storable`).
    static func storedKey(_ key: String?) -> String? {
        key.map(storable)
    }

    /// Text from a sender as PostgreSQL can store it. `TEXT` refuses U+0000, which SQLite keeps, and a
    /// delivery's id, type, subject or headers, or a concurrency key rendered from a payload, may hold
    /// one: it would fail its whole batch (of deliveries, of matches), again at every retry. U+0000
    /// becomes U+FFFD; two texts differing only there are then one (the same delivery id, the same key).
    static func storable(_ key: String) -> String {
        guard key.unicodeScalars.contains("\u{0}") else { return key }
        var stored = String.UnicodeScalarView()
        stored.append(contentsOf: key.unicodeScalars.map { $0 == "\u{0}" ? "\u{FFFD}" : $0 })
        return String(stored)
    }
}
