#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The durable spine of the engine: the inbox's events, their match results, and runs with their steps,
/// attempts, outputs and approvals. Workers claim work from here, never from memory, so recovery after a
/// crash and scale-out to several nodes are one code path.
///
/// - Time: every method that depends on time takes `now` from the caller (an injected clock), so lease
///   expiry, backoff and cooldown are testable without sleeping. Nodes are expected to share a clock.
/// - Leases: `claimEvents` and `claimRuns` hand work to one `owner` (a node or worker id) until the lease
///   expires; an expired lease makes the work claimable again, which is how a crashed worker's runs
///   resume. Execution is therefore at-least-once: a step that may have started is sent again, with the
///   same idempotency key `<run_id>:<step_id>`.
/// - Atomicity: `recordMatches` records match results with their events and creates their runs in one
///   transaction; each claim is one atomic check-and-set, so two claimers never get the same work.
/// - Ordering: events and runs are claimed oldest first (among runs waiting for a time, the first due);
///   lists are newest first.
/// - Cost: a claim must not grow with the runs waiting behind a concurrency key, nor with the runs
///   waiting for a time not reached yet (issue 13; SQLite parks the first and indexes the second).
/// - Errors: `notFound` for an unknown run or event, `conflict` for a change that does not fit the stored
///   state (approve/reject of a run that is not waiting, cancel of an ended run, a save by a worker that
///   no longer holds the lease), `invalidCursor` for a cursor this store did not issue, `unavailable`
///   when the backend cannot answer (nothing was written then).
public protocol RunStore: EventInbox, APIKeyStore {
    /// Leases up to `limit` events whose match is not recorded yet and whose match lease is free or
    /// expired, oldest first, to `owner` until `now + lease`.
    ///
    /// `needsBody(source, type)` tells which of them the caller will read: the others come with an
    /// empty body, which is then not read at all. Most of a busy sender's events are of types no playbook
    /// listens to, and reading their bodies was most of the time a claim held the writer.
    func claimEvents(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        needsBody: @escaping @Sendable (EventSource, String) -> Bool
    ) async throws(RunStoreError) -> [Delivery]

    /// In one transaction, for each record in order: stores the event's match result (`matched` when at
    /// least one run is created, else `unmatched`; the reasons of the playbooks that did not match) and
    /// creates its runs, `pending`. A run whose playbook has `cooldown_seconds` is not created when a run
    /// of the same playbook and `concurrency_key` was created within the window before `record.at` (by
    /// an earlier record of the same call too); the reason `cooldown` is recorded for it instead.
    ///
    /// Answers, per record in order, the event's stored match state, or nil for an event the store does
    /// not know (the other records are stored all the same). Idempotent per event: once a result is
    /// stored, later records for it change nothing and answer the stored state (so an event matched
    /// twice, after a lost lease, creates its runs once). Holding the event's lease is not required.
    ///
    /// One call per claimed batch rather than one per event: the worker's matching loop then waits for
    /// the store once per batch, which is what lets one node keep up with a thousand events a second.
    func recordMatches(_ records: [MatchRecord]) async throws(RunStoreError) -> [EventRecord.MatchState?]

    /// The event with its match result and runs, or nil.
    func event(_ id: EventID) async throws(RunStoreError) -> EventRecord?

    /// Events matching the query's filters, newest first, at most `query.limit`, after `query.cursor`.
    func events(_ query: EventQuery) async throws(RunStoreError) -> EventPage

    /// In one transaction, leases up to `limit` runs that need a worker, oldest first, to `owner` until
    /// `now + lease`. A run needs a worker when its lease is free or expired and it is:
    /// - `pending` with its `wakeAt` reached, and fewer than `concurrencyLimit` runs of its playbook and
    ///   `concurrencyKey` hold a slot (`planning`, `awaiting_approval`, `running`), counting the runs this
    ///   call claims; otherwise it stays `pending` and waits: it is never dropped. Claiming it makes it
    ///   `planning` and sets `startedAt`;
    /// - `planning` or `running` with its `wakeAt` reached (a resume, or the end of a retry's backoff);
    /// - `awaiting_approval` with a `wakeAt` (the approval deadline) reached;
    /// - not ended and `cancelRequested` (whatever it waits for).
    ///
    /// Each claimed run that `recentRuns` wants comes with what `recentRuns(playbook:subject:before:limit:)`
    /// answers for it, read in the same transaction after every run is leased (runs of this claim show as
    /// claimed); the others with nil.
    func claimRuns(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        recentRuns: RecentRunsQuery?
    ) async throws(RunStoreError) -> [ClaimedRun]

    /// Extends a lease the caller still holds; `conflict` when it lost it.
    func renewLease(_ lease: RunLease, until: Date) async throws(RunStoreError) -> RunLease

    /// Stores the run, its steps (exactly those given: a plan's replace the playbook's), attempts,
    /// outputs and approvals, as the lease holder's state machine left them, and answers the stored run. `cancelRequested` stays true once set (a cancel that
    /// arrived meanwhile is kept and shows in the answer). `release` gives the lease up (the run is
    /// parked or ended). A lease is held while its owner is the stored one: an expired lease that nobody
    /// claimed since still saves (the work was not lost), one that another worker claimed does not.
    /// Throws `conflict` when `lease` is not held or the stored run has ended, `notFound` for an unknown run.
    /// `audit` (the actions the run executed since its last save) is appended in the same transaction.
    func save(_ run: Run, lease: RunLease, release: Bool, audit: [AuditEntry]) async throws(RunStoreError) -> Run

    /// `save` of a run whose planner decided, with the planner's conversation as its transcript, in one
    /// transaction: a plan is never stored without the exchange that made it. A kept lease then runs
    /// until `lease.expiresAt` (planning holds the run longer than a step; storing the plan gives the
    /// lease its usual length back). A later call (after a re-plan) replaces the transcript. Throws as
    /// `save` does.
    func savePlan(
        _ run: Run,
        transcript: PlannerConversation,
        lease: RunLease,
        release: Bool,
        audit: [AuditEntry]
    ) async throws(RunStoreError) -> Run

    /// The run's planner transcript, or nil when it has none (not planned by a model, or unknown).
    func transcript(_ id: RunID) async throws(RunStoreError) -> PlannerConversation?

    /// Up to `limit` runs of `playbook` for events with `subject`, created before the run `before`,
    /// newest first: what the planner is shown of a subject's history.
    func recentRuns(
        playbook: PlaybookName,
        subject: String,
        before: RunID,
        limit: Int
    ) async throws(RunStoreError) -> [PastRun]

    /// Stores a decision on the step a run waits for (`Run.recordApproval`) and makes the run claimable.
    /// Throws `conflict` when the run is not `awaiting_approval` or a worker holds it (its approval is
    /// being timed out), `notFound` for an unknown run. `audit` is appended in the same transaction,
    /// and only when the decision is stored.
    func decideApproval(_ id: RunID, decision: ApprovalDecision, audit: AuditEntry) async throws(RunStoreError) -> Run

    /// Marks a run to be cancelled (`Run.requestCancellation`) and makes it claimable. Throws `conflict`
    /// when it already ended, `notFound` for an unknown run. `audit` is appended in the same
    /// transaction, and only when the cancellation is stored.
    func cancelRun(_ id: RunID, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> Run

    /// When the newest run of a playbook with this concurrency key (nil: runs without one) was created.
    func lastRunCreatedAt(playbook: PlaybookName, concurrencyKey: String?) async throws(RunStoreError) -> Date?

    /// The run with its steps, attempts, outputs and approvals, or nil.
    func run(_ id: RunID) async throws(RunStoreError) -> Run?

    /// Runs matching the query's filters, newest first, at most `query.limit`, after `query.cursor`.
    func runs(_ query: RunQuery) async throws(RunStoreError) -> RunPage

    /// What waits: runs by unfinished status, and the events not matched yet.
    func backlog() async throws(RunStoreError) -> Backlog

    /// The changes of runs committed after `sequence`, oldest first, at most `limit`, with the oldest
    /// change kept and the newest. Every write of a run (created, claimed, saved, decided, cancelled) is
    /// one change, written in its transaction and numbered in commit order: once a number is readable,
    /// no change with a lower one can appear later (SQLite's one writer gives this for free; a backend
    /// with concurrent writers must number at commit, not at insert). At least the newest
    /// `RunChange.retained` are kept.
    func runChanges(after sequence: Int64, limit: Int) async throws(RunStoreError) -> RunChanges
}

extension RunStore {
    /// `save` with nothing to audit.
    public func save(_ run: Run, lease: RunLease, release: Bool) async throws(RunStoreError) -> Run {
        try await save(run, lease: lease, release: release, audit: [])
    }

    /// `savePlan` with nothing to audit.
    public func savePlan(
        _ run: Run,
        transcript: PlannerConversation,
        lease: RunLease,
        release: Bool
    ) async throws(RunStoreError) -> Run {
        try await savePlan(run, transcript: transcript, lease: lease, release: release, audit: [])
    }

    /// `recordMatches` for one record, answering the event's stored record; throws `notFound` for an
    /// unknown event.
    public func recordMatch(_ record: MatchRecord) async throws(RunStoreError) -> EventRecord {
        guard try await recordMatches([record]).first != nil, let stored = try await event(record.eventID) else {
            throw .notFound
        }
        return stored
    }

    /// `claimRuns` without any run's recent runs.
    public func claimRuns(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date
    ) async throws(RunStoreError) -> [ClaimedRun] {
        try await claimRuns(owner: owner, limit: limit, lease: lease, now: now, recentRuns: nil)
    }

    /// `claimRuns` for at most one run.
    public func claimRun(owner: String, lease: Duration, now: Date) async throws(RunStoreError) -> ClaimedRun? {
        try await claimRuns(owner: owner, limit: 1, lease: lease, now: now).first
    }
}

/// Why a `RunStore` call failed. Descriptions never carry SQL or driver messages.
public enum RunStoreError: Error, Sendable, Hashable {
    case notFound
    case conflict
    case invalidCursor
    case unavailable
}

extension RunStore {
    /// `claimEvents(owner:limit:lease:now:needsBody:)` with every body read.
    public func claimEvents(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date
    ) async throws(RunStoreError) -> [Delivery] {
        try await claimEvents(owner: owner, limit: limit, lease: lease, now: now) { _, _ in true }
    }
}
