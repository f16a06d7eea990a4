#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What waits in the store, for the gauges of `/metrics` (CONTRACT §7): the same figures on every node.
public struct Backlog: Sendable, Hashable {
    /// Runs in each unfinished status; a status with none is absent.
    public var runs: [RunStatus: Int]
    /// Events whose match is not recorded yet.
    public var unmatchedEvents: Int
    /// When the oldest of them was received; nil when there is none.
    public var oldestUnmatchedAt: Date?

    public init(runs: [RunStatus: Int] = [:], unmatchedEvents: Int = 0, oldestUnmatchedAt: Date? = nil) {
        self.runs = runs
        self.unmatchedEvents = unmatchedEvents
        self.oldestUnmatchedAt = oldestUnmatchedAt
    }
}
