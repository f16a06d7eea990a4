public import CopilotExpressions

/// Everything a worker needs to send one attempt of a step: the rendered inputs and the key that makes
/// a repeat recognizable.
public struct StepInvocation: Sendable, Hashable {
    public var step: StepID
    public var uses: ActionName
    /// 1-based; a retry or a resume after a crash is one more.
    public var attempt: Int
    /// `<run_id>:<step_id>`, the same for every attempt.
    public var idempotencyKey: String
    /// The step's `with:`, every template rendered.
    public var inputs: JSONObject
    /// The step's `timeout_seconds`, per attempt.
    public var timeout: Duration
    public var traceparent: String?

    public init(
        step: StepID,
        uses: ActionName,
        attempt: Int,
        idempotencyKey: String,
        inputs: JSONObject,
        timeout: Duration,
        traceparent: String? = nil
    ) {
        self.step = step
        self.uses = uses
        self.attempt = attempt
        self.idempotencyKey = idempotencyKey
        self.inputs = inputs
        self.timeout = timeout
        self.traceparent = traceparent
    }
}
