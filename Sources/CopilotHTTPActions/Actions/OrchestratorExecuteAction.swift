import CopilotCore
import CopilotExpressions
import NIOHTTP1

/// `orchestrator.execute`: `POST {orchestrator.url}/api/v1/workflows/{workflow_id}/execute`
/// `{"inputs", "async": true}` → 202 `{"execution_id", "status"}`, then polls
/// `GET /api/v1/workflows/{id}/status?executionId=` until `completed` (success) or `failed` (`cancelled` also ends it, as a failure).
///
/// Outputs `execution_id`, `status`, and the workflow's `outputs` when the status carries them.
struct OrchestratorExecuteAction: Action {
    let name: ActionName = "orchestrator.execute"
    let integrationName = "orchestrator"
    let integration: HTTPActionsConfiguration.Integration?
    let pollInterval: Duration

    func perform(in context: ActionContext) async -> ActionOutcome {
        guard let integration else { return .failed(.notConfigured) }
        guard let workflow = context.with["workflow_id"].flatMap(TestBenchRunAction.identifier) else {
            return .failed(.invalidParameter("workflow_id"))
        }
        let inputs = context.with["inputs"] ?? .object([:])
        guard inputs.objectValue != nil || inputs.isNull else { return .failed(.invalidParameter("inputs")) }
        let body: JSONValue = ["inputs": inputs.isNull ? .object([:]) : inputs, "async": true]
        let base = URLPath.join(integration.baseURL, "api", "v1", "workflows", workflow)
        let started = await context.send(
            .json(.POST, base + "/execute", body: body, integration: integration, name: integrationName)
        )
        var object: JSONObject
        switch started.flatMap({ context.object($0, from: integrationName) }) {
        case .failure(let failure): return .failed(failure)
        case .success(let answer): object = answer
        }
        guard let execution = TestBenchRunAction.identifier(object["execution_id"]) else {
            return .failed(.invalidResponse(from: integrationName))
        }
        let statusURL = base + "/status?executionId=" + URLPath.encode(execution)
        while !Self.isTerminal(object["status"]?.stringValue) {
            if let failure = await context.pause(pollInterval) {
                return .failed(
                    ActionFailure(
                        retryable: failure.retryable,
                        reason: failure.reason,
                        outputs: ["execution_id": .string(execution)]
                    )
                )
            }
            let polled = await context.send(
                .json(.GET, statusURL, body: nil, integration: integration, name: integrationName)
            )
            switch polled.flatMap({ context.object($0, from: integrationName) }) {
            case .failure(let failure): return .failed(failure)
            case .success(let answer): object = answer
            }
        }
        let status = object["status"]?.stringValue ?? "failed"
        var outputs: JSONObject = ["execution_id": .string(execution), "status": .string(status)]
        if let workflowOutputs = object["outputs"], !workflowOutputs.isNull { outputs["outputs"] = workflowOutputs }
        if status == "completed" { return .succeeded(outputs: outputs) }
        return .failed(retryable: false, reason: "workflow \(status)", outputs: outputs)
    }

    static func isTerminal(_ status: String?) -> Bool {
        status == "completed" || status == "failed" || status == "cancelled"
    }
}
