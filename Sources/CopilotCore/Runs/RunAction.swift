#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What `RunStateMachine.next(at:)` asks the worker to do. Before acting, the worker persists the
/// machine's `run` (which already records the attempt's start, the approval request or the end).
public enum RunAction: Sendable, Hashable {
    /// Send one attempt of a step, then report `RunEvent.stepFinished`.
    case runStep(StepInvocation)
    /// Park the run until a decision arrives (approve/reject through the store) or the deadline passes.
    case awaitApproval(StepID, deadline: Date?)
    /// The step failed and will be tried again after this delay (the run's `wakeAt`); park or sleep.
    case retry(StepID, after: Duration)
    /// The run ended; nothing is left to do.
    case finish(RunStatus, failedStep: StepID?)
}
