/// The spans of one event's trace (CONTRACT §7): `webhook.receive` → `playbook.match` → `run` →
/// `run.plan` → `step <id>` → a client span per outbound call. Named here, once, for every module that
/// starts one.
public enum SpanName {
    /// The delivery's request, from its first byte to the answer.
    public static let webhookReceive = "webhook.receive"
    /// A worker matching the stored event against the playbooks (its runs are created here).
    public static let playbookMatch = "playbook.match"
    /// A worker executing a run, from its claim until it parks or ends: a run that waits for an
    /// approval or resumes after a crash has one such span per claim, all in the event's trace.
    public static let run = "run"
    /// Asking the model for a plan (or a re-plan).
    public static let runPlan = "run.plan"

    /// One attempt of a step.
    public static func step(_ id: StepID) -> String { "step \(id.rawValue)" }
}

/// The attribute names of CONTRACT §7 (besides OpenTelemetry's own, `http.*` and `gen_ai.*`).
public enum TraceAttribute {
    public static let eventID = "copilot.event.id"
    public static let eventSource = "copilot.event.source"
    public static let eventType = "copilot.event.type"
    public static let playbook = "copilot.playbook"
    public static let runID = "copilot.run.id"
    public static let runStatus = "copilot.run.status"
    public static let stepID = "copilot.step.id"
    public static let stepAttempt = "copilot.step.attempt"
    public static let stepOutcome = "copilot.step.outcome"
    public static let action = "copilot.action"
    public static let planStatus = "copilot.plan.status"
    public static let matchedRuns = "copilot.match.runs"
}
