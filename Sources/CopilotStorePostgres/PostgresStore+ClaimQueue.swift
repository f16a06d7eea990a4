import CopilotCore
import PostgresNIO

/// The claim queue of SQLite's `SQLiteStore+ClaimQueue` (issue 13), shared by nodes:
/// - `parked`: a `pending` run whose concurrency key has no free slot, not looked at again until a run
///   of its key ends; then the oldest parked run of the key takes the slot (`unpark`).
/// - `claimable`: the run may need a worker (lease and `wake_at` permitting). Claims walk the partial
///   indexes `runs_ready` and `runs_timed` with `FOR UPDATE SKIP LOCKED`, so a claim costs the same
///   with 10 or 100,000 runs waiting behind a key, and two nodes claiming at once pass each other by.
///
/// Across nodes, whatever changes how many slots of a key are taken (a new run, a run that ends, an
/// unpark) holds the key's advisory lock (`StoreLock.key`): the count a node reads is then the count,
/// and a limit of 1 holds whichever nodes create and end the runs. Claims do not take it: a claim turns
/// an unparked `pending` run into a holder, which takes no slot that was free.
extension PostgresStore {
    /// Takes the locks of these keys, in one order whoever takes them, so two transactions never wait
    /// for each other's.
    static func lockKeys(_ keys: [(PlaybookName, String?)], in transaction: StoreTransaction) async throws {
        let names = Set(keys.map { KeyName(playbook: $0.0, key: $0.1) }).sorted()
        for name in names {
            try await transaction.run(StoreLock.key(playbook: name.playbook, key: name.key))
        }
    }

    private struct KeyName: Hashable, Comparable {
        var playbook: PlaybookName
        var key: String?

        static func < (lhs: KeyName, rhs: KeyName) -> Bool {
            (lhs.playbook.rawValue, lhs.key ?? "") < (rhs.playbook.rawValue, rhs.key ?? "")
        }
    }

    /// Whether a new pending run must wait for a slot: its key is limited and the slots are taken.
    static func mustPark(_ run: Run, in transaction: StoreTransaction) async throws -> Bool {
        guard run.status == .pending, let key = run.concurrencyKey, let limit = run.concurrencyLimit else {
            return false
        }
        return try await slotsTaken(run.playbook, key, in: transaction) >= limit
    }

    /// Holders and unparked pending runs of a key: one range of `runs_holding`, bounded by the limit.
    static func slotsTaken(
        _ playbook: PlaybookName,
        _ key: String,
        in transaction: StoreTransaction
    ) async throws
        -> Int
    {
        let row = try await transaction.row(
            """
            SELECT COUNT(*) AS taken FROM runs
            WHERE playbook = \(playbook.rawValue) AND concurrency_key = \(storedKey(key))
              AND (status IN (\(unescaped: holdingList)) OR (status = 'pending' AND NOT parked))
            """
        )
        return try row.map { try $0("taken", as: Int.self) } ?? 0
    }

    /// The statuses that hold a slot, as SQL literals (the predicate of `runs_holding`).
    private static var holdingList: String {
        RunStatus.allCases.filter(\.holdsConcurrencySlot).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }

    /// After a run of `run`'s key ended: the oldest parked runs of the key take the free slots.
    static func unpark(after run: Run, in transaction: StoreTransaction) async throws {
        guard run.status.isFinal, let key = run.concurrencyKey, run.concurrencyLimit != nil else { return }
        while let next = try await transaction.row(
            """
            SELECT id, concurrency_limit FROM runs
            WHERE parked AND playbook = \(run.playbook.rawValue) AND concurrency_key = \(storedKey(key))
            ORDER BY seq LIMIT 1
            """
        ) {
            let limit = try next("concurrency_limit", as: Int64?.self).map(Int.init) ?? Int.max
            guard try await slotsTaken(run.playbook, key, in: transaction) < limit else { return }
            let id: String = try next("id")
            try await transaction.run("UPDATE runs SET parked = FALSE, claimable = TRUE WHERE id = \(id)")
            transaction.madeRunsClaimable = true
        }
    }
}
