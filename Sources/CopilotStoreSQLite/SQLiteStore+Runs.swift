public import CopilotCore
import CopilotExpressions
public import Foundation
import GRDB
import Logging

extension SQLiteStore {
    public func claimRuns(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        recentRuns query: RecentRunsQuery?
    ) async throws(RunStoreError) -> [ClaimedRun] {
        let nowSeconds = now.timeIntervalSince1970
        let until = now.addingTimeInterval(Self.seconds(lease))
        let pending = RunStatus.pending.rawValue
        let candidate = Self.claimCandidate(now: now)
        return try await write("claim runs") { db in
            var claimed: [ClaimedRun] = []
            while claimed.count < limit, let row = try db.row(candidate) {
                let id: String = row["id"]
                try db.run(
                    """
                    UPDATE runs SET lease_owner = \(owner), lease_until = \(until.timeIntervalSince1970), parked = 0,
                        status = CASE WHEN status = \(pending) THEN \(RunStatus.planning.rawValue) ELSE status END,
                        started_at = COALESCE(started_at, \(nowSeconds)),
                        updated_at = CASE WHEN status = \(pending) THEN \(nowSeconds) ELSE updated_at END
                    WHERE id = \(id)
                    """
                )
                guard let run = try Self.loadRun(id, in: db) else { break }
                try Self.recordChange(of: run, in: db)
                claimed.append(ClaimedRun(run: run, lease: RunLease(runID: run.id, owner: owner, expiresAt: until)))
            }
            // A few index steps each, on the writer: the read the planner made on its own cost the run a
            // round trip to a reader connection.
            try query?.attach(to: &claimed) { run, limit in
                try Self.recentRuns(playbook: run.playbook, subject: run.subject, before: run.id, limit: limit, in: db)
            }
            return claimed
        }
    }

    /// The run a claim at `now` takes next. One candidate at a time, in one transaction: each claim
    /// leases its run, which the next candidate query then passes over. Only `claimable` runs are looked
    /// at (`SQLiteStore+ClaimQueue`), in two bounded index ranges, and the older of the two answers wins:
    /// - runs without a time to wait for (`runs_ready`, in `seq` order): the scan passes over the runs
    ///   in flight only, whose leases are held;
    /// - runs waiting for a time (a retry's backoff, an approval's deadline; `runs_timed`, in `wake_at`
    ///   order): only those whose time has come are looked at.
    /// A run parked behind its concurrency key is in neither, however many wait.
    static func claimCandidate(now: Date) -> SQL {
        let nowSeconds = now.timeIntervalSince1970
        // The id only: the claimed run is read once, after its lease is written.
        return """
            SELECT id FROM (
                SELECT id, seq FROM (
                    SELECT id, seq FROM runs INDEXED BY runs_ready
                    WHERE claimable = 1 AND wake_at IS NULL
                      AND (lease_owner IS NULL OR lease_until <= \(nowSeconds))
                    ORDER BY seq LIMIT 1)
                UNION ALL
                SELECT id, seq FROM (
                    SELECT id, seq FROM runs INDEXED BY runs_timed
                    WHERE claimable = 1 AND wake_at IS NOT NULL AND wake_at <= \(nowSeconds)
                      AND (lease_owner IS NULL OR lease_until <= \(nowSeconds))
                    ORDER BY wake_at LIMIT 1)
                ORDER BY seq LIMIT 1)
            """
    }

    public func renewLease(_ lease: RunLease, until: Date) async throws(RunStoreError) -> RunLease {
        try await write("renew lease") { db in
            try Self.checkLease(lease, in: db)
            try db.run(
                "UPDATE runs SET lease_until = \(until.timeIntervalSince1970) WHERE id = \(lease.runID.rawValue)"
            )
            return RunLease(runID: lease.runID, owner: lease.owner, expiresAt: until)
        }
    }

    public func save(
        _ run: Run,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry]
    ) async throws(RunStoreError) -> Run {
        try await runSaves.submit(RunSave(run: run, lease: lease, release: release, audit: audit)).get()
    }

    /// Saves concurrent runs in one transaction (`GroupCommit`): the executing runs of a busy node save
    /// at about the same moments, and one transaction per save was most of the single writer's time.
    /// Each save is checked before it writes anything, so one that is refused (`conflict`, `notFound`)
    /// leaves the others to commit; a failing transaction answers `unavailable` to all of them.
    static func save(
        _ saves: [RunSave],
        to writer: any DatabaseWriter,
        logger: Logger,
        then done: @escaping @Sendable ([Result<Run, RunStoreError>]) -> Void
    ) {
        write("save runs", to: writer, logger: logger) { db in
            try saves.map { save -> Result<Run, RunStoreError> in
                do {
                    return .success(try Self.save(save, in: db))
                } catch let error as RunStoreError {
                    return .failure(error)
                }
            }
        } then: { result in
            switch result {
            case .success(let results): done(results)
            case .failure(let error): done(saves.map { _ in .failure(error) })
            }
        }
    }

    private static func save(_ save: RunSave, in db: Database) throws -> Run {
        guard save.lease.runID == save.run.id else { throw RunStoreError.conflict }
        let cancelRequested = try checkLease(save.lease, in: db)
        try update(save.run, releasing: save.release, in: db)
        // The stored run is the one given, but for a cancel that arrived meanwhile (`update` keeps the
        // flag): no need to read back what was just written.
        var saved = save.run
        saved.cancelRequested = save.run.cancelRequested || cancelRequested
        try appendAudit(save.audit, in: db)
        return saved
    }

    public func savePlan(
        _ run: Run,
        transcript: PlannerConversation,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry]
    ) async throws(RunStoreError) -> Run {
        // Encoded before the one writer is taken: tens of kilobytes with the prompt's event in it.
        let conversation = transcript.jsonValue.jsonText
        return try await write("save plan") { db in
            let saved = try Self.save(RunSave(run: run, lease: lease, release: release, audit: audit), in: db)
            if !release {
                try db.run(
                    """
                    UPDATE runs SET lease_until = \(lease.expiresAt.timeIntervalSince1970)
                    WHERE id = \(run.id.rawValue)
                    """
                )
            }
            try db.run(
                """
                INSERT INTO run_transcripts (run_id, conversation) VALUES (\(run.id.rawValue), \(conversation))
                ON CONFLICT (run_id) DO UPDATE SET conversation = excluded.conversation
                """
            )
            return saved
        }
    }

    public func transcript(_ id: RunID) async throws(RunStoreError) -> PlannerConversation? {
        let text = try await read("read transcript") { db in
            try db.row("SELECT conversation FROM run_transcripts WHERE run_id = \(id.rawValue)")?["conversation"]
                as String?
        }
        return text.flatMap { try? JSONValue(parsing: $0) }.flatMap(PlannerConversation.init(jsonValue:))
    }

    public func recentRuns(
        playbook: PlaybookName,
        subject: String,
        before: RunID,
        limit: Int
    ) async throws(RunStoreError) -> [PastRun] {
        try await read("recent runs") { db in
            try Self.recentRuns(playbook: playbook, subject: subject, before: before, limit: limit, in: db)
        }
    }

    /// One statement: the runs through their index, each with its steps (none: one row of NULLs).
    private static func recentRuns(
        playbook: PlaybookName,
        subject: String,
        before: RunID,
        limit: Int,
        in db: Database
    ) throws -> [PastRun] {
        var runs: [PastRun] = []
        var current: (id: String, known: Bool)?  // the run of the rows; one with an unknown status is left out
        for row in try db.rows(
            """
            SELECT recent.id, recent.status, run_steps.uses, run_steps.outcome
            FROM (
                SELECT id, status, seq FROM runs INDEXED BY runs_by_playbook_subject
                WHERE playbook = \(playbook.rawValue) AND subject = \(subject)
                  AND seq < (SELECT seq FROM runs WHERE id = \(before.rawValue))
                ORDER BY seq DESC LIMIT \(max(limit, 0))
            ) AS recent
            LEFT JOIN run_steps ON run_steps.run_id = recent.id
            ORDER BY recent.seq DESC, run_steps.position
            """
        ) {
            let id: String = row["id"]
            if current?.id != id {
                let status = RunStatus(rawValue: row["status"])
                current = (id, status != nil)
                if let status { runs.append(PastRun(id: RunID(rawValue: id), status: status, steps: [])) }
            }
            guard current?.known == true, let uses: String = row["uses"] else { continue }
            runs[runs.count - 1].steps.append(
                .init(
                    uses: ActionName(rawValue: uses),
                    outcome: (row["outcome"] as String?).flatMap(StepOutcome.init)
                )
            )
        }
        return runs
    }

    public func decideApproval(
        _ id: RunID,
        decision: ApprovalDecision,
        audit: AuditEntry
    ) async throws(RunStoreError) -> Run {
        try await write("decide approval") { db in
            guard let row = try db.row("SELECT * FROM runs WHERE id = \(id.rawValue)"),
                var run = try Self.runs(from: [row], in: db).first
            else { throw RunStoreError.notFound }
            if let until: Double = row["lease_until"], row["lease_owner"] as String? != nil,
                until > decision.at.timeIntervalSince1970
            {
                throw RunStoreError.conflict
            }
            do {
                try run.recordApproval(decision)
            } catch {
                throw RunStoreError.conflict
            }
            try Self.update(run, releasing: false, in: db)
            try Self.appendAudit([audit], in: db)
            return run
        }
    }

    public func cancelRun(_ id: RunID, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> Run {
        try await write("cancel run") { db in
            guard var run = try Self.loadRun(id.rawValue, in: db) else { throw RunStoreError.notFound }
            do {
                try run.requestCancellation(at: now)
            } catch {
                throw RunStoreError.conflict
            }
            try Self.update(run, releasing: false, in: db)
            try Self.appendAudit([audit], in: db)
            return run
        }
    }

    public func run(_ id: RunID) async throws(RunStoreError) -> Run? {
        try await read("read run") { db in try Self.loadRun(id.rawValue, in: db) }
    }

    public func runs(_ query: RunQuery) async throws(RunStoreError) -> RunPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list runs") { db in
            var sql: SQL = "SELECT * FROM runs WHERE 1"
            if let before { sql.append(literal: " AND seq < \(before)") }
            if let status = query.status { sql.append(literal: " AND status = \(status.rawValue)") }
            if let playbook = query.playbook { sql.append(literal: " AND playbook = \(playbook.rawValue)") }
            if let eventID = query.eventID { sql.append(literal: " AND event_id = \(eventID.rawValue)") }
            sql.append(literal: " ORDER BY seq DESC LIMIT \(limit + 1)")
            let (page, next) = RunCursor.page(try db.rows(sql), limit: limit) { $0["seq"] }
            return RunPage(runs: try Self.runs(from: page, in: db), nextCursor: next)
        }
    }

    public func backlog() async throws(RunStoreError) -> Backlog {
        let unfinished = RunStatus.allCases.filter { !$0.isFinal }.map(\.rawValue)
        return try await read("count the backlog") { db in
            // Each status is one range of `runs_by_status`, and unmatched events one range of
            // `events_pending`: a count of what waits, not of every run or event kept.
            var backlog = Backlog()
            for row in try db.rows(
                "SELECT status, COUNT(*) AS count FROM runs INDEXED BY runs_by_status WHERE status IN \(unfinished) GROUP BY status"
            ) {
                if let status = RunStatus(rawValue: row["status"]) { backlog.runs[status] = row["count"] }
            }
            backlog.unmatchedEvents =
                try db.row(
                    "SELECT COUNT(*) AS count FROM events INDEXED BY events_pending WHERE match_state = 'pending'"
                )?[
                    "count"
                ] ?? 0
            backlog.oldestUnmatchedAt = try db.row(
                "SELECT received_at FROM events INDEXED BY events_pending WHERE match_state = 'pending' ORDER BY seq LIMIT 1"
            ).flatMap { Self.date($0["received_at"]) }
            return backlog
        }
    }

    static func loadRun(_ id: String, in db: Database) throws -> Run? {
        guard let row = try db.row("SELECT * FROM runs WHERE id = \(id)") else { return nil }
        return try runs(from: [row], in: db).first
    }

    /// Throws `notFound` for an unknown run, `conflict` when `lease` is not the stored one or the run ended.
    /// Answers whether the stored run has a cancel requested.
    @discardableResult
    static func checkLease(_ lease: RunLease, in db: Database) throws -> Bool {
        guard
            let row = try db.row(
                "SELECT status, lease_owner, cancel_requested FROM runs WHERE id = \(lease.runID.rawValue)"
            )
        else { throw RunStoreError.notFound }
        let status = RunStatus(rawValue: row["status"])
        guard row["lease_owner"] as String? == lease.owner, let status, !status.isFinal else {
            throw RunStoreError.conflict
        }
        return row["cancel_requested"]
    }
}
