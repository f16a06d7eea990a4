#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

// The planner's decisions (CONTRACT §4a): a plan replaces the playbook's steps before any starts; after a
// planned step fails, the model may be asked again (up to `max_replans` times), and its new steps run
// after those already done.
extension RunStateMachine {
    /// `Run.needsPlan` of the run.
    public var needsPlan: Bool { run.needsPlan }

    /// Records the planner's decision (`Run.recordPlan`); the run's steps are then the plan's.
    public mutating func recordPlan(_ plan: RunPlan, at now: Date) {
        run.recordPlan(plan, at: now)
        definitions = Self.definitions(of: run, in: playbook)
    }

    /// The failed planned step a re-plan may answer: the run was planned, is still going, nothing ended
    /// or stopped it, no earlier re-plan came back without steps (that ends the re-planning), and a step
    /// failed it with no later step started. Nil otherwise. Whether a re-plan is left (`max_replans`) is
    /// the caller's setting.
    public var replannableFailure: StepID? {
        guard let plan = run.plan, plan.status == .planned, plan.reason == nil, !run.status.isFinal,
            !run.cancelRequested,
            !run.isRejected, let index = run.steps.firstIndex(where: counts),
            run.steps[index].outcome == .failure,
            run.steps[(index + 1)...].allSatisfy({ $0.outcome == nil && $0.attempts == 0 })
        else { return nil }
        return run.steps[index].id
    }

    /// Applies a re-plan answering the failure of `failed`: `plan` is the run's record with the re-plan
    /// counted (`RunPlan.recordReplan`), `steps` its new steps. With new steps the failure no longer
    /// fails the run, the planned steps that had not started are skipped ("replaced by a new plan"), and
    /// the new ones run after; with none, only the record changes and the run ends as the failure left it.
    public mutating func replan(answering failed: StepID, with plan: RunPlan, adding steps: [Plan.Step], at now: Date) {
        var plan = plan
        if !steps.isEmpty {
            plan.steps += steps
            plan.replannedFailures.append(failed)
            for index in run.steps.indices where run.steps[index].outcome == nil {
                run.steps[index].outcome = .skipped
                run.steps[index].error = Self.replacedByReplan
                run.steps[index].finishedAt = now
            }
            run.steps += steps.map { RunStep(id: $0.id, uses: $0.uses) }
        }
        run.plan = plan
        run.failedStep = run.steps.first(where: counts)?.id
        run.updatedAt = now
        definitions = Self.definitions(of: run, in: playbook)
    }

    /// The `error` of a planned step that a re-plan replaced before it started.
    public static let replacedByReplan = "replaced by a new plan"
}
