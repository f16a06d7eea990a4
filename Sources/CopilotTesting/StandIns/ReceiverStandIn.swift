import CopilotCore
public import CopilotExpressions

/// A generic webhook receiver for `http.request` and presets: answers every request with `status` and
/// `body`. Honours `Idempotency-Key`.
public actor ReceiverStandIn: StandIn {
    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { true }
    public var status: Int
    public var body: JSONValue?

    public init(status: Int = 200, body: JSONValue? = ["ok": true]) {
        self.status = status
        self.body = body
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        StandInResponse(status: status, body: body)
    }
}
