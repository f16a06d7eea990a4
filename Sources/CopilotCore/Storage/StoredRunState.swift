import CopilotExpressions

// What both stores write the same way: the reasons of an event's match, whether a run may need a
// worker (the `claimable` column of their claim queues), and one save of the batches they commit.

extension [MatchResult.NotMatched] {
    /// The reasons as the stores keep them: a JSON array of `{playbook, reason}`.
    public var storedText: String {
        JSONValue.array(map { .object(["playbook": .string($0.playbook.rawValue), "reason": .string($0.reason)]) })
            .jsonText
    }

    /// Reasons from `storedText`; entries that are not reasons are left out.
    public init(storedText text: String?) {
        let items = text.flatMap { try? JSONValue(parsing: $0) }?.arrayValue ?? []
        self = items.compactMap { item in
            guard let playbook = item["playbook"]?.stringValue, let reason = item["reason"]?.stringValue else {
                return nil
            }
            return MatchResult.NotMatched(playbook: PlaybookName(rawValue: playbook), reason: reason)
        }
    }
}

extension Run {
    /// Whether a claim may have to hand this run to a worker (lease and `wakeAt` permitting), leaving
    /// concurrency parking aside: what the stores' claim queues index. A parked pending run is not
    /// claimable unless a cancel is requested; the store that parks it adds that.
    public var mayNeedWorker: Bool {
        if status.isFinal { return false }
        if cancelRequested { return true }
        switch status {
        case .pending, .planning, .running: return true
        case .awaitingApproval: return wakeAt != nil
        case .succeeded, .failed, .cancelled, .rejected: return false
        }
    }
}

/// One `RunStore.save` as the stores batch them (`GroupCommit`): concurrent saves share a transaction.
public struct RunSave: Sendable {
    public var run: Run
    public var lease: RunLease
    public var release: Bool
    public var audit: [AuditEntry]

    public init(run: Run, lease: RunLease, release: Bool, audit: [AuditEntry]) {
        self.run = run
        self.lease = lease
        self.release = release
        self.audit = audit
    }
}
