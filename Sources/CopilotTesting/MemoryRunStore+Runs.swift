public import CopilotCore
public import Foundation

extension MemoryRunStore {
    public func claimRuns(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        recentRuns query: RecentRunsQuery?
    ) throws(RunStoreError) -> [ClaimedRun] {
        try checkAvailable()
        var claimed: [ClaimedRun] = []
        while claimed.count < limit, let run = claimOne(owner: owner, lease: lease, now: now) {
            claimed.append(run)
        }
        try query?.attach(to: &claimed) { run, limit throws(RunStoreError) in
            try recentRuns(playbook: run.playbook, subject: run.subject, before: run.id, limit: limit)
        }
        return claimed
    }

    private func claimOne(owner: String, lease: Duration, now: Date) -> ClaimedRun? {
        guard
            let candidate = runsByID.values.filter({ isClaimable($0, at: now) }).min(by: { $0.sequence < $1.sequence })
        else { return nil }
        var stored = candidate
        if stored.run.status == .pending {
            stored.run.status = .planning
            stored.run.startedAt = stored.run.startedAt ?? now
            stored.run.updatedAt = now
        }
        let granted = RunLease(
            runID: stored.run.id,
            owner: owner,
            expiresAt: now.addingTimeInterval(lease.secondsValue)
        )
        stored.leaseOwner = owner
        stored.leaseUntil = granted.expiresAt
        runsByID[stored.run.id] = stored
        recordChange(of: stored.run)
        return ClaimedRun(run: stored.run, lease: granted)
    }

    func isClaimable(_ stored: StoredRun, at now: Date) -> Bool {
        let run = stored.run
        guard !run.status.isFinal, !stored.isLeased(at: now) else { return false }
        if run.cancelRequested { return true }
        let awake = (run.wakeAt ?? .distantPast) <= now
        switch run.status {
        case .pending: return awake && hasFreeSlot(run)
        case .planning, .running: return awake
        case .awaitingApproval: return run.wakeAt != nil && awake
        case .succeeded, .failed, .cancelled, .rejected: return false
        }
    }

    func hasFreeSlot(_ run: Run) -> Bool {
        guard let key = run.concurrencyKey, let limit = run.concurrencyLimit else { return true }
        let holding = runsByID.values.count {
            $0.run.playbook == run.playbook && $0.run.concurrencyKey == key && $0.run.status.holdsConcurrencySlot
        }
        return holding < limit
    }

    public func renewLease(_ lease: RunLease, until: Date) throws(RunStoreError) -> RunLease {
        try checkAvailable()
        guard var stored = runsByID[lease.runID] else { throw .notFound }
        guard stored.leaseOwner == lease.owner, !stored.run.status.isFinal else { throw .conflict }
        stored.leaseUntil = until
        runsByID[lease.runID] = stored
        return RunLease(runID: lease.runID, owner: lease.owner, expiresAt: until)
    }

    public func save(_ run: Run, lease: RunLease, release: Bool, audit: [AuditEntry]) throws(RunStoreError) -> Run {
        try checkAvailable()
        guard var stored = runsByID[run.id] else { throw .notFound }
        guard lease.runID == run.id, stored.leaseOwner == lease.owner, !stored.run.status.isFinal else {
            throw .conflict
        }
        var saved = run
        saved.cancelRequested = run.cancelRequested || stored.run.cancelRequested
        stored.run = saved
        if release {
            stored.leaseOwner = nil
            stored.leaseUntil = nil
        }
        runsByID[run.id] = stored
        recordChange(of: saved)
        append(audit)
        return saved
    }

    public func savePlan(
        _ run: Run,
        transcript: PlannerConversation,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry]
    ) throws(RunStoreError) -> Run {
        let saved = try save(run, lease: lease, release: release, audit: audit)
        transcripts[run.id] = transcript
        if !release { runsByID[run.id]?.leaseUntil = lease.expiresAt }
        return saved
    }

    public func transcript(_ id: RunID) throws(RunStoreError) -> PlannerConversation? {
        try checkAvailable()
        return transcripts[id]
    }

    public func recentRuns(
        playbook: PlaybookName,
        subject: String,
        before: RunID,
        limit: Int
    ) throws(RunStoreError) -> [PastRun] {
        try checkAvailable()
        guard let sequence = runsByID[before]?.sequence else { return [] }
        return runsByID.values
            .filter { $0.sequence < sequence && $0.run.playbook == playbook && $0.run.subject == subject }
            .sorted { $0.sequence > $1.sequence }
            .prefix(max(limit, 0))
            .map { PastRun($0.run) }
    }

    public func decideApproval(_ id: RunID, decision: ApprovalDecision, audit: AuditEntry) throws(RunStoreError) -> Run
    {
        try checkAvailable()
        guard var stored = runsByID[id] else { throw .notFound }
        guard !stored.isLeased(at: decision.at) else { throw .conflict }
        do {
            try stored.run.recordApproval(decision)
        } catch {
            throw .conflict
        }
        runsByID[id] = stored
        recordChange(of: stored.run)
        append([audit])
        return stored.run
    }

    public func cancelRun(_ id: RunID, at now: Date, audit: AuditEntry) throws(RunStoreError) -> Run {
        try checkAvailable()
        guard var stored = runsByID[id] else { throw .notFound }
        do {
            try stored.run.requestCancellation(at: now)
        } catch {
            throw .conflict
        }
        runsByID[id] = stored
        recordChange(of: stored.run)
        append([audit])
        return stored.run
    }

    public func backlog() throws(RunStoreError) -> Backlog {
        try checkAvailable()
        let unmatched = events.values.filter { $0.state == .pending }
        return Backlog(
            runs: runsByID.values.filter { !$0.run.status.isFinal }.reduce(into: [:]) {
                $0[$1.run.status, default: 0] += 1
            },
            unmatchedEvents: unmatched.count,
            oldestUnmatchedAt: unmatched.min { $0.sequence < $1.sequence }?.delivery.receivedAt
        )
    }

    public func run(_ id: RunID) throws(RunStoreError) -> Run? {
        try checkAvailable()
        return runsByID[id]?.run
    }

    public func runs(_ query: RunQuery) throws(RunStoreError) -> RunPage {
        try checkAvailable()
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let matching = runsByID.values
            .filter { stored in
                (before.map { stored.sequence < $0 } ?? true)
                    && (query.status.map { stored.run.status == $0 } ?? true)
                    && (query.playbook.map { stored.run.playbook == $0 } ?? true)
                    && (query.eventID.map { stored.run.eventID == $0 } ?? true)
            }
            .sorted { $0.sequence > $1.sequence }
        let (page, next) = RunCursor.page(matching, limit: query.effectiveLimit) { $0.sequence }
        return RunPage(runs: page.map(\.run), nextCursor: next)
    }
}
