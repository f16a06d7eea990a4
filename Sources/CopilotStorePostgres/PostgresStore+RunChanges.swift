public import CopilotCore
import PostgresNIO
import Synchronization

// The live stream's changes (`RunChange`), numbered in commit order across concurrent writers.
//
// SQLite has one writer, so a change's number is its commit order. Here several transactions write at
// once, and a sequence hands out numbers at insert: a transaction holding 41 may commit after one
// holding 42, and a reader that saw 42 and moved on would never see 41. So each transaction that wrote
// runs takes a shared advisory lock (the *fence*) before it draws numbers, and a reader takes the fence
// exclusively for an instant: once it holds it, every number drawn so far belongs to a transaction that
// has ended, and the highest one committed bounds what it may hand out. Writers run in parallel with
// each other; a reader waits for the transactions in flight, milliseconds, and holds writers up no
// longer than that. (A counter row updated by every transaction would number at commit too, but would
// serialize every run write of every node behind one row lock.)
extension PostgresStore {
    /// The fence's lock, beside the store's other advisory locks.
    static var fence: (Int32, Int32) { (StoreLock.space, 2) }

    /// Writes the transaction's changes, last, just before it commits.
    static func writeChanges(of transaction: StoreTransaction) async throws {
        guard !transaction.changedRuns.isEmpty else { return }
        var numbers: [Int64] = []
        for try await number in try await transaction.connection.execute(
            NumberRunChanges(fence: fence, runIDs: transaction.changedRuns),
            logger: transaction.logger
        ) {
            numbers.append(number)
        }
        // Every thousandth number prunes the changes `retained` behind it, by primary key.
        if let crossed = numbers.first(where: { $0 % 1000 == 0 }) {
            try await transaction.run("DELETE FROM run_changes WHERE seq <= \(crossed - RunChange.retained)")
        }
    }

    public func runChanges(after sequence: Int64, limit: Int) async throws(RunStoreError) -> RunChanges {
        let newest = try await settledChange()
        return try await read("run changes") { transaction in
            // The oldest kept in the same snapshot as the page: a pruning between the two would skip
            // changes without a gap.
            let rows = try await transaction.rows(
                """
                SELECT run_changes.seq AS change_seq, (SELECT MIN(seq) FROM run_changes) AS oldest, runs.*
                FROM run_changes JOIN runs ON runs.id = run_changes.run_id
                WHERE run_changes.seq > \(sequence) AND run_changes.seq <= \(newest)
                ORDER BY run_changes.seq LIMIT \(max(limit, 0))
                """
            )
            var oldest = try rows.first?("oldest", as: Int64?.self)
            if rows.isEmpty {
                oldest = try await transaction.row("SELECT MIN(seq) AS oldest FROM run_changes")?(
                    "oldest",
                    as: Int64?.self
                )
            }
            let changes = try rows.compactMap { row -> RunChange? in
                guard let run = try Self.run(from: row) else { return nil }
                return RunChange(sequence: try row("change_seq"), state: RunChange.state(of: run))
            }
            return RunChanges(changes: changes, oldest: oldest, newest: newest)
        }
    }

    /// The highest change number every transaction before now has settled: numbers up to it may be
    /// handed out. Read under the fence, and shared by the node's callers for `fenceReuse`: every stream
    /// client polls, and each exclusive acquire waits for the writers in flight and holds new ones up
    /// behind it. An older bound is still a safe one; it only delays other nodes' changes by that much.
    /// This node's own writes are seen at once: a bound read before this node's last run write is not
    /// reused. Bounded: a writer stalled inside its transaction must not hold the stream (and, queued
    /// behind this reader, every writer) for long; the reader gives up after a second.
    func settledChange() async throws(RunStoreError) -> Int64 {
        let now = ContinuousClock.now
        let reusable = settledChanges.withLock { state in
            state.bound.flatMap { bound in
                now - bound.readAt < Self.fenceReuse && bound.readAt > state.lastLocalWrite ? bound.newest : nil
            }
        }
        if let reusable { return reusable }
        let newest: Int64 =
            try await transaction("run changes fence") { transaction in
                try await transaction.run("SET LOCAL lock_timeout = '1s'")
                try await transaction.run("SELECT pg_advisory_xact_lock(\(Self.fence.0), \(Self.fence.1))")
                return try await transaction.row("SELECT MAX(seq) AS newest FROM run_changes")?(
                    "newest",
                    as: Int64?.self
                )
            } ?? 0
        settledChanges.withLock { $0.bound = (newest, now) }
        return newest
    }

    static let fenceReuse: Duration = .milliseconds(100)

    /// What `settledChange` shares between calls.
    struct SettledChanges {
        var bound: (newest: Int64, readAt: ContinuousClock.Instant)?
        /// When this node last committed a run change.
        var lastLocalWrite = ContinuousClock.Instant.now
    }
}
