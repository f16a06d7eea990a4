public import CopilotCore
public import Foundation

/// An in-memory `RunStore` (and `EventInbox`) with the port's semantics, for the contract suite and for
/// tests of the layers above the store. `setFailing(true)` makes every call answer `unavailable`.
public actor MemoryRunStore: RunStore {
    struct StoredEvent {
        var sequence: Int64
        var delivery: Delivery
        var state: EventRecord.MatchState = .pending
        var reasons: [MatchResult.NotMatched] = []
        var leaseOwner: String?
        var leaseUntil: Date?
    }

    struct StoredRun {
        var sequence: Int64
        var run: Run
        var leaseOwner: String?
        var leaseUntil: Date?

        func isLeased(at now: Date) -> Bool { leaseOwner != nil && (leaseUntil ?? .distantPast) > now }
    }

    var events: [EventID: StoredEvent] = [:]
    var bySenderID: [String: EventID] = [:]
    var runsByID: [RunID: StoredRun] = [:]
    var transcripts: [RunID: PlannerConversation] = [:]
    var apiKeysByID: [String: APIKeyRecord] = [:]
    var audit: [AuditRecord] = []
    /// The runs changed, by change number (oldest first): the stream reads each run as it is now.
    var changes: [(sequence: Int64, run: RunID)] = []
    var changeSequence: Int64 = 0
    var nextSequence: Int64 = 1
    var failing = false

    public init() {}

    public func setFailing(_ failing: Bool) { self.failing = failing }

    func sequence() -> Int64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    func checkAvailable() throws(RunStoreError) {
        if failing { throw .unavailable }
    }

    // MARK: EventInbox

    public func enqueue(_ delivery: Delivery) throws(InboxError) -> EnqueueOutcome {
        if failing { throw .unavailable }
        let key = senderKey(delivery.source, delivery.deliveryID)
        if let original = bySenderID[key] { return .duplicate(original) }
        bySenderID[key] = delivery.eventID
        events[delivery.eventID] = StoredEvent(sequence: sequence(), delivery: delivery)
        return .accepted(delivery.eventID)
    }

    public func delivery(_ id: EventID) throws(InboxError) -> Delivery? {
        if failing { throw .unavailable }
        return events[id]?.delivery
    }

    public func count() throws(InboxError) -> Int {
        if failing { throw .unavailable }
        return events.count
    }

    public func storedEventID(source: EventSource, deliveryID: DeliveryID) throws(InboxError) -> EventID? {
        if failing { throw .unavailable }
        return bySenderID[senderKey(source, deliveryID)]
    }

    // MARK: Matching

    public func claimEvents(
        owner: String,
        limit: Int,
        lease: Duration,
        now: Date,
        needsBody: @Sendable (EventSource, String) -> Bool
    ) throws(RunStoreError) -> [Delivery] {
        try checkAvailable()
        let claimable = events.values
            .filter { $0.state == .pending && ($0.leaseOwner == nil || ($0.leaseUntil ?? .distantPast) <= now) }
            .sorted { $0.sequence < $1.sequence }
            .prefix(max(limit, 0))
        let until = now.addingTimeInterval(lease.secondsValue)
        for event in claimable {
            events[event.delivery.eventID]?.leaseOwner = owner
            events[event.delivery.eventID]?.leaseUntil = until
        }
        return claimable.map { event in
            var delivery = event.delivery
            if !needsBody(delivery.source, delivery.type) { delivery.body = [] }
            return delivery
        }
    }

    public func recordMatches(_ records: [MatchRecord]) throws(RunStoreError) -> [EventRecord.MatchState?] {
        try checkAvailable()
        if records.contains(where: { record in record.runs.contains(where: { runsByID[$0.run.id] != nil }) }) {
            throw .conflict
        }
        return records.map { storeMatch($0)?.matchState }
    }

    private func storeMatch(_ record: MatchRecord) -> EventRecord? {
        guard var event = events[record.eventID] else { return nil }
        guard event.state == .pending else { return self.record(event) }
        var reasons = record.notMatched
        var created = 0
        for newRun in record.runs {
            if let cooldown = newRun.cooldownSeconds, cooldown > 0,
                let last = lastCreated(playbook: newRun.run.playbook, key: newRun.run.concurrencyKey),
                record.at.timeIntervalSince(last) < Double(cooldown)
            {
                reasons.append(
                    MatchResult.NotMatched(playbook: newRun.run.playbook, reason: MatchRecord.cooldownReason)
                )
                continue
            }
            runsByID[newRun.run.id] = StoredRun(sequence: sequence(), run: newRun.run)
            recordChange(of: newRun.run)
            created += 1
        }
        event.state = created > 0 ? .matched : .unmatched
        event.reasons = reasons
        event.leaseOwner = nil
        event.leaseUntil = nil
        events[record.eventID] = event
        return self.record(event)
    }

    public func event(_ id: EventID) throws(RunStoreError) -> EventRecord? {
        try checkAvailable()
        return events[id].map(record)
    }

    public func events(_ query: EventQuery) throws(RunStoreError) -> EventPage {
        try checkAvailable()
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let matching = events.values
            .filter { stored in
                (before.map { stored.sequence < $0 } ?? true)
                    && (query.source.map { stored.delivery.source == $0 } ?? true)
                    && (query.type.map { stored.delivery.type == $0 } ?? true)
            }
            .sorted { $0.sequence > $1.sequence }
        let (page, next) = RunCursor.page(matching, limit: query.effectiveLimit) { $0.sequence }
        let summaries = page.map { stored in
            EventSummary(
                id: stored.delivery.eventID,
                source: stored.delivery.source,
                type: stored.delivery.type,
                subject: stored.delivery.subject,
                deliveryID: stored.delivery.deliveryID,
                receivedAt: stored.delivery.receivedAt,
                matchState: stored.state,
                runs: record(stored).runs.map(\.id)
            )
        }
        return EventPage(events: summaries, nextCursor: next)
    }

    func record(_ event: StoredEvent) -> EventRecord {
        let runs = runsByID.values.filter { $0.run.eventID == event.delivery.eventID }.sorted {
            $0.sequence < $1.sequence
        }
        return EventRecord(
            delivery: event.delivery,
            matchState: event.state,
            reasons: event.reasons,
            runs: runs.map(\.run)
        )
    }

    func lastCreated(playbook: PlaybookName, key: String?) -> Date? {
        runsByID.values.lazy.map(\.run).filter { $0.playbook == playbook && $0.concurrencyKey == key }.map(\.createdAt)
            .max()
    }

    public func lastRunCreatedAt(playbook: PlaybookName, concurrencyKey: String?) throws(RunStoreError) -> Date? {
        try checkAvailable()
        return lastCreated(playbook: playbook, key: concurrencyKey)
    }
}

extension Duration {
    /// The duration in seconds, with sub-second precision.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension MemoryRunStore {
    func recordChange(of run: Run) {
        changeSequence += 1
        changes.append((changeSequence, run.id))
        if changes.count > Int(RunChange.retained) { changes.removeFirst(changes.count - Int(RunChange.retained)) }
    }

    public func runChanges(after sequence: Int64, limit: Int) throws(RunStoreError) -> RunChanges {
        try checkAvailable()
        let page = changes.drop { $0.sequence <= sequence }.prefix(max(limit, 0)).compactMap { change in
            runsByID[change.run].map { RunChange(sequence: change.sequence, state: RunChange.state(of: $0.run)) }
        }
        return RunChanges(changes: page, oldest: changes.first?.sequence, newest: changeSequence)
    }
}
