import CopilotExpressions

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunStateMachine {
    /// Closes the in-flight attempt of `step`; schedules a retry or settles the step.
    mutating func finishAttempt(
        _ step: StepID,
        outcome: StepOutcome,
        outputs: JSONObject?,
        error: String?,
        retryable: Bool,
        at now: Date,
        using random: inout some RandomNumberGenerator
    ) throws(RunTransitionError) {
        guard let index = run.stepIndex(step), run.steps[index].isInFlight, !run.status.isFinal else {
            throw .unexpected("step '\(step)' has no attempt in flight")
        }
        let last = run.steps[index].history.count - 1
        run.steps[index].history[last].finishedAt = now
        run.steps[index].history[last].outcome = outcome
        run.steps[index].history[last].error = error
        let backoff = StepBackoff(definitions[step]?.retry ?? StepRetry())
        let failures = run.steps[index].failedAttempts
        if outcome == .failure, retryable, !run.cancelRequested, backoff.allowsRetry(afterFailures: failures) {
            if let outputs { run.steps[index].outputs = outputs }
            run.steps[index].error = error
            run.wakeAt = now.addingTimeInterval(backoff.delay(afterFailures: failures, using: &random).seconds)
            run.updatedAt = now
            return
        }
        settle(index, outcome, error: error, outputs: outputs, at: now)
    }

    /// Gives the step at `index` its outcome.
    mutating func settle(
        _ index: Int,
        _ outcome: StepOutcome,
        error: String? = nil,
        outputs: JSONObject? = nil,
        at now: Date
    ) {
        run.steps[index].outcome = outcome
        run.steps[index].error = outcome == .success ? nil : error
        run.steps[index].outputs = outcome == .skipped ? nil : outputs
        run.steps[index].finishedAt = now
        if run.failedStep == nil, counts(run.steps[index]) { run.failedStep = run.steps[index].id }
        run.wakeAt = nil
        run.updatedAt = now
    }

    /// Ends the run: every step has an outcome.
    mutating func finish(at now: Date) -> RunAction {
        let status: RunStatus
        if run.cancelRequested {
            status = .cancelled
        } else if run.isRejected {
            status = .rejected
        } else if run.steps.contains(where: counts) {
            status = .failed
        } else {
            status = .succeeded
        }
        run.status = status
        run.failedStep = run.steps.first(where: counts)?.id
        run.wakeAt = nil
        run.updatedAt = now
        return .finish(status, failedStep: run.failedStep)
    }

    /// True for a step whose outcome fails the run: a failure without `continue_on_error` that no
    /// re-plan answered, or `forbidden`.
    func counts(_ step: RunStep) -> Bool {
        switch step.outcome {
        case .failure where run.plan?.replannedFailures.contains(step.id) == true: false
        case .forbidden: true
        case .failure: !(definitions[step.id]?.continueOnError ?? false)
        case .success, .skipped, .cancelled, nil: false
        }
    }
}

extension Duration {
    /// The duration in seconds, with sub-second precision.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
