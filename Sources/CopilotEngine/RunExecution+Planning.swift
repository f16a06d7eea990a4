import CopilotCore
import Logging
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The planner in a run (CONTRACT §4a). The model is asked before the first step and, after a planned
// step fails, again (up to `max_replans` times). Each decision is stored, with the conversation as the
// run's transcript, by the save that precedes the next action (`pendingTranscript`), so before a step it
// chose runs, and without a write of its own. A run resumed after a crash finds its plan stored and
// runs it.
extension RunExecution {
    /// The run's event parsed from `delivery`, and, when `planner` is to plan the run, what it is asked
    /// with: the event's text, and the subject's recent runs that the claim brought
    /// (`ClaimedRun.recentRuns`), or read here when it did not. Nil when the delivery is not a readable
    /// event.
    static func parseEvent(
        of delivery: Delivery,
        for claimed: ClaimedRun,
        planning planner: RunPlanner?,
        in environment: EngineEnvironment,
        logger: Logger
    ) async -> (Event, PlannerInput?)? {
        guard let event = try? delivery.event() else { return nil }
        guard let planner else { return (event, nil) }
        let text = planner.eventText(event)
        // The claim read them (`RecentRunsQuery`), unless the playbook gained `agent:` since.
        let recentRuns =
            if let runs = claimed.recentRuns { runs } else {
                await recentRuns(of: claimed.run, in: environment, logger: logger)
            }
        return (event, PlannerInput(event: text, recentRuns: recentRuns))
    }

    /// The last runs of the run's playbook for its subject, for the prompt; none when the store cannot
    /// tell (the history is context, not a condition).
    private static func recentRuns(of run: Run, in environment: EngineEnvironment, logger: Logger) async -> [PastRun] {
        do {
            return try await environment.store.recentRuns(
                playbook: run.playbook,
                subject: run.subject,
                before: run.id,
                limit: PlannerPrompt.recentRunCount
            )
        } catch {
            if !Task.isCancelled {  // the worker is stopping: nothing is planned
                logger.warning("recent runs not readable; planning without them", metadata: ["error.type": "\(error)"])
            }
            return []
        }
    }

    /// Plans the run when it is a playbook with `agent:`, a model is configured, and nothing was decided
    /// yet: when the run's start gathered a `plannerInput` (`parseEvent(of:for:planning:in:logger:)`).
    mutating func planIfNeeded() async {
        let input = plannerInput
        plannerInput = nil
        guard let planner = environment.planner, let agent = playbook.agent, let input, machine.needsPlan else {
            return
        }
        let span = startSpan(SpanName.runPlan, context: ServiceContext.current ?? .topLevel)
        defer { span.end() }
        let session = planner.session(
            for: playbook,
            agent: agent,
            event: input.event,
            recentRuns: input.recentRuns,
            serviceAccounts: environment.serviceAccounts
        )
        let result = await ServiceContext.$current.withValue(span.context) {
            await holdingLease { [environment] in await planner.plan(session, clock: environment.clock) }
        }
        let plan = RunPlan(
            provider: planner.provider,
            decision: result.decision,
            session: result.session,
            latencyMilliseconds: result.latencyMilliseconds
        )
        machine.recordPlan(plan, at: environment.now())
        if result.asked { pendingTranscript = result.session.conversation }
        recordUsage(result.session.usage, of: plan)
        annotate(span, with: plan, usage: result.session.usage)
        logger.info(
            plan.status == .planned ? "run planned" : "run falls back to the playbook's steps",
            metadata: planMetadata(plan)
        )
    }

    /// After a planned step failed: asks for the steps to run next while `max_replans` allows, and
    /// applies the answer. The failure is saved first, so a crash during the model call does not send
    /// the failed step again. False when the run left this worker.
    mutating func replanIfNeeded() async -> Bool {
        guard let planner = environment.planner, let agent = playbook.agent, let plan = machine.run.plan,
            plan.replans < planner.settings.maxReplans, machine.replannableFailure != nil
        else { return true }
        guard await save(release: false) != nil else { return false }
        // A cancel that arrived meanwhile was applied by the save: nothing is re-planned then.
        guard let failed = machine.replannableFailure else { return true }
        var transcript = pendingTranscript
        do {
            if transcript == nil { transcript = try await environment.store.transcript(machine.run.id) }
        } catch {
            logger.warning("planner transcript not readable; no re-plan", metadata: ["error.type": "\(error)"])
            transcript = nil
        }
        guard let transcript else {
            // Without the conversation there is nothing to go on: the failure stands.
            var record = plan
            record.replans += 1
            record.reason = "transcript_unavailable"
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
        let asked = session
        let span = startSpan(SpanName.runPlan, context: ServiceContext.current ?? .topLevel)
        defer { span.end() }
        let result = await ServiceContext.$current.withValue(span.context) {
            await holdingLease { [environment] in
                await planner.plan(asked, clock: environment.clock)
            }
        }
        var record = plan
        let steps = record.recordReplan(
            result.decision,
            session: result.session,
            latencyMilliseconds: result.latencyMilliseconds
        )
        machine.replan(answering: failed, with: record, adding: steps, at: environment.now())
        if result.asked { pendingTranscript = result.session.conversation }
        recordUsage(result.session.usage - plan.usage, of: record)
        annotate(span, with: record, usage: result.session.usage - plan.usage)
        logger.info(
            steps.isEmpty ? "re-plan gave no steps; the failure stands" : "run re-planned",
            metadata: planMetadata(record).merging(["copilot.step.id": .string(failed.rawValue)]) { $1 }
        )
        return true
    }

    /// Runs `planning` while the run's lease is kept: renewed every `leaseRenewalInterval` for as long as
    /// planning lasts (up to `agent.timeout_seconds`, longer than a lease), so no other worker takes the
    /// run over and asks the model again meanwhile, and a node that dies mid-planning gives the run up
    /// within one lease. A model that answers within the interval, the usual case, costs no write: the
    /// save that stores the plan renews the lease (a write beside every model call was on the planned
    /// run's path, its commit's fsync included, when the model answered fast).
    private mutating func holdingLease(
        _ planning: @Sendable () async -> RunPlanner.Result
    ) async -> RunPlanner.Result {
        let environment = environment
        let logger = logger
        let held = lease
        let result = await withTaskGroup(of: Void.self, returning: RunPlanner.Result.self) { group in
            group.addTask {
                var lease = held
                while !Task.isCancelled {
                    do {
                        try await environment.clock.sleep(for: environment.configuration.leaseRenewalInterval)
                        lease = try await environment.store.renewLease(
                            lease,
                            until: environment.date(after: environment.configuration.leaseDuration)
                        )
                    } catch is CancellationError {
                        return
                    } catch RunStoreError.unavailable {
                        continue
                    } catch {
                        // The save that stores the plan finds out whether the run is still this worker's.
                        logger.warning("run lease not renewed during planning", metadata: ["error.type": "\(error)"])
                        return
                    }
                }
            }
            let result = await planning()
            // The group waits for the renewer: a renewal in flight ends before the save that follows
            // (which may release the lease).
            group.cancelAll()
            return result
        }
        lease.expiresAt = environment.date(after: environment.configuration.leaseDuration)
        return result
    }

    /// Counts a planning (or re-planning) that ended with `plan`, and the tokens it used.
    private func recordUsage(_ usage: TokenUsage, of plan: RunPlan) {
        environment.metrics.planned(plan)
        environment.metrics.plannerUsed(usage, provider: plan.provider, model: plan.model ?? "unknown")
    }

    /// The `run.plan` span's attributes (CONTRACT §7): OpenTelemetry's GenAI names and the Observatory's.
    private func annotate(_ span: any Span, with plan: RunPlan, usage: TokenUsage) {
        span.attributes[TraceAttribute.planStatus] = plan.status.rawValue
        span.attributes[GenAIAttributes.system] = plan.provider
        span.attributes[GenAIAttributes.llmProvider] = plan.provider
        // Asked for `agent.model`; the answer names the model that wrote it (a dated version, often).
        let asked = environment.planner?.model ?? ""
        span.attributes[GenAIAttributes.requestModel] = asked
        span.attributes[GenAIAttributes.responseModel] = plan.model
        span.attributes[GenAIAttributes.llmModel] = plan.model ?? asked
        span.attributes[GenAIAttributes.inputTokens] = usage.inputTokens
        span.attributes[GenAIAttributes.outputTokens] = usage.outputTokens
        span.attributes[GenAIAttributes.llmPromptTokens] = usage.inputTokens
        span.attributes[GenAIAttributes.llmCompletionTokens] = usage.outputTokens
        if plan.status != .planned { span.setStatus(SpanStatus(code: .error, message: plan.reason)) }
    }

    private func planMetadata(_ plan: RunPlan) -> Logger.Metadata {
        [
            "copilot.plan.status": .string(plan.status.rawValue),
            "copilot.plan.reason": .string(plan.reason ?? ""),
            "copilot.plan.attempts": .stringConvertible(plan.attempts),
            "copilot.plan.latency_ms": .stringConvertible(plan.latencyMilliseconds),
            GenAIAttributes.system: .string(plan.provider),
            GenAIAttributes.requestModel: .string(environment.planner?.model ?? ""),
            GenAIAttributes.responseModel: .string(plan.model ?? ""),
            GenAIAttributes.inputTokens: .stringConvertible(plan.usage.inputTokens),
            GenAIAttributes.outputTokens: .stringConvertible(plan.usage.outputTokens),
        ]
    }
}

/// What a run's first planning is asked with besides the playbook: the event's text, built when the run
/// starts, and the subject's recent runs, which its claim brought
/// (`RunExecution.parseEvent(of:for:planning:in:logger:)`).
struct PlannerInput: Sendable {
    var event: PlannerPrompt.EventText
    var recentRuns: [PastRun]
}
