import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The run lifecycle as a value: given the playbook and the run's persisted state it decides the next
/// action, and it applies what happened. It does no I/O; it evaluates `if:` and renders `with:` itself,
/// which is pure. After every call the worker persists `run` before it acts or reports anything.
///
/// Semantics (CONTRACT §3, §4):
/// - Steps run one at a time in the order written. `needs:` only names earlier steps, so that order
///   satisfies every `needs:`; running independent branches in parallel is not done, and the status
///   functions look at every earlier step.
/// - A step's `if:` (absent: `success()`) is evaluated with GitHub's implicit `success() &&` unless it
///   calls a status function. A false `if:` makes the step `skipped`; an `if:` that cannot be evaluated
///   fails the step.
/// - A step with `approval: required` whose `if:` holds parks the run `awaiting_approval`; approval runs
///   it, rejection or `approval_timeout_seconds` skips it and ends the run `rejected`.
/// - After cancel, reject or approval timeout, a step runs only when its `if:` calls a status function
///   that holds (`always()`, `cancelled()` after a cancel, `failure()` after a failure); the rest are
///   `skipped`, and so are steps needing approval.
/// - A retryable failure is tried again after `StepBackoff`'s delay while `retry.attempts` allows; an
///   attempt left in flight by a crash is closed as `interrupted` and sent again with the same key.
/// - The run ends `cancelled`, else `rejected`, else `failed` when a step failed without
///   `continue_on_error` or was `forbidden`, else `succeeded`; `failed_step` is the first such step.
public struct RunStateMachine: Sendable {
    public internal(set) var run: Run
    let playbook: Playbook
    /// The run's steps as defined by its playbook, or by its plan (`Run.stepDefinitions(in:)`).
    var definitions: [StepID: Step]
    let eventValue: JSONValue

    public init(run: Run, playbook: Playbook, event: Event) {
        self.run = run
        self.playbook = playbook
        self.definitions = Self.definitions(of: run, in: playbook)
        self.eventValue = event.contextValue
    }

    static func definitions(of run: Run, in playbook: Playbook) -> [StepID: Step] {
        Dictionary(run.stepDefinitions(in: playbook).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Decides what to do next, recording in `run` what that decision changes (skipped steps, the start
    /// of an attempt, the approval request, the end of the run).
    public mutating func next(at now: Date) -> RunAction {
        if run.status.isFinal { return .finish(run.status, failedStep: run.failedStep) }
        for index in run.steps.indices where run.steps[index].outcome == nil {
            if let action = advance(index, at: now) { return action }
        }
        return finish(at: now)
    }

    /// Applies what happened. Throws when the event does not fit the run's state (a decision on a run
    /// that does not wait for one, a cancel of an ended run, a result for a step not in flight).
    public mutating func apply(
        _ event: RunEvent,
        at now: Date,
        using random: inout some RandomNumberGenerator
    ) throws(RunTransitionError) {
        switch event {
        case .stepFinished(let step, let outcome, let outputs, let error, let retryable):
            try finishAttempt(
                step,
                outcome: outcome,
                outputs: outputs,
                error: error,
                retryable: retryable,
                at: now,
                using: &random
            )
        case .approved(let by, let comment, let at):
            try run.recordApproval(ApprovalDecision(decision: .approved, by: by, comment: comment, at: at))
        case .rejected(let by, let comment, let at):
            try run.recordApproval(ApprovalDecision(decision: .rejected, by: by, comment: comment, at: at))
        case .approvalTimedOut(let at):
            try run.recordApproval(ApprovalDecision(decision: .rejected, by: ApprovalDecision.timeoutDecider, at: at))
        case .cancelled(let at):
            try run.requestCancellation(at: at)
        }
    }

    /// `apply(_:at:using:)` with the system's random source for the retry jitter.
    public mutating func apply(_ event: RunEvent, at now: Date) throws(RunTransitionError) {
        var random = SystemRandomNumberGenerator()
        try apply(event, at: now, using: &random)
    }

    /// The step at `index` has no outcome yet: returns the action it needs, or nil when it was settled
    /// here (skipped, failed before sending) and the next step is to be looked at.
    private mutating func advance(_ index: Int, at now: Date) -> RunAction? {
        let step = run.steps[index]
        guard let definition = definitions[step.id] else {
            settle(index, .failure, error: "step is no longer in the playbook", at: now)
            return nil
        }
        if step.isInFlight {
            // Left in flight by a crash (or a worker that lost its lease): close it, send it again.
            run.steps[index].history[step.history.count - 1].finishedAt = now
            run.steps[index].history[step.history.count - 1].error = StepAttempt.interruptedError
            if run.cancelRequested {
                settle(index, .cancelled, error: "cancelled", at: now)
                return nil
            }
            return start(index, definition, at: now)
        }
        if step.attempts > 0 {
            // Between retries.
            if run.cancelRequested {
                settle(index, .cancelled, error: "cancelled", outputs: step.outputs, at: now)
                return nil
            }
            if let wakeAt = run.wakeAt, wakeAt > now {
                return .retry(step.id, after: .seconds(wakeAt.timeIntervalSince(now)))
            }
            return start(index, definition, at: now)
        }
        if let approval = step.approval {
            if approval.decision == .approved, !run.cancelRequested { return start(index, definition, at: now) }
            settle(index, .skipped, at: now)
            return nil
        }
        if step.isAwaitingApproval { return awaitApproval(index, definition, at: now) }
        switch shouldRun(definition) {
        case .failure(let error):
            settle(index, .failure, error: "if: \(error.message)", at: now)
            return nil
        case .success(false):
            settle(index, .skipped, at: now)
            return nil
        case .success(true):
            if definition.approval == .required { return awaitApproval(index, definition, at: now) }
            return start(index, definition, at: now)
        }
    }

    /// Asks for (or keeps waiting for) a decision on the step, or settles it when the run is ending or the
    /// deadline passed.
    private mutating func awaitApproval(_ index: Int, _ definition: Step, at now: Date) -> RunAction? {
        if run.isTerminating {
            settle(index, .skipped, at: now)
            return nil
        }
        let requestedAt = run.steps[index].approvalRequestedAt ?? now
        run.steps[index].approvalRequestedAt = requestedAt
        let deadline = definition.approvalTimeoutSeconds.map { requestedAt.addingTimeInterval(Double($0)) }
        if let deadline, deadline <= now {
            run.steps[index].approval = ApprovalDecision(
                decision: .rejected,
                by: ApprovalDecision.timeoutDecider,
                at: now
            )
            settle(index, .skipped, at: now)
            return nil
        }
        if run.status != .awaitingApproval || run.wakeAt != deadline {
            run.status = .awaitingApproval
            run.wakeAt = deadline
            run.updatedAt = now
        }
        return .awaitApproval(run.steps[index].id, deadline: deadline)
    }

    /// Records the start of a new attempt and returns it, or fails the step when its `with:` cannot be
    /// rendered (nothing is sent then).
    private mutating func start(_ index: Int, _ definition: Step, at now: Date) -> RunAction? {
        let number = run.steps[index].attempts + 1
        let inputs: JSONObject
        switch render(definition, attempt: number) {
        case .success(let rendered): inputs = rendered
        case .failure(let problem):
            settle(index, .failure, error: problem.text, at: now)
            return nil
        }
        run.steps[index].history.append(StepAttempt(number: number, startedAt: now))
        run.steps[index].startedAt = run.steps[index].startedAt ?? now
        run.status = .running
        run.wakeAt = nil
        run.updatedAt = now
        return .runStep(
            StepInvocation(
                step: definition.id,
                uses: definition.uses,
                attempt: number,
                idempotencyKey: run.idempotencyKey(for: definition.id),
                inputs: inputs,
                timeout: .seconds(definition.timeoutSeconds),
                traceparent: run.traceparent
            )
        )
    }
}
