public import CopilotCore
import Foundation
public import GRDB
public import Logging

/// The single-node store on one SQLite file (WAL), through GRDB.
///
/// Durability: the writer connection runs with `synchronous = FULL`, so a committed transaction survives
/// power loss, not only a crash of the process. Concurrent deliveries are committed together
/// (`GroupCommit`) so that durability does not cap throughput. A file database keeps delivery bodies in
/// a `BodyLog` beside it (`<path>-bodies/`), synced before the rows that point at them commit.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    /// Where bodies go; nil for a database without a file (tests), which keeps them in `event_bodies`.
    let bodies: BodyLog?
    /// Watches the writer's commits through a hook that holds it weakly: kept alive here.
    private let checkpointer: WALCheckpointer?
    let logger: Logger
    let inboxCommit: GroupCommit<Delivery, EnqueueOutcome, InboxError>
    let runSaves: GroupCommit<RunSave, Run, RunStoreError>
    let auditAppends: GroupCommit<[AuditEntry], Void, RunStoreError>

    /// Opens (creating it and its parent directory if needed) the database file at `path` and migrates it.
    public convenience init(path: String, logger: Logger) throws(StoreError) {
        try self.init(path: path, bodySegmentLimit: 64 << 20, logger: logger)
    }

    /// `init(path:logger:)` with the size at which the body log starts a new segment.
    convenience init(path: String, bodySegmentLimit: Int, logger: Logger) throws(StoreError) {
        let pool: DatabasePool
        let checkpointer: WALCheckpointer
        let lock: BodyLog.DirectoryLock
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // First: a second process must not even open (and migrate) a store in use.
            lock = try BodyLog.DirectoryLock(path + "-bodies")
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool switches to WAL itself and sets `synchronous = NORMAL` after
            // `prepareDatabase` runs (GRDB 7 `setUpWALMode`); FULL must be set once the pool is open.
            // Checkpoints are `WALCheckpointer`'s, from its own connection (it takes over the writer's
            // automatic checkpoint, keeping it only as a bound on the log's size).
            checkpointer = try WALCheckpointer(path: path, logger: logger)
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                checkpointer.watch(db)
            }
        } catch BodyLogError.locked {
            throw .inUse(path: path)
        } catch {
            logger.error(
                "could not open the database",
                metadata: ["copilot.store.path": "\(path)", "error": "\(error)"]
            )
            throw .cannotOpen(path: path)
        }
        try Self.migrate(pool, logger: logger)
        let bodies: BodyLog
        do {
            let used = try pool.read { db in try Int.fetchOne(db, sql: "SELECT MAX(body_segment) FROM events") }
            bodies = try BodyLog(lock: lock, above: used ?? 0, segmentLimit: bodySegmentLimit)
        } catch {
            logger.error(
                "could not open the body log",
                metadata: ["copilot.store.path": "\(path)", "error": "\(error)"]
            )
            throw .cannotOpen(path: path)
        }
        if bodies.isBehindDatabase {
            logger.error(
                "the body log has fewer segments than the database points into: events stored in the missing ones have no body",
                metadata: ["copilot.store.path": "\(path)"]
            )
        }
        try self.init(writer: pool, bodies: bodies, checkpointer: checkpointer, logger: logger)
    }

    /// Uses an open database (an in-memory `DatabaseQueue` in tests) and migrates it.
    public convenience init(writer: any DatabaseWriter, logger: Logger) throws(StoreError) {
        try self.init(writer: writer, bodies: nil, checkpointer: nil, logger: logger)
    }

    /// Opens the database file at `path` to read it only, even while the service has it open: no lock,
    /// no migration, and every write answers `unavailable` (`copilot-agent audit verify` on a running
    /// node's store). The schema must be this version's.
    public static func readOnly(path: String, logger: Logger) throws(StoreError) -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else { throw .cannotOpen(path: path) }
        let pool: DatabasePool
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            logger.error(
                "could not open the database",
                metadata: ["copilot.store.path": "\(path)", "error": "\(error)"]
            )
            throw .cannotOpen(path: path)
        }
        let current: Bool
        do {
            current = try pool.read { db in try migrator.hasCompletedMigrations(db) }
        } catch {
            throw .cannotOpen(path: path)
        }
        guard current else { throw .schemaBehind(path: path) }
        return try SQLiteStore(writer: pool, bodies: nil, checkpointer: nil, logger: logger, migrate: false)
    }

    private init(
        writer: any DatabaseWriter,
        bodies: BodyLog?,
        checkpointer: WALCheckpointer?,
        logger: Logger,
        migrate: Bool = true
    ) throws(StoreError) {
        self.writer = writer
        self.bodies = bodies
        self.checkpointer = checkpointer
        self.logger = logger
        if migrate { try Self.migrate(writer, logger: logger) }
        // Each batch is written on the writer's queue and the next starts from its completion, so it
        // queues behind the worker's writes that arrived meanwhile: they take turns with ingress.
        self.runSaves = GroupCommit(maxBatch: 64, missing: .unavailable) { [writer, logger] saves, done in
            Self.save(saves, to: writer, logger: logger, then: done)
        }
        self.auditAppends = GroupCommit(maxBatch: 64, missing: .unavailable) { [writer, logger] batches, done in
            Self.appendAudit(batches, to: writer, logger: logger, then: done)
        }
        self.inboxCommit = GroupCommit(missing: .unavailable) { [writer, logger] deliveries, done in
            Self.commit(deliveries, to: writer, bodies: bodies, logger: logger, then: done)
        }
    }

    /// Applies the migrations not applied yet (none, the second time).
    private static func migrate(_ writer: any DatabaseWriter, logger: Logger) throws(StoreError) {
        do {
            try migrator.migrate(writer)
        } catch {
            logger.error("database migration failed", metadata: ["error.type": "\(type(of: error))"])
            throw .migrationFailed
        }
    }

    /// Copies every committed page into the database file and empties the WAL: what a command that
    /// wrote (`token create`) does before it exits, so that the file alone holds what it did.
    public func checkpoint() async throws(RunStoreError) {
        do {
            try await writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            throw .unavailable
        }
    }

    /// The value of `PRAGMA synchronous` on the writer connection (2 = FULL).
    public func synchronousMode() async throws -> Int {
        try await writer.writeWithoutTransaction { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
        }
    }
}

/// Why the store could not be opened.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(path: String)
    case migrationFailed
    /// Another process has the store open.
    case inUse(path: String)
    /// Opened read-only, the store has migrations this version would apply first.
    case schemaBehind(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open the SQLite database at '\(path)'"
        case .migrationFailed: "the database schema could not be migrated"
        case .inUse(let path):
            "the store at '\(path)' is in use by another process (its body log '\(path)-bodies' is locked)"
        case .schemaBehind(let path):
            "the store at '\(path)' was written by an older version: start the service once to migrate it"
        }
    }
}
