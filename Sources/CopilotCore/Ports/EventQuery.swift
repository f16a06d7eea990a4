#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// `GET /api/v1/events` filters and page (CONTRACT §6): every filter that is set must hold.
public struct EventQuery: Sendable, Hashable {
    public var source: EventSource?
    public var type: String?
    /// Clamped to 1...500 by `effectiveLimit`, as runs are.
    public var limit: Int
    /// The `nextCursor` of the previous page; nil for the first page.
    public var cursor: String?

    public init(
        source: EventSource? = nil,
        type: String? = nil,
        limit: Int = RunQuery.defaultLimit,
        cursor: String? = nil
    ) {
        self.source = source
        self.type = type
        self.limit = limit
        self.cursor = cursor
    }

    public var effectiveLimit: Int { min(max(limit, 1), RunQuery.maximumLimit) }
}

/// An event as a list shows it: what it is and what came of it, without its body.
public struct EventSummary: Sendable, Hashable {
    public var id: EventID
    public var source: EventSource
    public var type: String
    public var subject: String
    public var deliveryID: DeliveryID
    public var receivedAt: Date
    public var matchState: EventRecord.MatchState
    /// The runs it started, oldest first.
    public var runs: [RunID]

    public init(
        id: EventID,
        source: EventSource,
        type: String,
        subject: String,
        deliveryID: DeliveryID,
        receivedAt: Date,
        matchState: EventRecord.MatchState,
        runs: [RunID]
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.subject = subject
        self.deliveryID = deliveryID
        self.receivedAt = receivedAt
        self.matchState = matchState
        self.runs = runs
    }
}

/// One page of events, newest first; `nextCursor` is nil on the last page.
public struct EventPage: Sendable, Hashable {
    public var events: [EventSummary]
    public var nextCursor: String?

    public init(events: [EventSummary], nextCursor: String?) {
        self.events = events
        self.nextCursor = nextCursor
    }
}
