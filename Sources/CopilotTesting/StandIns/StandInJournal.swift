import CopilotCore
import CopilotExpressions

/// What a stand-in received and how it is told to misbehave; shared by the server and the test.
public actor StandInJournal {
    /// Every request, in arrival order, including those answered by a scripted failure.
    public private(set) var requests: [RecordedRequest] = []
    private var scriptedFailures: [StandInResponse] = []
    /// How long every response is held back after the request was handled (its side effect done).
    public private(set) var responseDelay: Duration = .zero
    private var executions: [String: Int] = [:]
    private var answered: [String: StandInResponse] = [:]
    /// Per request, from its head's arrival at the stand-in's server (read off the connection) to its
    /// last byte written: the stand-in's own time, which a benchmark takes out of what it measures
    /// through it.
    public private(set) var serviceTimes: [ServiceTime] = []

    /// The stand-in's own time for one request.
    public struct ServiceTime: Sendable {
        public var request: RecordedRequest
        public var duration: Duration
    }

    public init() {}

    /// The next `count` requests fail with `status` (before any side effect), with `Retry-After` when given.
    public func failNext(_ count: Int, status: Int = 503, retryAfter: String? = nil) {
        let headers = retryAfter.map { [RecordedRequest.Header(name: "Retry-After", value: $0)] } ?? []
        let failure = StandInResponse(status: status, headers: headers, body: ["message": "scripted failure"])
        scriptedFailures += Array(repeating: failure, count: count)
    }

    /// Holds back every later response by `delay` (after the side effect happened, as a slow network would).
    public func delayResponses(by delay: Duration) {
        responseDelay = delay
    }

    /// How many times a side effect was really carried out for `idempotencyKey`: a receiver that
    /// honours the key counts 1 however often the call is repeated.
    public func logicalExecutions(_ idempotencyKey: String) -> Int {
        executions[idempotencyKey] ?? 0
    }

    /// Requests with the given method and path (path as sent).
    public func requests(_ method: String, _ path: String) -> [RecordedRequest] {
        requests.filter { $0.method == method && $0.path == path }
    }

    func record(_ request: RecordedRequest) {
        requests.append(request)
    }

    func recordServiceTime(_ duration: Duration, of request: RecordedRequest) {
        serviceTimes.append(ServiceTime(request: request, duration: duration))
    }

    func takeScriptedFailure() -> StandInResponse? {
        scriptedFailures.isEmpty ? nil : scriptedFailures.removeFirst()
    }

    /// The answer already given to `key`, for receivers that drop repeats.
    func answer(for key: String) -> StandInResponse? {
        answered[key]
    }

    func noteExecution(_ key: String, response: StandInResponse) {
        executions[key, default: 0] += 1
        answered[key] = response
    }
}
