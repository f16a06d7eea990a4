import CopilotCore
import GRDB

/// Which runs a claim looks at, kept so that a claim costs the same with 10 or 100,000 runs waiting
/// (issue 13).
///
/// Two columns on `runs`, written with every change of a run's state:
/// - `parked`: a `pending` run whose `concurrency` key has no free slot. It is not looked at again until
///   a run of its key ends; then the oldest parked run of the key takes the free slot (`unpark`). The
///   invariant, per playbook and key with a limit L: holders (`planning`, `awaiting_approval`,
///   `running`) + pending runs not parked ≤ L, and no run with limit L is parked while fewer than L
///   slots are taken.
/// - `claimable`: the run may need a worker (lease and `wake_at` permitting): unparked `pending`,
///   `planning` and `running`, `awaiting_approval` with a deadline, and any unfinished run with a cancel
///   requested. Two partial indexes split them: `runs_ready` (no `wake_at`, in `seq` order) and
///   `runs_timed` (in `wake_at` order). A claim looks at the runs in flight and at the timed runs whose
///   time has come (`claimCandidate`), never at the timed runs still waiting, nor at a backlog parked
///   behind a key.
///
/// PostgreSQL takes the same two columns and partial indexes, with `FOR UPDATE SKIP LOCKED` on the two
/// claim ranges instead of SQLite's single writer.
extension SQLiteStore {
    /// "v8-claim-queue": the two columns for the runs stored so far, and their indexes.
    static func addClaimQueue(_ db: Database) throws {
        let holding = RunStatus.allCases.filter(\.holdsConcurrencySlot).map(\.rawValue)
        let unfinished = RunStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        try db.execute(
            sql: """
                ALTER TABLE runs ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE runs ADD COLUMN claimable INTEGER NOT NULL DEFAULT 0;
                CREATE INDEX runs_ready ON runs (seq) WHERE claimable = 1 AND wake_at IS NULL;
                CREATE INDEX runs_timed ON runs (wake_at) WHERE claimable = 1 AND wake_at IS NOT NULL;
                DROP INDEX runs_by_playbook_key;
                CREATE INDEX runs_parked ON runs (playbook, concurrency_key, seq) WHERE parked = 1;
                CREATE INDEX runs_by_key_slot ON runs (playbook, concurrency_key, status, parked);
                CREATE INDEX runs_by_key_created ON runs (playbook, concurrency_key, created_at);
                """
        )
        // Pending runs of a limited key beyond its free slots are parked, oldest first keeping the slots.
        try db.run(
            """
            UPDATE runs SET parked = 1 WHERE id IN (
                SELECT id FROM (
                    SELECT p.id, ROW_NUMBER() OVER (PARTITION BY p.playbook, p.concurrency_key ORDER BY p.seq) AS place,
                        p.concurrency_limit - (SELECT COUNT(*) FROM runs h WHERE h.playbook = p.playbook
                            AND h.concurrency_key = p.concurrency_key AND h.status IN \(holding)) AS free
                    FROM runs p
                    WHERE p.status = \(RunStatus.pending.rawValue) AND p.concurrency_key IS NOT NULL
                        AND p.concurrency_limit IS NOT NULL
                ) WHERE place > free
            )
            """
        )
        try db.run(
            """
            UPDATE runs SET claimable = 1 WHERE status IN \(unfinished) AND (cancel_requested = 1
                OR (status = \(RunStatus.pending.rawValue) AND parked = 0)
                OR status IN \([RunStatus.planning.rawValue, RunStatus.running.rawValue])
                OR (status = \(RunStatus.awaitingApproval.rawValue) AND wake_at IS NOT NULL))
            """
        )
    }

    /// Whether a new pending run of `run`'s key must wait for a slot: its key is limited and the slots
    /// are taken, by holders and unparked pending runs. Runs of the key with the same limit wait in
    /// order (a parked run means every slot is taken); a run with a larger limit (its playbook was
    /// reloaded with one) may start beside them, as its own limit allows.
    static func mustPark(_ run: Run, in db: Database) throws -> Bool {
        guard run.status == .pending, let key = run.concurrencyKey, let limit = run.concurrencyLimit else {
            return false
        }
        return try slotsTaken(run.playbook, key, in: db) >= limit
    }

    /// Holders and unparked pending runs of a key: each an index range bounded by the key's limit.
    static func slotsTaken(_ playbook: PlaybookName, _ key: String, in db: Database) throws -> Int {
        let holding = RunStatus.allCases.filter(\.holdsConcurrencySlot).map(\.rawValue)
        let row = try db.row(
            """
            SELECT (SELECT COUNT(*) FROM runs INDEXED BY runs_by_key_slot WHERE playbook = \(playbook.rawValue)
                    AND concurrency_key = \(key) AND status IN \(holding))
                + (SELECT COUNT(*) FROM runs INDEXED BY runs_by_key_slot WHERE playbook = \(playbook.rawValue)
                    AND concurrency_key = \(key) AND status = \(RunStatus.pending.rawValue) AND parked = 0) AS taken
            """
        )
        return row?["taken"] ?? 0
    }

    /// After a run of `run`'s key ended: the oldest parked runs of the key take the free slots.
    static func unpark(after run: Run, in db: Database) throws {
        guard run.status.isFinal, let key = run.concurrencyKey, run.concurrencyLimit != nil else { return }
        while let next = try db.row(
            """
            SELECT id, concurrency_limit FROM runs INDEXED BY runs_parked
            WHERE parked = 1 AND playbook = \(run.playbook.rawValue) AND concurrency_key = \(key)
            ORDER BY seq LIMIT 1
            """
        ) {
            let limit: Int? = next["concurrency_limit"]
            guard try slotsTaken(run.playbook, key, in: db) < (limit ?? Int.max) else { return }
            try db.run("UPDATE runs SET parked = 0, claimable = 1 WHERE id = \(next["id"] as String)")
        }
    }
}
