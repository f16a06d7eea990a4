public import CopilotCore
import CopilotExpressions
import PostgresNIO

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension PostgresStore {
    public func claimRuns(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        recentRuns query: RecentRunsQuery?
    ) async throws(RunStoreError) -> [ClaimedRun] {
        let nowSeconds = now.timeIntervalSince1970
        let until = now.addingTimeInterval(Self.seconds(lease))
        return try await transaction("claim runs", durability: .workerState) { transaction in
            // Two bounded index ranges (`PostgresStore+ClaimQueue`): runs without a time to wait for, in
            // `seq` order, passing over the runs in flight only; and runs whose time has come. Rows
            // another node is claiming are skipped, not waited for.
            // (Two statements: PostgreSQL takes no `FOR UPDATE` inside a `UNION`.)
            let ready = try await transaction.rows(
                """
                SELECT id, seq FROM runs
                WHERE claimable AND wake_at IS NULL AND (lease_owner IS NULL OR lease_until <= \(nowSeconds))
                ORDER BY seq LIMIT \(max(limit, 0)) FOR UPDATE SKIP LOCKED
                """
            )
            let due = try await transaction.rows(
                """
                SELECT id, seq FROM runs
                WHERE claimable AND wake_at IS NOT NULL AND wake_at <= \(nowSeconds)
                  AND (lease_owner IS NULL OR lease_until <= \(nowSeconds))
                ORDER BY wake_at LIMIT \(max(limit, 0)) FOR UPDATE SKIP LOCKED
                """
            )
            // The older head of the two ranges first, each range in its own order, as SQLite's loop.
            func candidates(_ rows: [StoredRow]) throws -> ArraySlice<(id: String, seq: Int64)> {
                try rows.map { (id: try $0("id"), seq: try $0("seq")) }[...]
            }
            var readyIDs = try candidates(ready)
            var dueIDs = try candidates(due)
            var ids: [String] = []
            while ids.count < limit,
                let next = [readyIDs.first, dueIDs.first].compactMap({ $0 }).min(by: { $0.seq < $1.seq })
            {
                if readyIDs.first?.id == next.id { readyIDs.removeFirst() } else { dueIDs.removeFirst() }
                ids.append(next.id)
            }
            guard !ids.isEmpty else { return [] }
            let pending = RunStatus.pending.rawValue
            let rows = try await transaction.rows(
                """
                UPDATE runs SET lease_owner = \(owner), lease_until = \(until.timeIntervalSince1970), parked = FALSE,
                    status = CASE WHEN status = \(pending) THEN \(RunStatus.planning.rawValue) ELSE status END,
                    started_at = COALESCE(started_at, \(nowSeconds)),
                    updated_at = CASE WHEN status = \(pending) THEN \(nowSeconds) ELSE updated_at END
                WHERE id = ANY(\(ids))
                RETURNING *
                """
            )
            let runs = try Self.runs(from: rows).sorted { lhs, rhs in
                (ids.firstIndex(of: lhs.id.rawValue) ?? 0) < (ids.firstIndex(of: rhs.id.rawValue) ?? 0)
            }
            transaction.changedRuns.append(contentsOf: runs.map(\.id.rawValue))
            let recent =
                if let query {
                    try await Self.recentRuns(of: runs.filter(query.wants), limit: query.limit, in: transaction)
                } else {
                    [:] as [RunID: [PastRun]]
                }
            return runs.map {
                ClaimedRun(
                    run: $0,
                    lease: RunLease(runID: $0.id, owner: owner, expiresAt: until),
                    recentRuns: recent[$0.id]
                )
            }
        }
    }

    public func renewLease(_ lease: RunLease, until: Date) async throws(RunStoreError) -> RunLease {
        try await transaction("renew lease", durability: .workerState) { transaction in
            let renewed = try await transaction.row(
                """
                UPDATE runs SET lease_until = \(until.timeIntervalSince1970)
                WHERE id = \(lease.runID.rawValue) AND lease_owner = \(lease.owner)
                  AND status NOT IN (\(unescaped: Self.finalList))
                RETURNING id
                """
            )
            guard renewed != nil else { throw try await Self.refusal(of: lease.runID, in: transaction) }
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

    /// A batch of saves in one transaction. The keys of the runs that end are locked first, then the
    /// rows in id order, then the audit chain for the records of the saves that were stored, in the
    /// order of `StoreLock`, so a batch never waits in a cycle with another node's batch or with a
    /// decision. A save that is refused (`conflict`, `notFound`) writes nothing and leaves the others to
    /// commit; a failing transaction answers `unavailable` to all of them.
    func save(_ saves: [RunSave]) async -> [Result<Run, RunStoreError>] {
        let order = saves.indices.sorted { saves[$0].run.id.rawValue < saves[$1].run.id.rawValue }
        do {
            return try await transaction("save runs", durability: .workerState) { transaction in
                try await Self.lockKeys(saves.map(\.run).filter(Self.endsHoldingSlot).map(Self.key), in: transaction)
                var results = [Result<Run, RunStoreError>](repeating: .failure(.unavailable), count: saves.count)
                var audit: [AuditEntry] = []
                for index in order {
                    let save = saves[index]
                    do {
                        results[index] = .success(
                            try await Self.save(
                                save.run,
                                lease: save.lease,
                                release: save.release,
                                audit: [],
                                in: transaction
                            )
                        )
                        audit += save.audit
                    } catch let refused as RunStoreError {
                        results[index] = .failure(refused)
                    }
                }
                try await Self.appendAudit(audit, in: transaction)
                return results
            }
        } catch {
            return saves.map { _ in .failure(error) }
        }
    }

    /// One save inside its transaction; the caller has locked the key of a run that ends (it unparks the
    /// next of its key), before any row (`StoreLock`).
    private static func save(
        _ run: Run,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry],
        in transaction: StoreTransaction
    ) async throws -> Run {
        guard lease.runID == run.id else { throw RunStoreError.conflict }
        guard let cancelRequested = try await update(run, releasing: release, holder: lease.owner, in: transaction)
        else { throw try await refusal(of: run.id, in: transaction) }
        var saved = run
        saved.cancelRequested = cancelRequested
        try await appendAudit(audit, in: transaction)
        return saved
    }

    public func savePlan(
        _ run: Run,
        transcript: PlannerConversation,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry]
    ) async throws(RunStoreError) -> Run {
        // Encoded before the transaction holds its connection and locks: tens of kilobytes with the
        // prompt's event in it.
        let conversation = transcript.jsonValue.jsonText
        return try await transaction("save plan") { transaction in
            if Self.endsHoldingSlot(run) { try await Self.lockKeys([Self.key(of: run)], in: transaction) }
            let saved = try await Self.save(run, lease: lease, release: release, audit: audit, in: transaction)
            if !release {
                try await transaction.run(
                    "UPDATE runs SET lease_until = \(lease.expiresAt.timeIntervalSince1970) WHERE id = \(run.id.rawValue)"
                )
            }
            try await transaction.run(
                """
                INSERT INTO run_transcripts (run_id, conversation) VALUES (\(run.id.rawValue), \(conversation))
                ON CONFLICT (run_id) DO UPDATE SET conversation = excluded.conversation
                """
            )
            return saved
        }
    }

    public func transcript(_ id: RunID) async throws(RunStoreError) -> PlannerConversation? {
        let text = try await read("read transcript") { transaction in
            try await transaction.row("SELECT conversation FROM run_transcripts WHERE run_id = \(id.rawValue)")?(
                "conversation",
                as: String.self
            )
        }
        return text.flatMap { try? JSONValue(parsing: $0) }.flatMap(PlannerConversation.init(jsonValue:))
    }

    public func recentRuns(
        playbook: PlaybookName,
        subject: String,
        before: RunID,
        limit: Int
    ) async throws(RunStoreError) -> [PastRun] {
        try await read("recent runs") { transaction in
            try await transaction.rows(
                """
                SELECT id, status, steps FROM runs
                WHERE playbook = \(playbook.rawValue) AND subject = \(subject)
                  AND seq < (SELECT seq FROM runs WHERE id = \(before.rawValue))
                ORDER BY seq DESC LIMIT \(max(limit, 0))
                """
            ).compactMap(Self.pastRun)
        }
    }

    /// The recent runs of each of `runs` (`recentRuns(playbook:subject:before:limit:)`), by run, in one
    /// statement: a claim reads them for the runs it hands to the planner.
    private static func recentRuns(
        of runs: [Run],
        limit: Int,
        in transaction: StoreTransaction
    ) async throws -> [RunID: [PastRun]] {
        guard !runs.isEmpty else { return [:] }
        var recent = Dictionary(uniqueKeysWithValues: runs.map { ($0.id, [PastRun]()) })
        for row in try await transaction.rows(
            """
            SELECT claimed.id AS claimed_id, past.id, past.status, past.steps
            FROM runs AS claimed
            CROSS JOIN LATERAL (
                SELECT id, status, steps, seq FROM runs
                WHERE playbook = claimed.playbook AND subject = claimed.subject AND seq < claimed.seq
                ORDER BY seq DESC LIMIT \(max(limit, 0))
            ) AS past
            WHERE claimed.id = ANY(\(runs.map(\.id.rawValue)))
            ORDER BY past.seq DESC
            """
        ) {
            guard let run = try pastRun(row) else { continue }
            recent[RunID(rawValue: try row("claimed_id"))]?.append(run)
        }
        return recent
    }

    /// A `PastRun` from a row with `id`, `status` and `steps`; nil for a status this version does not know.
    private static func pastRun(_ row: StoredRow) throws -> PastRun? {
        guard let status = RunStatus(rawValue: try row("status")) else { return nil }
        return PastRun(
            id: RunID(rawValue: try row("id")),
            status: status,
            steps: try StoredSteps.decode(try row("steps")).map(PastRun.Step.init)
        )
    }

    public func decideApproval(
        _ id: RunID,
        decision: ApprovalDecision,
        audit: AuditEntry
    ) async throws(RunStoreError) -> Run {
        try await transaction("decide approval") { transaction in
            guard
                let row = try await transaction.row("SELECT * FROM runs WHERE id = \(id.rawValue) FOR UPDATE"),
                var run = try Self.run(from: row)
            else { throw RunStoreError.notFound }
            if try row("lease_owner", as: String?.self) != nil, let until = try row("lease_until", as: Double?.self),
                until > decision.at.timeIntervalSince1970
            {
                throw RunStoreError.conflict
            }
            do {
                try run.recordApproval(decision)
            } catch {
                throw RunStoreError.conflict
            }
            return try await Self.storeDecision(run, audit: audit, in: transaction)
        }
    }

    public func cancelRun(_ id: RunID, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> Run {
        try await transaction("cancel run") { transaction in
            guard var run = try await Self.loadRun(id.rawValue, in: transaction, locking: true) else {
                throw RunStoreError.notFound
            }
            do {
                try run.requestCancellation(at: now)
            } catch {
                throw RunStoreError.conflict
            }
            return try await Self.storeDecision(run, audit: audit, in: transaction)
        }
    }

    /// An operator's decision (an approval, a rejection, a cancel) stored with its audit record; the run
    /// is then claimable, and the nodes are told.
    private static func storeDecision(
        _ run: Run,
        audit: AuditEntry,
        in transaction: StoreTransaction
    ) async throws
        -> Run
    {
        try await update(run, releasing: false, in: transaction)
        try await appendAudit([audit], in: transaction)
        transaction.madeRunsClaimable = true
        return run
    }

    public func run(_ id: RunID) async throws(RunStoreError) -> Run? {
        try await read("read run") { transaction in try await Self.loadRun(id.rawValue, in: transaction) }
    }

    public func runs(_ query: RunQuery) async throws(RunStoreError) -> RunPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list runs") { transaction in
            let rows = try await transaction.rows(
                """
                SELECT * FROM runs
                WHERE (\(before)::bigint IS NULL OR seq < \(before))
                  AND (\(query.status?.rawValue)::text IS NULL OR status = \(query.status?.rawValue))
                  AND (\(query.playbook?.rawValue)::text IS NULL OR playbook = \(query.playbook?.rawValue))
                  AND (\(query.eventID?.rawValue)::text IS NULL OR event_id = \(query.eventID?.rawValue))
                ORDER BY seq DESC LIMIT \(limit + 1)
                """
            )
            let (page, next) = try StoredRow.page(rows, limit: limit)
            return RunPage(runs: try Self.runs(from: page), nextCursor: next)
        }
    }

    /// Why a write conditioned on the lease wrote nothing: `notFound` for an unknown run, else
    /// `conflict` (another owner holds it, or it ended).
    static func refusal(of id: RunID, in transaction: StoreTransaction) async throws -> RunStoreError {
        try await transaction.row("SELECT 1 AS known FROM runs WHERE id = \(id.rawValue)") == nil
            ? .notFound : .conflict
    }

    /// A run that ends while it counts against its key's limit: its key's lock comes first.
    static func endsHoldingSlot(_ run: Run) -> Bool {
        run.status.isFinal && run.concurrencyLimit != nil
    }

    static func key(of run: Run) -> (PlaybookName, String?) {
        (run.playbook, run.concurrencyKey)
    }
}
