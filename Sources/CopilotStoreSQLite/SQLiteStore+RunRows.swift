import CopilotCore
import CopilotExpressions
import Foundation
import GRDB

// Reading and writing the run aggregate (runs, run_steps, step_attempts) inside a transaction.
extension SQLiteStore {
    /// Runs of the given rows of `runs`, in the rows' order, with their steps and attempts.
    static func runs(from rows: [Row], in db: Database) throws -> [Run] {
        let ids = rows.map { $0["id"] as String }
        guard !ids.isEmpty else { return [] }
        let stepRows = try db.rows("SELECT * FROM run_steps WHERE run_id IN \(ids) ORDER BY run_id, position")
        let attemptRows = try db.rows(
            "SELECT * FROM step_attempts WHERE run_id IN \(ids) ORDER BY run_id, step_id, number"
        )
        var attempts: [String: [StepAttempt]] = [:]
        for row in attemptRows {
            let key = "\(row["run_id"] as String)\u{0}\(row["step_id"] as String)"
            attempts[key, default: []].append(
                StepAttempt(
                    number: row["number"],
                    startedAt: date(row["started_at"]) ?? .distantPast,
                    finishedAt: date(row["finished_at"]),
                    outcome: (row["outcome"] as String?).flatMap(StepOutcome.init(rawValue:)),
                    error: row["error"]
                )
            )
        }
        var steps: [String: [RunStep]] = [:]
        for row in stepRows {
            let runID: String = row["run_id"]
            let stepID: String = row["id"]
            steps[runID, default: []].append(step(from: row, history: attempts["\(runID)\u{0}\(stepID)"] ?? []))
        }
        return rows.compactMap { run(from: $0, steps: steps[$0["id"] as String] ?? []) }
    }

    static func run(from row: Row, steps: [RunStep]) -> Run? {
        guard let status = RunStatus(rawValue: row["status"]) else { return nil }
        return Run(
            id: RunID(rawValue: row["id"]),
            eventID: EventID(rawValue: row["event_id"]),
            playbook: PlaybookName(rawValue: row["playbook"]),
            subject: row["subject"],
            status: status,
            planner: row["planner"],
            plan: (row["plan"] as String?).flatMap { try? JSONValue(parsing: $0) }.flatMap(RunPlan.init(jsonValue:)),
            createdAt: date(row["created_at"]) ?? .distantPast,
            updatedAt: date(row["updated_at"]),
            startedAt: date(row["started_at"]),
            concurrencyKey: row["concurrency_key"],
            concurrencyLimit: row["concurrency_limit"],
            traceparent: row["traceparent"],
            failedStep: (row["failed_step"] as String?).map(StepID.init(rawValue:)),
            cancelRequested: row["cancel_requested"],
            wakeAt: date(row["wake_at"]),
            steps: steps
        )
    }

    static func step(from row: Row, history: [StepAttempt]) -> RunStep {
        var approval: ApprovalDecision?
        if let decision = (row["approval_decision"] as String?).flatMap(ApprovalDecision.Decision.init(rawValue:)) {
            approval = ApprovalDecision(
                decision: decision,
                by: row["approval_by"] ?? "",
                comment: row["approval_comment"],
                at: date(row["approval_at"]) ?? .distantPast
            )
        }
        let outputs = (row["outputs"] as String?).flatMap { try? JSONValue(parsing: $0) }?.objectValue
        return RunStep(
            id: StepID(rawValue: row["id"]),
            uses: ActionName(rawValue: row["uses"]),
            outcome: (row["outcome"] as String?).flatMap(StepOutcome.init(rawValue:)),
            history: history,
            outputs: outputs,
            error: row["error"],
            startedAt: date(row["started_at"]),
            finishedAt: date(row["finished_at"]),
            approvalRequestedAt: date(row["approval_requested_at"]),
            approval: approval
        )
    }

    static func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }

    /// Inserts a new run with its steps, and its first change; a pending run whose key has no free slot
    /// is parked (`SQLiteStore+ClaimQueue`).
    static func insert(_ run: Run, in db: Database) throws {
        let parked = try mustPark(run, in: db)
        let claimable = run.mayNeedWorker && (!parked || run.cancelRequested)
        try db.run(
            """
            INSERT INTO runs (id, event_id, playbook, subject, status, planner, plan, created_at, updated_at,
                started_at, concurrency_key, concurrency_limit, traceparent, failed_step, cancel_requested, wake_at,
                parked, claimable)
            VALUES (\(run.id.rawValue), \(run.eventID.rawValue), \(run.playbook.rawValue), \(run.subject),
                \(run.status.rawValue), \(run.planner), \(run.plan?.jsonValue.jsonText),
                \(run.createdAt.timeIntervalSince1970), \(run.updatedAt.timeIntervalSince1970),
                \(run.startedAt?.timeIntervalSince1970), \(run.concurrencyKey), \(run.concurrencyLimit),
                \(run.traceparent), \(run.failedStep?.rawValue), \(run.cancelRequested),
                \(run.wakeAt?.timeIntervalSince1970), \(parked), \(claimable))
            """
        )
        try writeSteps(of: run, in: db)
        try recordChange(of: run, in: db)
    }

    /// Overwrites a stored run's mutable columns, steps and attempts; steps the run no longer has (a
    /// plan's replaced the playbook's) are deleted. `cancel_requested` stays set. A run that ended gives
    /// its concurrency slot to the oldest parked run of its key. The write is one change of the run.
    static func update(_ run: Run, releasing: Bool, in db: Database) throws {
        let pending = run.status == .pending
        // The right-hand sides read the row as it was: `cancel_requested` is the stored flag.
        try db.run(
            """
            UPDATE runs SET status = \(run.status.rawValue), planner = \(run.planner),
                claimable = CASE WHEN \(run.status.isFinal) THEN 0
                    WHEN cancel_requested = 1 OR \(run.cancelRequested) THEN 1
                    WHEN \(pending) AND parked = 1 THEN 0
                    ELSE \(run.mayNeedWorker) END,
                parked = CASE WHEN \(pending) THEN parked ELSE 0 END,
                plan = \(run.plan?.jsonValue.jsonText),
                updated_at = \(run.updatedAt.timeIntervalSince1970),
                started_at = \(run.startedAt?.timeIntervalSince1970), failed_step = \(run.failedStep?.rawValue),
                cancel_requested = MAX(cancel_requested, \(run.cancelRequested)),
                wake_at = \(run.wakeAt?.timeIntervalSince1970),
                lease_owner = CASE WHEN \(releasing) THEN NULL ELSE lease_owner END,
                lease_until = CASE WHEN \(releasing) THEN NULL ELSE lease_until END
            WHERE id = \(run.id.rawValue)
            """
        )
        let ids = run.steps.map(\.id.rawValue)
        try db.run("DELETE FROM run_steps WHERE run_id = \(run.id.rawValue) AND id NOT IN \(ids)")
        try db.run("DELETE FROM step_attempts WHERE run_id = \(run.id.rawValue) AND step_id NOT IN \(ids)")
        try writeSteps(of: run, in: db)
        try unpark(after: run, in: db)
        try recordChange(of: run, in: db)
    }

    static func writeSteps(of run: Run, in db: Database) throws {
        for (position, step) in run.steps.enumerated() {
            try db.run(
                """
                INSERT INTO run_steps (run_id, position, id, uses, outcome, outputs, error, started_at,
                    finished_at, approval_requested_at, approval_decision, approval_by, approval_comment, approval_at)
                VALUES (\(run.id.rawValue), \(position), \(step.id.rawValue), \(step.uses.rawValue),
                    \(step.outcome?.rawValue), \(step.outputs.map { JSONValue.object($0).jsonText }), \(step.error),
                    \(step.startedAt?.timeIntervalSince1970), \(step.finishedAt?.timeIntervalSince1970),
                    \(step.approvalRequestedAt?.timeIntervalSince1970), \(step.approval?.decision.rawValue),
                    \(step.approval?.by), \(step.approval?.comment), \(step.approval?.at.timeIntervalSince1970))
                ON CONFLICT (run_id, id) DO UPDATE SET position = excluded.position, uses = excluded.uses,
                    outcome = excluded.outcome, outputs = excluded.outputs, error = excluded.error,
                    started_at = excluded.started_at, finished_at = excluded.finished_at,
                    approval_requested_at = excluded.approval_requested_at,
                    approval_decision = excluded.approval_decision, approval_by = excluded.approval_by,
                    approval_comment = excluded.approval_comment, approval_at = excluded.approval_at
                """
            )
            for attempt in step.history {
                try db.run(
                    """
                    INSERT INTO step_attempts (run_id, step_id, number, started_at, finished_at, outcome, error)
                    VALUES (\(run.id.rawValue), \(step.id.rawValue), \(attempt.number),
                        \(attempt.startedAt.timeIntervalSince1970), \(attempt.finishedAt?.timeIntervalSince1970),
                        \(attempt.outcome?.rawValue), \(attempt.error))
                    ON CONFLICT (run_id, step_id, number) DO UPDATE SET started_at = excluded.started_at,
                        finished_at = excluded.finished_at, outcome = excluded.outcome, error = excluded.error
                    """
                )
            }
        }
    }
}
