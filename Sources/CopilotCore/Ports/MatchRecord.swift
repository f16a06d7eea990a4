#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What matching decided for one event, for `RunStore.recordMatches`.
public struct MatchRecord: Sendable, Hashable {
    /// A run to create, with the playbook's `cooldown_seconds`, which the store checks atomically.
    public struct NewRun: Sendable, Hashable {
        /// `pending`, built with `Run(id:eventID:playbook:concurrencyKey:traceparent:createdAt:)`.
        public var run: Run
        public var cooldownSeconds: Int?

        public init(run: Run, cooldownSeconds: Int? = nil) {
            self.run = run
            self.cooldownSeconds = cooldownSeconds
        }
    }

    public var eventID: EventID
    /// When matching ran; the cooldown window ends here.
    public var at: Date
    public var runs: [NewRun]
    public var notMatched: [MatchResult.NotMatched]

    public init(eventID: EventID, at: Date, runs: [NewRun], notMatched: [MatchResult.NotMatched]) {
        self.eventID = eventID
        self.at = at
        self.runs = runs
        self.notMatched = notMatched
    }

    /// The reason recorded for a playbook whose run a cooldown suppressed.
    public static let cooldownReason = "cooldown"
}
