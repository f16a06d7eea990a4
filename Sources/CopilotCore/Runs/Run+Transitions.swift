#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Why a decision or a cancellation does not apply to a run (a store answers `conflict`).
public enum RunTransitionError: Error, Sendable, Hashable {
    /// Approve or reject of a run that is not `awaiting_approval`.
    case notAwaitingApproval
    /// Cancel of a run that already ended.
    case alreadyFinished
    /// A state machine event that does not fit the run's state (a `stepFinished` for a step not in flight).
    case unexpected(String)
}

// The transitions that people cause. They are pure and shared: stores apply them inside their
// transaction (so the check and the write are atomic), and `RunStateMachine` applies the same ones.
extension Run {
    /// Records a decision on the step waiting for one and hands the run back to the workers (`running`;
    /// a rejection then ends it `rejected` once its `always()` steps ran).
    public mutating func recordApproval(_ decision: ApprovalDecision) throws(RunTransitionError) {
        guard status == .awaitingApproval, let index = steps.firstIndex(where: \.isAwaitingApproval) else {
            throw .notAwaitingApproval
        }
        steps[index].approval = decision
        status = .running
        wakeAt = nil
        updatedAt = decision.at
    }

    /// Marks the run to be cancelled. A run that waits (for a slot, a decision or a backoff) is handed to
    /// the workers at once, which skip what is left except `always()` steps and end it `cancelled`.
    public mutating func requestCancellation(at now: Date) throws(RunTransitionError) {
        guard !status.isFinal else { throw .alreadyFinished }
        cancelRequested = true
        if status == .awaitingApproval { status = .running }
        wakeAt = nil
        updatedAt = now
    }

    /// True once a step's approval was rejected (by a person or the timeout).
    public var isRejected: Bool { steps.contains { $0.approval?.decision == .rejected } }

    /// True after cancel, reject or approval timeout: only `always()`-style steps still run.
    public var isTerminating: Bool { cancelRequested || isRejected }
}
