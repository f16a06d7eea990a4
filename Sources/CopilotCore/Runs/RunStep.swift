public import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One step of a run, as stored and as the API shows it.
public struct RunStep: Sendable, Hashable {
    public var id: StepID
    public var uses: ActionName
    /// Nil until the step ends.
    public var outcome: StepOutcome?
    /// Every attempt made, oldest first (a retry or a resume after a crash is one more).
    public var history: [StepAttempt]
    /// What the action returned; a failed step keeps what it produced, a skipped one has none.
    public var outputs: JSONObject?
    /// The last attempt's short reason, for a step that did not succeed.
    public var error: String?
    public var startedAt: Date?
    public var finishedAt: Date?
    /// When the run started waiting for a decision on this step.
    public var approvalRequestedAt: Date?
    public var approval: ApprovalDecision?

    public init(
        id: StepID,
        uses: ActionName,
        outcome: StepOutcome? = nil,
        history: [StepAttempt] = [],
        outputs: JSONObject? = nil,
        error: String? = nil,
        startedAt: Date? = nil,
        finishedAt: Date? = nil,
        approvalRequestedAt: Date? = nil,
        approval: ApprovalDecision? = nil
    ) {
        self.id = id
        self.uses = uses
        self.outcome = outcome
        self.history = history
        self.outputs = outputs
        self.error = error
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.approvalRequestedAt = approvalRequestedAt
        self.approval = approval
    }

    /// The attempts made (`attempts` in the API).
    public var attempts: Int { history.count }

    /// Attempts that ended in `failure`: what `retry.attempts` limits (an interrupted attempt does not count).
    public var failedAttempts: Int { history.count { $0.outcome == .failure } }

    /// True while an attempt has started and not ended.
    public var isInFlight: Bool { history.last.map { $0.finishedAt == nil } ?? false }

    /// True while the step waits for a person's decision.
    public var isAwaitingApproval: Bool { approvalRequestedAt != nil && approval == nil && outcome == nil }
}
