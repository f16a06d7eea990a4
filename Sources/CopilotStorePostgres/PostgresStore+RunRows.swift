import CopilotCore
import CopilotExpressions
import PostgresNIO

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// Reading and writing the run aggregate (a row of `runs`) inside a transaction.
extension PostgresStore {
    /// Runs of rows of `runs`, in the rows' order; a row that is not a run (an unknown status) is left out.
    static func runs(from rows: [StoredRow]) throws -> [Run] {
        try rows.compactMap(run(from:))
    }

    static func run(from row: StoredRow) throws -> Run? {
        guard let status = RunStatus(rawValue: try row("status")) else { return nil }
        let plan = try row("plan", as: String?.self).flatMap { try? JSONValue(parsing: $0) }
        return Run(
            id: RunID(rawValue: try row("id")),
            eventID: EventID(rawValue: try row("event_id")),
            playbook: PlaybookName(rawValue: try row("playbook")),
            subject: try row("subject"),
            status: status,
            planner: try row("planner"),
            plan: plan.flatMap(RunPlan.init(jsonValue:)),
            createdAt: try row.date("created_at") ?? .distantPast,
            updatedAt: try row.date("updated_at"),
            startedAt: try row.date("started_at"),
            concurrencyKey: try row("concurrency_key"),
            concurrencyLimit: try row("concurrency_limit", as: Int64?.self).map(Int.init),
            traceparent: try row("traceparent"),
            failedStep: try row("failed_step", as: String?.self).map(StepID.init(rawValue:)),
            cancelRequested: try row("cancel_requested"),
            wakeAt: try row.date("wake_at"),
            steps: try StoredSteps.decode(try row("steps"))
        )
    }

    static func loadRun(_ id: String, in transaction: StoreTransaction, locking: Bool = false) async throws -> Run? {
        let lock = locking ? " FOR UPDATE" : ""
        return try await transaction.row("SELECT * FROM runs WHERE id = \(id)\(unescaped: lock)").flatMap(run(from:))
    }

    /// Inserts a new run, parked when its key has no free slot (`PostgresStore+ClaimQueue`); the caller
    /// holds the key's lock.
    static func insert(_ run: Run, in transaction: StoreTransaction) async throws {
        let parked = try await mustPark(run, in: transaction)
        let claimable = run.mayNeedWorker && (!parked || run.cancelRequested)
        try await transaction.run(
            """
            INSERT INTO runs (id, event_id, playbook, subject, status, planner, plan, created_at, updated_at,
                started_at, concurrency_key, concurrency_limit, traceparent, failed_step, cancel_requested, wake_at,
                parked, claimable, steps)
            VALUES (\(run.id.rawValue), \(run.eventID.rawValue), \(run.playbook.rawValue), \(run.subject),
                \(run.status.rawValue), \(run.planner), \(run.plan?.jsonValue.jsonText),
                \(run.createdAt.timeIntervalSince1970), \(run.updatedAt.timeIntervalSince1970),
                \(run.startedAt?.timeIntervalSince1970), \(Self.storedKey(run.concurrencyKey)), \(run.concurrencyLimit.map(Int64.init)),
                \(run.traceparent), \(run.failedStep?.rawValue), \(run.cancelRequested),
                \(run.wakeAt?.timeIntervalSince1970), \(parked), \(claimable), \(try StoredSteps.encode(run.steps)))
            """
        )
        transaction.changedRuns.append(run.id.rawValue)
        if claimable { transaction.madeRunsClaimable = true }
    }

    /// Overwrites a stored run's mutable columns and steps. `cancel_requested` stays set. A run that
    /// ended gives its slot to the oldest parked run of its key (the caller holds the key's lock).
    ///
    /// With `holder`, only while that owner holds the lease and the stored run has not ended: the check
    /// and the write are one statement (one round trip on every save). Answers the stored
    /// `cancel_requested` after the write, or nil when nothing was written.
    @discardableResult
    static func update(
        _ run: Run,
        releasing: Bool,
        holder: String? = nil,
        in transaction: StoreTransaction
    ) async throws -> Bool? {
        let pending = run.status == .pending
        // The right-hand sides read the row as it was: `cancel_requested` is the stored flag.
        let written = try await transaction.row(
            """
            UPDATE runs SET status = \(run.status.rawValue), planner = \(run.planner),
                claimable = CASE WHEN \(run.status.isFinal) THEN FALSE
                    WHEN cancel_requested OR \(run.cancelRequested) THEN TRUE
                    WHEN \(pending) AND parked THEN FALSE
                    ELSE \(run.mayNeedWorker) END,
                parked = CASE WHEN \(pending) THEN parked ELSE FALSE END,
                plan = \(run.plan?.jsonValue.jsonText),
                updated_at = \(run.updatedAt.timeIntervalSince1970),
                started_at = \(run.startedAt?.timeIntervalSince1970), failed_step = \(run.failedStep?.rawValue),
                cancel_requested = cancel_requested OR \(run.cancelRequested),
                wake_at = \(run.wakeAt?.timeIntervalSince1970),
                lease_owner = CASE WHEN \(releasing) THEN NULL ELSE lease_owner END,
                lease_until = CASE WHEN \(releasing) THEN NULL ELSE lease_until END,
                steps = \(try StoredSteps.encode(run.steps))
            WHERE id = \(run.id.rawValue)
              AND (\(holder)::text IS NULL OR (lease_owner = \(holder) AND status NOT IN (\(unescaped: finalList))))
            RETURNING cancel_requested
            """
        )
        guard let written else { return nil }
        try await unpark(after: run, in: transaction)
        transaction.changedRuns.append(run.id.rawValue)
        return try written("cancel_requested", as: Bool.self)
    }

    /// The final statuses as SQL literals.
    static var finalList: String {
        RunStatus.allCases.filter(\.isFinal).map { "'\($0.rawValue)'" }.joined(separator: ", ")
    }
}
