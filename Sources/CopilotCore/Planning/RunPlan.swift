public import CopilotExpressions

/// What the planner decided for one run (CONTRACT §4a, "What the run shows"), stored with the run
/// before its first step runs. A run resumed after a crash runs these steps and never asks again.
public struct RunPlan: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable {
        /// The model's steps run.
        case planned
        /// The playbook's own steps run; `reason` says why.
        case fallback
    }

    /// The provider asked (`anthropic`, `openai`), whatever came of it.
    public var provider: String
    /// The model that answered last; nil when none did.
    public var model: String?
    public var status: Status
    /// Why the run fell back (`invalid_plan`, `timeout`, `http 529 from anthropic`, `circuit_open`, ...),
    /// or why its last re-plan gave no steps (which ends the re-planning).
    public var reason: String?
    /// The model's summary of its latest accepted plan.
    public var summary: String?
    /// Model answers received, valid or not, re-plans included.
    public var attempts: Int
    /// Re-plans asked for.
    public var replans: Int
    /// Wall time spent planning, re-plans included.
    public var latencyMilliseconds: Int
    /// Summed over every model call of the run.
    public var usage: TokenUsage
    /// Every accepted planned step, re-plans' included: what the run's steps are defined by.
    public var steps: [Plan.Step]
    /// Planned steps whose failure a re-plan answered: they no longer fail the run.
    public var replannedFailures: [StepID]

    public init(
        provider: String,
        model: String? = nil,
        status: Status,
        reason: String? = nil,
        summary: String? = nil,
        attempts: Int = 0,
        replans: Int = 0,
        latencyMilliseconds: Int = 0,
        usage: TokenUsage = TokenUsage(),
        steps: [Plan.Step] = [],
        replannedFailures: [StepID] = []
    ) {
        self.provider = provider
        self.model = model
        self.status = status
        self.reason = reason
        self.summary = summary
        self.attempts = attempts
        self.replans = replans
        self.latencyMilliseconds = latencyMilliseconds
        self.usage = usage
        self.steps = steps
        self.replannedFailures = replannedFailures
    }

    /// The record of a first planning that ended with `decision` (`planned` or `fallback`).
    public init(provider: String, decision: PlanningSession.Next, session: PlanningSession, latencyMilliseconds: Int) {
        self.init(
            provider: provider,
            model: session.model,
            status: .fallback,
            attempts: session.attempts,
            latencyMilliseconds: latencyMilliseconds,
            usage: session.usage
        )
        if case .planned(let plan) = decision {
            status = .planned
            summary = plan.summary
            steps = plan.steps
        } else {
            reason = Self.reason(of: decision)
        }
    }

    /// Why a decision gave no plan; nil for a plan. A conversation left unanswered was cancelled.
    private static func reason(of decision: PlanningSession.Next) -> String? {
        switch decision {
        case .planned: nil
        case .fallback(let reason): reason
        case .ask: PlannerError.cancelled.reason
        }
    }

    /// Counts a re-plan that ended with `decision` and answers its new steps (none when it gave no plan:
    /// the run then ends as the failed step left it). `RunStateMachine.replan` adds the steps.
    public mutating func recordReplan(
        _ decision: PlanningSession.Next,
        session: PlanningSession,
        latencyMilliseconds: Int
    ) -> [Plan.Step] {
        replans += 1
        attempts = session.attempts
        usage = session.usage
        model = session.model ?? model
        self.latencyMilliseconds += latencyMilliseconds
        reason = Self.reason(of: decision)
        guard case .planned(let plan) = decision else { return [] }
        summary = plan.summary
        return plan.steps
    }
}

// The API's `plan` object and the store's copy of it: one encoding, read back by `init(jsonValue:)`.
extension RunPlan {
    public var jsonValue: JSONValue {
        .object([
            "provider": .string(provider),
            "model": model.map(JSONValue.string) ?? .null,
            "status": .string(status.rawValue),
            "reason": reason.map(JSONValue.string) ?? .null,
            "summary": summary.map(JSONValue.string) ?? .null,
            "attempts": .number(Double(attempts)),
            "replans": .number(Double(replans)),
            "latency_ms": .number(Double(latencyMilliseconds)),
            "usage": [
                "input_tokens": .number(Double(usage.inputTokens)),
                "output_tokens": .number(Double(usage.outputTokens)),
            ],
            "steps": .array(
                steps.map { step in
                    [
                        "id": .string(step.id.rawValue), "uses": .string(step.uses.rawValue),
                        "with": .object(step.with), "reason": .string(step.reason),
                    ]
                }
            ),
            "replanned_failures": .array(replannedFailures.map { .string($0.rawValue) }),
        ])
    }

    /// A record as `jsonValue` wrote it; nil when it is not one.
    public init?(jsonValue value: JSONValue) {
        guard case .object(let object) = value, let provider = object["provider"]?.stringValue,
            let status = object["status"]?.stringValue.flatMap(Status.init(rawValue:))
        else { return nil }
        let usage = object["usage"]?.objectValue
        let steps = (object["steps"]?.arrayValue ?? []).compactMap { value -> Plan.Step? in
            guard case .object(let step) = value, let id = step["id"]?.stringValue,
                let uses = step["uses"]?.stringValue
            else { return nil }
            return Plan.Step(
                id: StepID(rawValue: id),
                uses: ActionName(rawValue: uses),
                with: step["with"]?.objectValue ?? [:],
                reason: step["reason"]?.stringValue ?? ""
            )
        }
        self.init(
            provider: provider,
            model: object["model"]?.stringValue,
            status: status,
            reason: object["reason"]?.stringValue,
            summary: object["summary"]?.stringValue,
            attempts: Self.int(object["attempts"]),
            replans: Self.int(object["replans"]),
            latencyMilliseconds: Self.int(object["latency_ms"]),
            usage: TokenUsage(
                inputTokens: Self.int(usage?["input_tokens"]),
                outputTokens: Self.int(usage?["output_tokens"])
            ),
            steps: steps,
            replannedFailures: (object["replanned_failures"]?.arrayValue ?? []).compactMap {
                $0.stringValue.map(StepID.init(rawValue:))
            }
        )
    }

    private static func int(_ value: JSONValue?) -> Int {
        guard let number = value?.numberValue, let int = Int(exactly: number.rounded()) else { return 0 }
        return int
    }
}

extension RunPlan {
    /// How the planning ended, as a metric label with a bounded set of values: `planned`, or why it
    /// fell back, with the provider's HTTP status and the like left out (`http_error`,
    /// `connection_error`); a reason this version does not know is `other`.
    public var outcome: String {
        guard status == .fallback else { return Status.planned.rawValue }
        guard let reason else { return "other" }
        if reason.hasPrefix("http ") { return "http_error" }
        if reason.hasPrefix("connection ") { return "connection_error" }
        let known = [
            PlanningSession.nothingAllowed, PlanningSession.invalidPlan, "timeout", "cancelled", "circuit_open",
            "invalid_answer", "transcript_unavailable",
        ]
        return known.contains(reason) ? reason : "other"
    }
}
