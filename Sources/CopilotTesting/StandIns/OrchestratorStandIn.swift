import CopilotCore
public import CopilotExpressions

/// The Orchestrator's workflow API: `POST /api/v1/workflows/{id}/execute` `{"inputs", "async"}` → 202
/// `{"execution_id", "status": "running"}`; `GET /api/v1/workflows/{id}/status?executionId=` answers
/// `running` for `pollsBeforeDone` polls, then `finalStatus` with `outputs`. Honours `Idempotency-Key`.
public actor OrchestratorStandIn: StandIn {
    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { true }
    private let token: String?
    public var pollsBeforeDone: Int
    public var finalStatus: String
    public var outputs: JSONObject
    private var executions: [String: (workflow: String, remaining: Int)] = [:]

    public init(
        pollsBeforeDone: Int = 2,
        finalStatus: String = "completed",
        outputs: JSONObject = [:],
        token: String? = nil
    ) {
        self.pollsBeforeDone = pollsBeforeDone
        self.finalStatus = finalStatus
        self.outputs = outputs
        self.token = token
    }

    public func script(pollsBeforeDone: Int? = nil, finalStatus: String? = nil) {
        if let pollsBeforeDone { self.pollsBeforeDone = pollsBeforeDone }
        if let finalStatus { self.finalStatus = finalStatus }
    }

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        if let failure = authorizationFailure(request, token: token) { return failure }
        let parts = request.segments
        guard parts.count == 5, parts.starts(with: ["api", "v1", "workflows"]) else { return .error(404, "not found") }
        let workflow = parts[3]
        switch (request.method, parts[4]) {
        case ("POST", "execute"):
            guard let body = request.json?.objectValue, body["inputs"]?.objectValue != nil else {
                return .error(400, "inputs must be an object")
            }
            let id = "wf-exec-\(executions.count + 1)"
            executions[id] = (workflow, pollsBeforeDone)
            return .json(202, ["execution_id": .string(id), "status": "running"])
        case ("GET", "status"):
            guard let id = request.queryParameter("executionId"), let execution = executions[id],
                execution.workflow == workflow
            else { return .error(404, "execution not found") }
            if execution.remaining > 0 {
                executions[id] = (workflow, execution.remaining - 1)
                return .json(200, ["execution_id": .string(id), "workflow_id": .string(workflow), "status": "running"])
            }
            return .json(
                200,
                [
                    "execution_id": .string(id), "workflow_id": .string(workflow), "status": .string(finalStatus),
                    "outputs": .object(outputs),
                ]
            )
        default:
            return .error(404, "not found")
        }
    }
}
