import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `testbench.run`: `POST {testbench.url}/tests/execute`, then, on 202, polls
/// `GET /tests/executions/{id}` until the execution is `completed`, `failed` or `cancelled` (CONTRACT §5).
///
/// Succeeds iff `summary.failed == 0` and no result has status `error`. Outputs `passed`, `failed`,
/// `total` and `status` (`passed`/`failed`), also when it fails on failed tests.
struct TestBenchRunAction: Action {
    let name: ActionName = "testbench.run"
    let integrationName = "testbench"
    let integration: HTTPActionsConfiguration.Integration?
    let defaultTimeoutSeconds: Int
    let pollInterval: Duration

    static let terminalStatuses: Set<String> = ["completed", "failed", "cancelled"]

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let suite = context.with["test_suite"]?.stringValue, !suite.isEmpty else {
            return .failed(.invalidParameter("test_suite"))
        }
        let filters = context.with["filters"] ?? .array([])
        guard filters.arrayValue != nil else { return .failed(.invalidParameter("filters")) }
        var timeoutSeconds = Double(defaultTimeoutSeconds)
        if let given = context.with["timeout_seconds"], !given.isNull {
            guard let seconds = given.numberValue, seconds > 0 else {
                return .failed(.invalidParameter("timeout_seconds"))
            }
            timeoutSeconds = seconds
        }
        let body: JSONValue = [
            "test_suite": .string(suite),
            "filters": filters,
            "timeout_seconds": .number(timeoutSeconds),
            "run_id": .string(context.request.runID.rawValue),
            "target": .object(ActionTargets.testBenchTarget(with: context.with, event: context.event)),
        ]
        let url = URLPath.join(integration.baseURL, "tests", "execute")
        let started = await context.send(.json(.POST, url, body: body, integration: integration, name: integrationName))
        switch started.flatMap({ response in context.object(response, from: integrationName).map { (response, $0) } }) {
        case .failure(let failure):
            return .failed(failure)
        case .success((let response, let object)) where response.status == 202:
            guard let id = Self.identifier(object["id"]) else {
                return .failed(.invalidResponse(from: integrationName))
            }
            return await poll(id: id, integration: integration, in: context)
        case .success((_, let object)):
            return evaluate(object, status: "completed")
        }
    }

    private func poll(
        id: String,
        integration: HTTPActionsConfiguration.Integration,
        in context: ActionContext
    ) async
        -> ActionOutcome
    {
        let url = URLPath.join(integration.baseURL, "tests", "executions", id)
        while true {
            if let failure = await context.pause(pollInterval) { return .failed(failure) }
            let polled = await context.send(
                .json(.GET, url, body: nil, integration: integration, name: integrationName)
            )
            switch polled.flatMap({ context.object($0, from: integrationName) }) {
            case .failure(let failure):
                return .failed(failure)
            case .success(let object):
                guard let status = object["status"]?.stringValue else {
                    return .failed(.invalidResponse(from: integrationName))
                }
                if Self.terminalStatuses.contains(status) { return evaluate(object, status: status) }
            }
        }
    }

    /// The step's outcome from a finished execution's body.
    func evaluate(_ object: JSONObject, status: String) -> ActionOutcome {
        let summary = object["summary"]?.objectValue
        guard let summary, let failed = Self.count(summary["failed"]) else {
            if status == "completed" { return .failed(.invalidResponse(from: integrationName)) }
            return .failed(retryable: false, reason: "test execution \(status)")
        }
        let passed = Self.count(summary["passed"]) ?? 0
        let total = Self.count(summary["total"]) ?? passed + failed
        let errors = (object["results"]?.arrayValue ?? []).filter { $0["status"]?.stringValue == "error" }.count
        let succeeded = failed == 0 && errors == 0 && status == "completed"
        let outputs: JSONObject = [
            "passed": .number(Double(passed)),
            "failed": .number(Double(failed)),
            "total": .number(Double(total)),
            "status": .string(succeeded ? "passed" : "failed"),
        ]
        if succeeded { return .succeeded(outputs: outputs) }
        let reason =
            if failed > 0 {
                "tests failed: \(failed) of \(total)"
            } else if errors > 0 {
                "test errors: \(errors) of \(total)"
            } else {
                "test execution \(status)"
            }
        return .failed(retryable: false, reason: reason, outputs: outputs)
    }

    static func count(_ value: JSONValue?) -> Int? {
        guard let number = value?.numberValue, number >= 0, number < 1e12, number.rounded() == number else {
            return nil
        }
        return Int(number)
    }

    /// An execution id: a string, or a whole number written as digits.
    static func identifier(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text) where !text.isEmpty: text
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: String(Int64(number))
        default: nil
        }
    }
}
