public import CopilotExpressions

/// A committed change of a run's state, as the live stream (`GET /api/v1/stream`) sends it. The store
/// numbers changes in commit order (increasing, never reused), so a client that reconnects with the
/// last number it saw (`Last-Event-ID`) gets every later change, and no earlier one.
public struct RunChange: Sendable, Hashable {
    /// How many changes a store keeps at least: a client away for longer than that many changes
    /// resumes with a gap, and is told so.
    public static let retained: Int64 = 100_000

    /// The store's number for the change.
    public var sequence: Int64
    /// The run as it is when the change is read (`state(of:)`), which may be after later changes of
    /// it: stores keep which run changed, not a copy of it per write.
    public var state: JSONValue

    public init(sequence: Int64, state: JSONValue) {
        self.sequence = sequence
        self.state = state
    }

    /// What the stream shows of a run: its status and each step's outcome, attempts and error; not the
    /// outputs nor the plan, which can be large and are one `GET /api/v1/runs/{id}` away.
    public static func state(of run: Run) -> JSONValue {
        run.jsonValue(.change)
    }
}

/// An answer of `RunStore.runChanges(after:limit:)`.
public struct RunChanges: Sendable, Hashable {
    /// The changes after the number asked for, oldest first.
    public var changes: [RunChange]
    /// The oldest change the store still keeps; nil when it keeps none.
    public var oldest: Int64?
    /// The newest change committed; 0 when there is none yet.
    public var newest: Int64

    public init(changes: [RunChange], oldest: Int64?, newest: Int64) {
        self.changes = changes
        self.oldest = oldest
        self.newest = newest
    }
}
