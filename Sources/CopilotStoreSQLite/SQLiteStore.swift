import CopilotCore
import Foundation
public import GRDB
public import Logging

/// The single-node store on one SQLite file (WAL), through GRDB.
///
/// Durability: the writer connection runs with `synchronous = FULL`, so a committed transaction survives
/// power loss, not only a crash of the process. Concurrent deliveries are committed together
/// (`GroupCommit`) so that durability does not cap throughput.
public final class SQLiteStore: Sendable {
    let writer: any DatabaseWriter
    let logger: Logger
    let inboxCommit: GroupCommit<Delivery, EnqueueOutcome, InboxError>
    let runSaves: GroupCommit<RunSave, Run, RunStoreError>

    /// Opens (creating it and its parent directory if needed) the database file at `path` and migrates it.
    public convenience init(path: String, logger: Logger) throws(StoreError) {
        let pool: DatabasePool
        let checkpointer: WALCheckpointer
        do {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
            // DatabasePool switches to WAL itself and sets `synchronous = NORMAL` after
            // `prepareDatabase` runs (GRDB 7 `setUpWALMode`); FULL must be set once the pool is open.
            //
            // The writer checkpoints by itself only past 10,000 WAL pages (~40 MB), a bound on the log's
            // size: `WALCheckpointer` copies the log from its own connection long before that.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 10000")
            }
            checkpointer = try WALCheckpointer(path: path, logger: logger)
        } catch {
            logger.error("could not open the database", metadata: ["copilot.store.path": "\(path)"])
            throw .cannotOpen(path: path)
        }
        try self.init(writer: pool, checkpointer: checkpointer, logger: logger)
    }

    /// Uses an open database (an in-memory `DatabaseQueue` in tests) and migrates it.
    public convenience init(writer: any DatabaseWriter, logger: Logger) throws(StoreError) {
        try self.init(writer: writer, checkpointer: nil, logger: logger)
    }

    private init(writer: any DatabaseWriter, checkpointer: WALCheckpointer?, logger: Logger) throws(StoreError) {
        self.writer = writer
        self.logger = logger
        do {
            try Self.migrator.migrate(writer)
        } catch {
            logger.error("database migration failed", metadata: ["error.type": "\(type(of: error))"])
            throw .migrationFailed
        }
        self.runSaves = GroupCommit(maxBatch: 64, missing: .unavailable) { [writer, logger] saves, done in
            Self.save(saves, to: writer, logger: logger, then: done)
        }
        self.inboxCommit = GroupCommit(missing: .unavailable) { [writer, logger] deliveries, done in
            Self.commit(deliveries, to: writer, logger: logger) { outcomes in
                checkpointer?.committed(bytes: deliveries.reduce(0) { $0 + $1.body.count })
                done(outcomes)
            }
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

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open the SQLite database at '\(path)'"
        case .migrationFailed: "the database schema could not be migrated"
        }
    }
}
