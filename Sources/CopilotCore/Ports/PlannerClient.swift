public import CopilotExpressions

/// One conversation with a model about one run, provider-neutral: the clients write it in Anthropic's
/// or OpenAI's wire format (CONTRACT §4a). It only grows: an invalid plan's problems and a re-plan's
/// outcomes are appended, so the model sees everything it said before.
public struct PlannerConversation: Sendable, Hashable {
    public enum Turn: Sendable, Hashable {
        /// Text from Copilot Agent: the prompt, or the outcomes before a re-plan.
        case user(String)
        /// The model's `submit_plan` call, as received.
        case toolCall(id: String, input: JSONValue)
        /// The answer to a tool call: the problems of an invalid plan (`isError`), or the outcomes so far.
        case toolResult(id: String, content: String, isError: Bool)
    }

    public var system: String
    public var turns: [Turn]
    /// `submit_plan`'s description and input schema.
    public var toolDescription: String
    public var toolSchema: JSONValue

    public init(system: String, turns: [Turn], toolDescription: String, toolSchema: JSONValue) {
        self.system = system
        self.turns = turns
        self.toolDescription = toolDescription
        self.toolSchema = toolSchema
    }
}

/// Tokens a model call used, as the provider counts them.
public struct TokenUsage: Sendable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }

    public static func + (left: TokenUsage, right: TokenUsage) -> TokenUsage {
        TokenUsage(
            inputTokens: left.inputTokens + right.inputTokens,
            outputTokens: left.outputTokens + right.outputTokens
        )
    }

    public static func - (left: TokenUsage, right: TokenUsage) -> TokenUsage {
        TokenUsage(
            inputTokens: left.inputTokens - right.inputTokens,
            outputTokens: left.outputTokens - right.outputTokens
        )
    }
}

/// The model's answer: its `submit_plan` call (not yet checked) and what it cost.
public struct PlannerReply: Sendable, Hashable {
    public var toolCallID: String
    public var input: JSONValue
    public var model: String
    public var usage: TokenUsage

    public init(toolCallID: String, input: JSONValue, model: String, usage: TokenUsage) {
        self.toolCallID = toolCallID
        self.input = input
        self.model = model
        self.usage = usage
    }
}

/// Why a model call gave no plan. `reason` is what a run's `plan.reason` says when it falls back.
public enum PlannerError: Error, Sendable, Hashable {
    /// The provider answered with this HTTP status (after the retries it allows).
    case http(status: Int, provider: String)
    /// The connection failed or broke (after the retries).
    case connection(provider: String)
    /// `agent.timeout_seconds` ran out.
    case timeout
    /// The planning was cancelled (the run was, or the service is shutting down).
    case cancelled
    /// The provider failed too often lately and is skipped for a while.
    case circuitOpen
    /// The answer could not be read, or held no `submit_plan` call.
    case invalidAnswer(String)

    public var reason: String {
        switch self {
        case .http(let status, let provider): "http \(status) from \(provider)"
        case .connection(let provider): "connection to \(provider) failed"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .circuitOpen: "circuit_open"
        case .invalidAnswer: "invalid_answer"
        }
    }
}

/// A model that plans remediations (the `CopilotPlanner` clients).
public protocol PlannerClient: Sendable {
    /// The provider's name as runs show it: `anthropic`, `openai`.
    var provider: String { get }

    /// The model asked (`agent.model`).
    var model: String { get }

    /// Asks the model for its `submit_plan` call in this conversation.
    func submitPlan(_ conversation: PlannerConversation) async throws(PlannerError) -> PlannerReply
}
