/// The attribute names of a planner call's span (`run.plan`, CONTRACT §7): OpenTelemetry's GenAI
/// conventions, and the names the Observatory stores the same facts under. Kept here so the spans and
/// the logs name them alike.
public enum GenAIAttributes {
    public static let system = "gen_ai.system"
    public static let requestModel = "gen_ai.request.model"
    public static let responseModel = "gen_ai.response.model"
    public static let operationName = "gen_ai.operation.name"
    public static let inputTokens = "gen_ai.usage.input_tokens"
    public static let outputTokens = "gen_ai.usage.output_tokens"
    public static let llmProvider = "llm.provider"
    public static let llmModel = "llm.model"
    public static let llmPromptTokens = "llm.usage.prompt_tokens"
    public static let llmCompletionTokens = "llm.usage.completion_tokens"
}
