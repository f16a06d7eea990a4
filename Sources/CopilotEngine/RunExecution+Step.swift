import CopilotCore
import Logging
import Tracing

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension RunExecution {
    /// How the race around one attempt ended.
    enum StepRace: Sendable {
        case finished(ActionOutcome)
        case timedOut
        /// The run was cancelled through the API while the step ran.
        case cancelRequested
        /// Another worker took the run over: this one must stop touching it.
        case leaseLost
        /// A racer stopped because the others won or the task was cancelled.
        case stopped
    }

    /// Sends one attempt and reports how it ended, or nil when the run left this worker (the task was
    /// cancelled or the lease lost): the attempt stays in flight in the store and is sent again, with
    /// the same idempotency key, by whoever resumes the run. Each attempt is a `step <id>` span.
    mutating func perform(_ invocation: StepInvocation) async -> RunEvent? {
        let span = startSpan(SpanName.step(invocation.step), context: ServiceContext.current ?? .topLevel)
        defer { span.end() }
        span.attributes[TraceAttribute.stepID] = invocation.step.rawValue
        span.attributes[TraceAttribute.action] = invocation.uses.rawValue
        span.attributes[TraceAttribute.stepAttempt] = invocation.attempt
        let finished = await perform(invocation, in: span)
        if case .stepFinished(_, let outcome, _, let error, _) = finished {
            span.attributes[TraceAttribute.stepOutcome] = outcome.rawValue
            if outcome != .success { span.setStatus(SpanStatus(code: .error, message: error)) }
        }
        return finished
    }

    private mutating func perform(_ invocation: StepInvocation, in span: any Span) async -> RunEvent? {
        var logger = logger
        logger[metadataKey: "copilot.step.id"] = .string(invocation.step.rawValue)
        logger[metadataKey: "copilot.action"] = .string(invocation.uses.rawValue)
        let started = environment.now()
        guard environment.serviceAccounts.allows(runAs: playbook.runAs, action: invocation.uses) else {
            logger.warning("action forbidden to the playbook's service account")
            environment.metrics.stepFinished(action: invocation.uses, outcome: .forbidden, seconds: 0)
            pendingAudit.append(audit(invocation, outcome: .forbidden, error: nil))
            return .stepFinished(
                invocation.step,
                outcome: .forbidden,
                outputs: nil,
                error: "forbidden",
                retryable: false
            )
        }
        var random = random
        let request = ActionRequest(
            runID: machine.run.id,
            stepID: invocation.step,
            action: invocation.uses,
            with: invocation.inputs,
            event: event,
            attempt: invocation.attempt,
            timeout: invocation.timeout,
            traceparent: TraceContext.traceparent(of: span)
                ?? invocation.traceparent.flatMap(TraceParent.init).map { $0.child { random.next() } }?.description
        )
        logger.debug("step started", metadata: ["copilot.step.attempt": .stringConvertible(invocation.attempt)])
        // The executor's client spans are children of the step's.
        let race = await ServiceContext.$current.withValue(span.context) { [self] in await self.race(request) }
        if Task.isCancelled {
            logger.debug("step interrupted: the worker is stopping; left for a resume")
            pendingAudit.append(audit(invocation, outcome: nil, error: "worker stopped"))
            await storeActionAudit()
            return nil
        }
        let finished: RunEvent
        switch race {
        case .finished(.succeeded(let outputs)):
            finished = .stepFinished(invocation.step, outcome: .success, outputs: outputs, error: nil, retryable: false)
        case .finished(.failed(let failure)):
            finished = .stepFinished(
                invocation.step,
                outcome: .failure,
                outputs: failure.outputs,
                error: failure.reason,
                retryable: failure.retryable
            )
        case .timedOut:
            let failure = ActionFailure.timeout(after: invocation.timeout)
            finished = .stepFinished(
                invocation.step,
                outcome: .failure,
                outputs: nil,
                error: failure.reason,
                retryable: failure.retryable
            )
        case .cancelRequested:
            finished = .stepFinished(
                invocation.step,
                outcome: .cancelled,
                outputs: nil,
                error: "cancelled",
                retryable: false
            )
        case .leaseLost, .stopped:
            logger.warning("run lease lost while its step ran; run dropped")
            // The action was sent, and this worker will save nothing more of the run: its record goes
            // now, on its own. Whoever resumes the run sends the attempt again and records that one.
            pendingAudit.append(audit(invocation, outcome: nil, error: "lease lost"))
            await storeActionAudit()
            return nil
        }
        if case .stepFinished(_, let outcome, _, let error, _) = finished {
            pendingAudit.append(audit(invocation, outcome: outcome, error: error))
            let seconds = environment.now().timeIntervalSince(started)
            environment.metrics.stepFinished(action: invocation.uses, outcome: outcome, seconds: seconds)
            logger.debug(
                "step finished",
                metadata: [
                    "copilot.step.outcome": .string(outcome.rawValue), "copilot.step.error": .string(error ?? ""),
                ]
            )
        }
        return finished
    }

    /// The audit record of one attempt of `invocation`, ended with `outcome` (nil: not seen to end).
    func audit(_ invocation: StepInvocation, outcome: StepOutcome?, error: String?) -> AuditEntry {
        .action(
            invocation.uses,
            run: machine.run.id,
            step: invocation.step,
            attempt: invocation.attempt,
            runAs: playbook.runAs,
            outcome: outcome,
            error: error,
            at: environment.now()
        )
    }

    /// Races the executor against the step's timeout and a watcher that renews the lease and notices a
    /// cancel. The first to finish wins; the others are cancelled (an executor stops promptly then).
    func race(_ request: ActionRequest) async -> StepRace {
        let environment = environment
        let lease = lease
        return await withTaskGroup(of: StepRace.self) { group in
            group.addTask { .finished(await environment.executor.execute(request)) }
            group.addTask {
                do {
                    try await environment.clock.sleep(for: request.timeout)
                    return .timedOut
                } catch {
                    return .stopped
                }
            }
            group.addTask { await Self.watch(lease, in: environment) }
            var result = StepRace.stopped
            for await racer in group {
                if case .stopped = racer { continue }
                result = racer
                break
            }
            group.cancelAll()
            return result
        }
    }

    /// While a step runs: renews the lease every `leaseRenewalInterval` and checks for a cancel every
    /// `cancelCheckInterval`. Returns only when one of them ends the step, or `.stopped` when cancelled.
    static func watch(_ lease: RunLease, in environment: EngineEnvironment) async -> StepRace {
        let configuration = environment.configuration
        var lease = lease
        var renewAt = environment.date(after: configuration.leaseRenewalInterval)
        while !Task.isCancelled {
            do {
                try await environment.clock.sleep(for: configuration.cancelCheckInterval)
            } catch {
                return .stopped
            }
            if let run = try? await environment.store.run(lease.runID), run.cancelRequested {
                return .cancelRequested
            }
            guard environment.now() >= renewAt else { continue }
            do {
                lease = try await environment.store.renewLease(
                    lease,
                    until: environment.date(after: configuration.leaseDuration)
                )
                renewAt = environment.date(after: configuration.leaseRenewalInterval)
            } catch .unavailable {
                continue
            } catch {
                return .leaseLost
            }
        }
        return .stopped
    }
}
