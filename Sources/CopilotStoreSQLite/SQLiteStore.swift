import CopilotCore
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

    private init(
        writer: any DatabaseWriter,
        bodies: BodyLog?,
        checkpointer: WALCheckpointer?,
        logger: Logger
    ) throws(StoreError) {
        self.writer = writer
        self.bodies = bodies
        self.checkpointer = checkpointer
        self.logger = logger
        try Self.migrate(writer, logger: logger)
        self.runSaves = GroupCommit(maxBatch: 64, missing: .unavailable) { [writer, logger] saves, done in
            Self.save(saves, to: writer, logger: logger, then: done)
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

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open the SQLite database at '\(path)'"
        case .migrationFailed: "the database schema could not be migrated"
        case .inUse(let path):
            "the store at '\(path)' is in use by another process (its body log '\(path)-bodies' is locked)"
        }
    }
}
