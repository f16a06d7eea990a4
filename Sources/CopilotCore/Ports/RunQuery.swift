/// `GET /api/v1/runs` filters and page: every filter that is set must hold.
public struct RunQuery: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maximumLimit = 500

    public var status: RunStatus?
    public var playbook: PlaybookName?
    public var eventID: EventID?
    /// Clamped to 1...500 by `effectiveLimit`.
    public var limit: Int
    /// The `nextCursor` of the previous page; nil for the first page.
    public var cursor: String?

    public init(
        status: RunStatus? = nil,
        playbook: PlaybookName? = nil,
        eventID: EventID? = nil,
        limit: Int = RunQuery.defaultLimit,
        cursor: String? = nil
    ) {
        self.status = status
        self.playbook = playbook
        self.eventID = eventID
        self.limit = limit
        self.cursor = cursor
    }

    /// The page size a store uses.
    public var effectiveLimit: Int { min(max(limit, 1), RunQuery.maximumLimit) }
}

/// One page of runs, newest first; `nextCursor` is nil on the last page.
public struct RunPage: Sendable, Hashable {
    public var runs: [Run]
    public var nextCursor: String?

    public init(runs: [Run], nextCursor: String?) {
        self.runs = runs
        self.nextCursor = nextCursor
    }
}
