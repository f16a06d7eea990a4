import CopilotCore
import CopilotExpressions

/// Test-Bench (CONTRACT §5): `POST /tests/execute` answers 200 with the results (sync) or 202
/// `{"id", "status"}` (async); `GET /tests/executions/{id}` answers `running` for `pollsBeforeDone`
/// polls, then the finished execution (`summary`, `results`, `id`, `status`).
public actor TestBenchStandIn: StandIn {
    public enum Mode: Sendable, Hashable {
        case sync
        case async(pollsBeforeDone: Int)
    }

    /// One test of the suite and how it ends (`passed`, `failed`, `skipped`, `error`).
    public struct TestResult: Sendable, Hashable {
        public var name: String
        public var status: String

        public init(_ name: String, _ status: String) {
            self.name = name
            self.status = status
        }
    }

    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { true }
    public var mode: Mode
    public var results: [TestResult]
    /// The final `status` of an async execution.
    public var finalStatus = "completed"
    private let token: String?
    private var executions: [String: (remaining: Int, body: JSONObject)] = [:]

    public init(
        mode: Mode = .sync,
        results: [TestResult] = [.init("login", "passed"), .init("checkout", "passed"), .init("search", "skipped")],
        token: String? = nil
    ) {
        self.mode = mode
        self.results = results
        self.token = token
    }

    public func script(mode: Mode? = nil, results: [TestResult]? = nil, finalStatus: String? = nil) {
        if let mode { self.mode = mode }
        if let results { self.results = results }
        if let finalStatus { self.finalStatus = finalStatus }
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        if let failure = authorizationFailure(request, token: token) { return failure }
        switch (request.method, request.segments) {
        case ("POST", ["tests", "execute"]):
            return execute(request)
        case ("GET", let segments) where segments.count == 3 && segments.starts(with: ["tests", "executions"]):
            return poll(segments[2])
        default:
            return .error(404, "not found")
        }
    }

    private func execute(_ request: RecordedRequest) -> StandInResponse {
        guard let body = request.json?.objectValue, body["test_suite"]?.stringValue != nil else {
            return .error(400, "test_suite is required")
        }
        switch mode {
        case .sync:
            return .json(200, .object(report()))
        case .async(let polls):
            let id = "exec-\(executions.count + 1)"
            var finished = report()
            finished["id"] = .string(id)
            finished["status"] = .string(finalStatus)
            executions[id] = (polls, finished)
            return .json(202, ["id": .string(id), "status": "queued"])
        }
    }

    private func poll(_ id: String) -> StandInResponse {
        guard let execution = executions[id] else { return .error(404, "no such execution") }
        if execution.remaining > 0 {
            executions[id] = (execution.remaining - 1, execution.body)
            return .json(200, ["id": .string(id), "status": "running"])
        }
        return .json(200, .object(execution.body))
    }

    private func report() -> JSONObject {
        func count(_ status: String) -> JSONValue { .number(Double(results.filter { $0.status == status }.count)) }
        let summary: JSONObject = [
            "total": .number(Double(results.count)), "passed": count("passed"), "failed": count("failed"),
            "skipped": count("skipped"), "duration_ms": .number(Double(results.count * 10)),
        ]
        let list = results.map { result -> JSONValue in
            [
                "name": .string(result.name), "status": .string(result.status), "duration_ms": 10,
                "error_message": result.status == "failed" || result.status == "error" ? "assertion failed" : nil,
            ]
        }
        return ["summary": .object(summary), "results": .array(list)]
    }
}
