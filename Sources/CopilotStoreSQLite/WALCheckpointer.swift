import GRDB
import GRDBSQLite
import Logging
import Synchronization

/// Copies the write-ahead log into the database file from a connection of its own, so that the writer
/// does not.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the mark, on the single writer:
/// every delivery and run-state write waits while megabytes are copied and synced, which showed as a
/// p99 of 40 ms at half of ingress's peak. Here the writer's commits are watched through SQLite's WAL
/// hook, which tells how many pages the log holds after each one, whatever wrote them (deliveries, the
/// worker's claims, run state). Once `interval` pages were added since the last request, a PASSIVE
/// checkpoint (which never blocks a writer or a reader) is asked for on this connection; requests while
/// one runs coalesce. A checkpoint per commit synced the database file hundreds of times a second for
/// nothing; one per 4 MiB made flushes large enough to delay the writer's own syncs.
///
/// The hook replaces SQLite's automatic checkpoint on the writer, so the hook keeps its role as a bound:
/// past `bound` pages (the background one fell behind), the writer checkpoints inline, as SQLite would.
/// Durability does not depend on checkpoints: a commit is durable once it is in the log.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let running = Atomic<Bool>(false)
    /// Pages in the log when the last checkpoint was asked for.
    private let requestedAt = Atomic<Int>(0)
    private let interval: Int
    private let bound: Int32
    private let logger: Logger

    /// A connection to the database at `path`, which must already be in WAL mode. `interval`: pages
    /// added to the log between checkpoints (128 pages, 512 KiB, against SQLite's default of 1,000);
    /// `bound`: pages past which the writer checkpoints by itself.
    init(path: String, interval: Int = 128, bound: Int = 10_000, logger: Logger) throws {
        var configuration = Configuration()
        configuration.label = "copilot.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.bound = Int32(clamping: bound)
        self.logger = logger
    }

    /// Watches the commits of `db`, the writer's connection, from now on.
    ///
    /// The hook's context is a box holding this checkpointer weakly, retained once and never released:
    /// the connection may outlive the store (GRDB closes it when its last user lets go), and a few bytes
    /// per store opened is the price of never calling into a freed checkpointer.
    func watch(_ db: Database) {
        let box = Unmanaged.passRetained(WeakCheckpointer(self)).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, walHook, box)
    }

    /// After each commit of the watched connection: `pages` are in the log.
    fileprivate func committed(pages: Int32, connection: OpaquePointer?, name: UnsafePointer<CChar>?) {
        if pages >= bound {
            sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            requestedAt.store(0, ordering: .relaxed)
            return
        }
        var last = requestedAt.load(ordering: .relaxed)
        if Int(pages) < last {  // the log was restarted after a complete checkpoint
            last = 0
            requestedAt.store(0, ordering: .relaxed)
        }
        guard Int(pages) - last >= interval else { return }
        requestedAt.store(Int(pages), ordering: .relaxed)
        request()
    }

    /// Starts a checkpoint unless one is running.
    private func request() {
        guard running.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        connection.asyncWriteWithoutTransaction { db in
            defer { self.running.store(false, ordering: .releasing) }
            do {
                try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)")
            } catch {
                // Not fatal: the next request tries again, and the writer's bound still holds.
                self.logger.debug("checkpoint skipped", metadata: ["error.type": "\(type(of: error))"])
            }
        }
    }
}

/// The WAL hook's context: the checkpointer, if it still exists.
private final class WeakCheckpointer {
    weak var checkpointer: WALCheckpointer?

    init(_ checkpointer: WALCheckpointer) { self.checkpointer = checkpointer }
}

/// `sqlite3_wal_hook`'s callback, on the writer's thread after each commit.
private func walHook(
    context: UnsafeMutableRawPointer?,
    connection: OpaquePointer?,
    name: UnsafePointer<CChar>?,
    pages: Int32
) -> Int32 {
    guard let context else { return SQLITE_OK }
    Unmanaged<WeakCheckpointer>.fromOpaque(context).takeUnretainedValue().checkpointer?.committed(
        pages: pages,
        connection: connection,
        name: name
    )
    return SQLITE_OK
}
