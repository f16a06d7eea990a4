/// An event as the read API shows it: the delivery, its match result and the runs it started.
public struct EventRecord: Sendable, Hashable {
    /// Whether matching has run for the event, and whether it started anything.
    public enum MatchState: String, Sendable, Hashable, Codable {
        case pending
        /// At least one run was created.
        case matched
        /// No run was created: no playbook matched, or every match was in cooldown.
        case unmatched
    }

    public var delivery: Delivery
    public var matchState: MatchState
    /// Why each playbook looked at did not start a run (its first failing condition, or `cooldown`).
    public var reasons: [MatchResult.NotMatched]
    /// Oldest first.
    public var runs: [Run]

    public init(delivery: Delivery, matchState: MatchState, reasons: [MatchResult.NotMatched], runs: [Run]) {
        self.delivery = delivery
        self.matchState = matchState
        self.reasons = reasons
        self.runs = runs
    }
}
