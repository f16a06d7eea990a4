public import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What happened to a run, reported to `RunStateMachine.apply(_:at:using:)`.
public enum RunEvent: Sendable, Hashable {
    /// The in-flight attempt of a step ended. `retryable` (429, 5xx, timeout) lets `retry:` try again.
    case stepFinished(StepID, outcome: StepOutcome, outputs: JSONObject?, error: String?, retryable: Bool)
    case approved(by: String, comment: String?, at: Date)
    case rejected(by: String, comment: String?, at: Date)
    /// `approval_timeout_seconds` ran out: a rejection decided by `timeout`.
    case approvalTimedOut(at: Date)
    case cancelled(at: Date)
}
