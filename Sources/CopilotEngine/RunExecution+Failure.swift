import CopilotCore
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunExecution {
    /// Ends a run that cannot be executed (its playbook is no longer loaded, its event cannot be read):
    /// the first unfinished step fails with `reason`, the rest are skipped, and the run ends `failed`.
    static func fail(_ claimed: ClaimedRun, reason: String, in environment: EngineEnvironment, _ logger: Logger) async {
        let now = environment.now()
        var run = claimed.run
        var failed: StepID?
        for index in run.steps.indices where run.steps[index].outcome == nil {
            if run.steps[index].isInFlight, let last = run.steps[index].history.indices.last {
                run.steps[index].history[last].finishedAt = now
                run.steps[index].history[last].error = StepAttempt.interruptedError
            }
            run.steps[index].outcome = failed == nil ? .failure : .skipped
            run.steps[index].error = failed == nil ? reason : nil
            run.steps[index].finishedAt = now
            failed = failed ?? run.steps[index].id
        }
        run.status = .failed
        run.failedStep = run.failedStep ?? failed
        run.wakeAt = nil
        run.updatedAt = now
        do {
            _ = try await environment.store.save(run, lease: claimed.lease, release: true)
            environment.metrics.runEnded(playbook: run.playbook, status: .failed)
            logger.error("run cannot be executed; ended failed", metadata: ["copilot.run.error": .string(reason)])
        } catch {
            logger.warning("failed run not saved", metadata: ["error.type": "\(error)"])
        }
    }
}
