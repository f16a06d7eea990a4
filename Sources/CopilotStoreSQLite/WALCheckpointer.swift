import GRDB
import Logging
import Synchronization

/// Copies the write-ahead log into the database file from a connection of its own, so that the writer
/// does not.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses the mark, on the single writer:
/// every delivery and run-state write waits while tens of megabytes are copied and synced, which showed
/// as a p99 of 40 ms at half of ingress's peak. Here inbox commits ask for a PASSIVE checkpoint (which
/// never blocks a writer or a reader) on this connection once `interval` events were committed since
/// the last one (a checkpoint per commit synced the database file hundreds of times a second for
/// nothing); requests while one runs coalesce. Bodies are in the `BodyLog`, so an event adds its row and
/// index entries to the log, and the worker's updates of it: a page or two. The
/// writer keeps an automatic checkpoint far above what this one lets build up (`wal_autocheckpoint`),
/// as a bound on the log's size should this one fall behind; it then finds little left to copy.
/// Durability does not depend on checkpoints: a commit is durable once it is in the log.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let running = Atomic<Bool>(false)
    private let pending = Atomic<Int>(0)
    private let interval: Int
    private let logger: Logger

    /// A connection to the database at `path`, which must already be in WAL mode. `interval`: events
    /// committed between checkpoints (at a page or two each, well under SQLite's own default of 1,000).
    init(path: String, interval: Int = 256, logger: Logger) throws {
        var configuration = Configuration()
        configuration.label = "copilot.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.interval = interval
        self.logger = logger
    }

    /// Notes `rows` events committed; starts a checkpoint once `interval` of them built up.
    func committed(rows: Int) {
        let total = pending.add(rows, ordering: .relaxed).newValue
        guard total >= interval else { return }
        pending.subtract(total, ordering: .relaxed)
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
