import CopilotCore
import Logging
import ServiceLifecycle
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One claimed run, driven by its state machine until it parks (approval, retry backoff), ends, or the
/// worker stops. The protocol with the store: save `run` before every action and before the run leaves
/// the worker (a step's result is saved with the decision that follows it);
/// release the lease on `awaitApproval`, `retry` and `finish`; when a save answers `cancelRequested`,
/// apply `.cancelled`; on `conflict`, drop the run.
struct RunExecution {
    let environment: EngineEnvironment
    let playbook: Playbook
    let event: Event
    var machine: RunStateMachine
    var lease: RunLease
    var logger: Logger
    var random: InjectedRandomNumberGenerator
    /// What the run's planning is asked with: set when the claimed run is to be planned (it needs a
    /// plan, its playbook has `agent:` and a model is configured), and only then.
    var plannerInput: PlannerInput?
    /// The planner's conversation after a decision not stored yet: the next save stores it with the run.
    var pendingTranscript: PlannerConversation?
    /// Audit records of what the run did since its last save (the attempts it sent): the next save
    /// stores them in its transaction.
    var pendingAudit: [AuditEntry] = []

    /// Whether a save kept the run in this worker's hands.
    enum Saved {
        case saved
        /// A cancel arrived meanwhile and was applied to `machine`: ask it what to do next.
        case cancelled
    }

    /// Executes a claimed run until it parks, ends or the worker stops, in a `run` span of the event's
    /// trace (one per claim: a run that waits for an approval or is resumed has several).
    static func execute(_ claimed: ClaimedRun, in environment: EngineEnvironment) async {
        let run = claimed.run
        await withSpan(SpanName.run, context: TraceContext.continuing(run.traceparent)) { span in
            span.attributes[TraceAttribute.runID] = run.id.rawValue
            span.attributes[TraceAttribute.playbook] = run.playbook.rawValue
            span.attributes[TraceAttribute.eventID] = run.eventID.rawValue
            var logger = environment.logger
            logger[metadataKey: LogField.runID] = .string(run.id.rawValue)
            logger[metadataKey: "copilot.playbook"] = .string(run.playbook.rawValue)
            logger[metadataKey: LogField.eventID] = .string(run.eventID.rawValue)
            // The lines name the run span, or without a tracer the context the run's calls continue.
            if let trace = (TraceContext.traceparent(of: span) ?? run.traceparent).flatMap(TraceParent.init) {
                logger[metadataKey: LogField.traceID] = .string(trace.traceID)
                logger[metadataKey: LogField.spanID] = .string(trace.parentID)
            }
            let status = await execute(claimed, in: environment, logger: logger)
            if let status { span.attributes[TraceAttribute.runStatus] = status.rawValue }
        }
    }

    /// The run's status when it left this worker; nil when it was dropped.
    private static func execute(
        _ claimed: ClaimedRun,
        in environment: EngineEnvironment,
        logger: Logger
    ) async -> RunStatus? {
        logger.debug("run claimed", metadata: ["copilot.run.status": .string(claimed.run.status.rawValue)])
        guard let playbook = environment.playbooks.current.set[claimed.run.playbook] else {
            await fail(claimed, reason: "playbook '\(claimed.run.playbook)' is not loaded", in: environment, logger)
            return .failed
        }
        let delivery: Delivery?
        if let recent = environment.recentDeliveries.delivery(claimed.run.eventID) {
            delivery = recent
        } else {
            do {
                delivery = try await environment.store.delivery(claimed.run.eventID)
            } catch {
                logger.warning(
                    "event of the run not readable; left for a later claim",
                    metadata: ["error.type": "\(error)"]
                )
                return nil
            }
        }
        let planner = claimed.run.needsPlan && playbook.agent != nil ? environment.planner : nil
        guard let delivery,
            let (event, plannerInput) = await parseEvent(
                of: delivery,
                for: claimed,
                planning: planner,
                in: environment,
                logger: logger
            )
        else {
            await fail(claimed, reason: "event \(claimed.run.eventID) cannot be read", in: environment, logger)
            return .failed
        }
        var execution = RunExecution(
            environment: environment,
            playbook: playbook,
            event: event,
            machine: RunStateMachine(run: claimed.run, playbook: playbook, event: event),
            lease: claimed.lease,
            logger: logger,
            random: InjectedRandomNumberGenerator(source: environment.random),
            plannerInput: plannerInput
        )
        await execution.drive()
        return execution.machine.run.status
    }

    /// The loop: `next` → save → act, until the run leaves this worker. A run of a playbook with
    /// `agent:` is planned first, and re-planned after a planned step fails.
    mutating func drive() async {
        timeOutApprovalIfDue()
        await planIfNeeded()
        while !Task.isCancelled {
            guard await replanIfNeeded() else { return }
            let action = machine.next(at: environment.now())
            switch action {
            case .runStep(let invocation):
                guard let saved = await save(release: false) else { return }
                if saved == .cancelled { continue }
                guard let finished = await perform(invocation) else { return }
                guard apply(finished) else {
                    await storeActionAudit()
                    return
                }
                // A step stopped by a cancel request: the machine learns of the request now, as a save
                // would have told it, so it skips the rest rather than starting the next step.
                if case .stepFinished(_, .cancelled, _, _, _) = finished, !machine.run.cancelRequested {
                    guard apply(.cancelled(at: environment.now())) else { return }
                    logger.info("run cancellation requested")
                }
                // The step's result is saved with whatever the machine decides next, before that acts:
                // every case below saves first. Only a worker that stops saves it now, to hand it back.
                if Task.isShuttingDownGracefully {
                    guard await save(release: true) != nil else { return }
                    logger.info("worker stopping: run handed back after its step")
                    return
                }
            case .awaitApproval(let step, let deadline):
                guard await save(release: true) != nil else { return }
                logger.info(
                    "run awaits approval",
                    metadata: [
                        "copilot.step.id": .string(step.rawValue),
                        "copilot.approval.deadline": .string(deadline.map { "\($0)" } ?? "none"),
                    ]
                )
                return
            case .retry(let step, let after):
                guard await save(release: true) != nil else { return }
                logger.debug(
                    "step will be retried",
                    metadata: [
                        "copilot.step.id": .string(step.rawValue),
                        "copilot.retry.after_ms": .stringConvertible(Int(after.timeInterval * 1000)),
                    ]
                )
                return
            case .finish(let status, let failedStep):
                guard await save(release: true) != nil else { return }
                environment.metrics.runEnded(playbook: playbook.name, status: status)
                logger.info(
                    "run ended",
                    metadata: [
                        "copilot.run.status": .string(status.rawValue),
                        "copilot.run.failed_step": .string(failedStep?.rawValue ?? ""),
                    ]
                )
                return
            }
        }
    }

    /// A claimed run that waits for a decision whose deadline passed: the timeout rejects it.
    mutating func timeOutApprovalIfDue() {
        let now = environment.now()
        let run = machine.run
        guard run.status == .awaitingApproval, !run.cancelRequested, let deadline = run.wakeAt, deadline <= now
        else { return }
        do {
            try machine.apply(.approvalTimedOut(at: now), at: now, using: &random)
            let decision = ApprovalDecision(decision: .rejected, by: ApprovalDecision.timeoutDecider, at: now)
            pendingAudit.append(.decision(decision, run: run.id))
            logger.info(
                "approval timed out; run rejected",
                metadata: ["copilot.step.id": .string(run.stepAwaitingApproval?.rawValue ?? "")]
            )
        } catch {
            logger.warning("approval timeout not applied", metadata: ["error.type": "\(error)"])
        }
    }

    /// Applies an event to the machine; false (and a log) when it does not fit, which drops the run.
    mutating func apply(_ event: RunEvent) -> Bool {
        let now = environment.now()
        do {
            try machine.apply(event, at: now, using: &random)
            return true
        } catch {
            logger.error("run state machine refused a result; run dropped", metadata: ["error.type": "\(error)"])
            return false
        }
    }

    /// Saves `machine.run` (with the planner's pending transcript when it just decided), retrying
    /// `unavailable` a few times. Nil when the run left this worker (lost lease, ended elsewhere, store
    /// down): its lease then expires and another claim resumes it.
    mutating func save(release: Bool) async -> Saved? {
        var pause = environment.configuration.pollInterval
        for attempt in 1...3 {
            do {
                let stored =
                    if let transcript = pendingTranscript {
                        try await environment.store.savePlan(
                            machine.run,
                            transcript: transcript,
                            lease: lease,
                            release: release,
                            audit: pendingAudit
                        )
                    } else {
                        try await environment.store.save(
                            machine.run,
                            lease: lease,
                            release: release,
                            audit: pendingAudit
                        )
                    }
                pendingTranscript = nil
                pendingAudit = []
                guard stored.cancelRequested, !machine.run.cancelRequested, !machine.run.status.isFinal else {
                    return .saved
                }
                if release {
                    // The store hands the run out again at once; make the loop look.
                    environment.wake()
                    return .saved
                }
                guard apply(.cancelled(at: environment.now())) else { return nil }
                logger.info("run cancellation requested")
                return .cancelled
            } catch .unavailable where attempt < 3 {
                try? await environment.clock.sleep(for: pause)
                pause *= 2
            } catch {
                logger.warning("run not saved; dropped until it is claimed again", metadata: ["error.type": "\(error)"])
                await storeActionAudit()
                return nil
            }
        }
        await storeActionAudit()
        return nil
    }

    /// Stores, on their own, the records of actions this worker sent but will not save with the run
    /// (it lost the run, or is stopping): an action that was sent is recorded whatever becomes of the
    /// run. Other pending records (an approval's timeout) describe state that was not stored, and go.
    mutating func storeActionAudit() async {
        let sent = pendingAudit.filter { [.actionExecuted, .actionForbidden].contains($0.action) }
        pendingAudit = []
        guard !sent.isEmpty else { return }
        do {
            try await environment.store.appendAudit(sent)
        } catch {
            logger.error("audit records of the run's actions not stored", metadata: ["error.type": "\(error)"])
        }
    }
}
