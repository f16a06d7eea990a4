/// Where a run is in its life (CONTRACT §4): `pending → planning → awaiting_approval → running →
/// succeeded | failed | cancelled | rejected`.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Created, waiting for a worker or for its `concurrency` slot.
    case pending
    /// Claimed by a worker; the planner is choosing the steps.
    case planning
    /// A step with `approval: required` is next and waits for a person (or its timeout).
    case awaitingApproval = "awaiting_approval"
    case running
    case succeeded
    case failed
    case cancelled
    case rejected

    /// True for the four end states; a final run never changes again.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .rejected: true
        case .pending, .planning, .awaitingApproval, .running: false
        }
    }

    /// True for the states that hold a `concurrency` slot: the run has started and not ended.
    public var holdsConcurrencySlot: Bool {
        switch self {
        case .planning, .awaitingApproval, .running: true
        case .pending, .succeeded, .failed, .cancelled, .rejected: false
        }
    }
}
