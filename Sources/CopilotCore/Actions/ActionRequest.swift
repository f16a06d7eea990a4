public import CopilotExpressions

/// One attempt at one step's action, as the run engine hands it to an `ActionExecutor`.
///
/// `with` is already rendered: every `${{ }}` of the step's `with:` has been evaluated.
public struct ActionRequest: Sendable, Hashable {
    public var runID: RunID
    public var stepID: StepID
    /// The step's `uses`: a built-in action (`testbench.run`) or a preset of the config's `actions:`.
    public var action: ActionName
    /// The step's rendered `with:`.
    public var with: JSONObject
    /// The event that started the run; actions derive their targets from it (CONTRACT §8).
    public var event: Event
    /// 1 for the first attempt; a retry or a resume after a crash is one more.
    public var attempt: Int
    /// The step's `timeout_seconds` for this attempt: everything the action does, polling included,
    /// ends within it.
    public var timeout: Duration
    /// The W3C trace context of the step's span, when there is one; outbound calls carry its trace id.
    public var traceparent: String?

    public init(
        runID: RunID,
        stepID: StepID,
        action: ActionName,
        with: JSONObject = [:],
        event: Event,
        attempt: Int = 1,
        timeout: Duration = .seconds(300),
        traceparent: String? = nil
    ) {
        self.runID = runID
        self.stepID = stepID
        self.action = action
        self.with = with
        self.event = event
        self.attempt = attempt
        self.timeout = timeout
        self.traceparent = traceparent
    }

    /// `<run_id>:<step_id>`: identical for every attempt of the step, across retries and restarts
    /// (CONTRACT §4), so a receiver can drop a repeat.
    public var idempotencyKey: String { "\(runID.rawValue):\(stepID.rawValue)" }
}
