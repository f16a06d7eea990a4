import CopilotCore
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The planner in a run (CONTRACT §4a). The model is asked before the first step and, after a planned
// step fails, once more (`max_replans`); each decision is stored, with the conversation as the run's
// transcript, before a step it chose runs. A run resumed after a crash finds its plan stored and runs it.
extension RunExecution {
    /// Plans the run when it is a playbook with `agent:`, a model is configured, and nothing was decided
    /// yet. False when the run left this worker (its plan could not be stored).
    mutating func planIfNeeded() async -> Bool {
        guard let planner = environment.planner, let agent = playbook.agent, machine.needsPlan else { return true }
        await holdLease(for: planner.settings.timeout)
        let run = machine.run
        let recent: [Run]
        do {
            recent = try await environment.store.recentRuns(
                playbook: run.playbook,
                subject: run.subject,
                before: run.id,
                limit: PlannerPrompt.recentRunCount
            )
        } catch {
            // The history is context, not a condition: plan without it.
            logger.warning("recent runs not readable; planning without them", metadata: ["error.type": "\(error)"])
            recent = []
        }
        let session = planner.session(
            for: playbook,
            agent: agent,
            event: event,
            recentRuns: recent,
            serviceAccounts: environment.serviceAccounts
        )
        let result = await planner.plan(session, clock: environment.clock)
        let plan = RunPlan(
            provider: planner.provider,
            decision: result.decision,
            session: result.session,
            latencyMilliseconds: result.latencyMilliseconds
        )
        machine.recordPlan(plan, at: environment.now())
        recordUsage(result.session.usage, of: plan)
        logger.info(
            plan.status == .planned ? "run planned" : "run falls back to the playbook's steps",
            metadata: planMetadata(plan)
        )
        return await savePlan(result.session.conversation)
    }

    /// After a planned step failed: asks for the steps to run next while `max_replans` allows, and
    /// applies the answer. False when the run left this worker.
    mutating func replanIfNeeded() async -> Bool {
        guard let planner = environment.planner, let agent = playbook.agent, let plan = machine.run.plan,
            plan.replans < planner.settings.maxReplans, let failed = machine.replannableFailure
        else { return true }
        let transcript: PlannerConversation?
        do {
            transcript = try await environment.store.transcript(machine.run.id)
        } catch {
            logger.warning("planner transcript not readable; no re-plan", metadata: ["error.type": "\(error)"])
            transcript = nil
        }
        guard let transcript else {
            // Without the conversation there is nothing to go on: the failure stands.
            var record = plan
            record.replans = planner.settings.maxReplans
            machine.replan(answering: failed, with: record, adding: [], at: environment.now())
            return true
        }
        var session = planner.session(
            resuming: transcript,
            of: machine.run,
            plan: plan,
            playbook: playbook,
            agent: agent,
            serviceAccounts: environment.serviceAccounts
        )
        guard session.replan(after: machine.run.steps) != nil else { return true }
        await holdLease(for: planner.settings.timeout)
        let result = await planner.plan(session, clock: environment.clock)
        var record = plan
        let steps = record.recordReplan(
            result.decision,
            session: result.session,
            latencyMilliseconds: result.latencyMilliseconds
        )
        machine.replan(answering: failed, with: record, adding: steps, at: environment.now())
        recordUsage(result.session.usage - plan.usage, of: record)
        logger.info(
            steps.isEmpty ? "re-plan gave no steps; the failure stands" : "run re-planned",
            metadata: planMetadata(record).merging(["copilot.step.id": .string(failed.rawValue)]) { $1 }
        )
        return await savePlan(result.session.conversation)
    }

    /// Stores the decision with its transcript, then gives the lease its usual length back.
    private mutating func savePlan(_ transcript: PlannerConversation) async -> Bool {
        guard await save(release: false, transcript: transcript) != nil else { return false }
        await holdLease(for: .zero)
        return true
    }

    /// Planning may take `agent.timeout_seconds`, longer than a lease: the run is held that long, so no
    /// other worker takes it over and asks the model again meanwhile; `.zero` gives the lease its usual
    /// length again, so a crash right after planning is not waited out for the whole timeout.
    private mutating func holdLease(for planning: Duration) async {
        let until = environment.date(after: planning + environment.configuration.leaseDuration)
        do {
            lease = try await environment.store.renewLease(lease, until: until)
        } catch {
            // The next save finds out whether the run is still this worker's.
            logger.warning("run lease not renewed around planning", metadata: ["error.type": "\(error)"])
        }
    }

    private func recordUsage(_ usage: TokenUsage, of plan: RunPlan) {
        environment.metrics.plannerUsed(usage, provider: plan.provider, model: plan.model ?? "unknown")
    }

    private func planMetadata(_ plan: RunPlan) -> Logger.Metadata {
        [
            "copilot.plan.status": .string(plan.status.rawValue),
            "copilot.plan.reason": .string(plan.reason ?? ""),
            "copilot.plan.attempts": .stringConvertible(plan.attempts),
            "copilot.plan.latency_ms": .stringConvertible(plan.latencyMilliseconds),
            GenAIAttributes.system: .string(plan.provider),
            GenAIAttributes.requestModel: .string(plan.model ?? ""),
            GenAIAttributes.inputTokens: .stringConvertible(plan.usage.inputTokens),
            GenAIAttributes.outputTokens: .stringConvertible(plan.usage.outputTokens),
        ]
    }
}
