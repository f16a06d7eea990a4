import CopilotCore
import CopilotEngine
import CopilotExpressions
import CopilotTesting
import Foundation
import Logging
import MetricsTestKit
import Testing

@Suite("WorkerService: events to runs to actions", .timeLimit(.minutes(1)))
struct WorkerFlowTests {
    @Test("an event runs its playbook's three steps in order with rendered inputs and per-step keys")
    func wholeFlow() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(steps: [
                Playbooks.step("diagnose", with: ["service": "${{ event.subject }}"]),
                Playbooks.step("verify", uses: "testbench.run", with: ["test_suite": "smoke"]),
                Playbooks.step(
                    "resolve",
                    uses: "incident.resolve",
                    with: [
                        "notes": "passed ${{ steps.verify.outputs.passed }}/${{ steps.verify.outputs.total }}",
                        "count": "${{ steps.verify.outputs.passed }}",
                    ]
                ),
            ])
        )
        harness.executor.answer(step: "verify", with: .succeeded(outputs: ["passed": 7, "total": 8]))
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        #expect(run.failedStep == nil)
        let requests = harness.executor.requests
        #expect(requests.map(\.stepID.rawValue) == ["diagnose", "verify", "resolve"])
        #expect(requests.map(\.idempotencyKey) == ["diagnose", "verify", "resolve"].map { "\(run.id.rawValue):\($0)" })
        #expect(requests.map(\.action.rawValue) == ["incident.update", "testbench.run", "incident.resolve"])
        #expect(requests[0].with["service"] == "payments")
        #expect(requests[2].with["notes"] == "passed 7/8")
        #expect(requests[2].with["count"] == 7)
        #expect(requests.allSatisfy { $0.attempt == 1 && $0.event.id == event && $0.runID == run.id })
        let trace = try #require(run.traceparent.flatMap(TraceParent.init))
        for request in requests {
            let sent = try #require(request.traceparent.flatMap(TraceParent.init))
            #expect(sent.traceID == trace.traceID)
        }
        #expect(run.steps.map(\.outcome) == [.success, .success, .success])
        #expect(run.steps[1].outputs == ["passed": 7, "total": 8])
        let record = try #require(try await harness.store.event(event))
        #expect(record.matchState == .matched)
    }

    @Test("an unmatched event is recorded with why each listening playbook does not match, and starts no run")
    func unmatched() async throws {
        var guarded = Playbooks.playbook("guarded", steps: [Playbooks.step("only", if: nil)])
        guarded.condition = try Template(
            parsing: "${{ event.subject == 'nothing' }}",
            allowedNames: Playbook.playbookContextNames
        )
        let harness = EngineHarness(
            Playbooks.github,
            guarded,
            Playbooks.playbook(steps: [Playbooks.step("only", if: nil)]).withTrigger(types: ["incident.resolved"])
        )
        let event = try await harness.enqueue("evt-1")
        let record = try await harness.running(harness.worker()) {
            try await eventually {
                let record = try await harness.store.event(event)
                return record?.matchState == .pending ? nil : record
            }
        }
        #expect(record.matchState == .unmatched)
        #expect(record.runs.isEmpty)
        // Only listeners are explained in the record; the events API tells the others from the set.
        #expect(record.reasons.map(\.playbook.rawValue) == ["guarded"])
        #expect(record.reasons.first?.reason == "if: ${{ event.subject == 'nothing' }} is false")
        #expect(harness.executor.requests.isEmpty)
    }

    @Test("a failed step fails the run, skips success() steps and runs failure() steps")
    func failureRunsFailureSteps() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(steps: [
                Playbooks.step("rollback"),
                Playbooks.step("verify"),
                Playbooks.step("report", if: "${{ failure() }}", with: ["notes": "failed at ${{ run.failed_step }}"]),
            ])
        )
        harness.executor.answer(step: "rollback", with: .failed(retryable: false, reason: "http 422 from deploy"))
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .failed)
        #expect(run.failedStep == StepID(rawValue: "rollback"))
        #expect(run.steps.map(\.outcome) == [.failure, .skipped, .success])
        #expect(run.steps[0].error == "http 422 from deploy")
        #expect(harness.executor.requests.map(\.stepID.rawValue) == ["rollback", "report"])
        #expect(harness.executor.requests(step: "report").first?.with["notes"] == "failed at rollback")
    }

    @Test("a retryable failure is retried with the same key until it succeeds")
    func retriesUntilSuccess() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(steps: [Playbooks.step("flaky", retry: Playbooks.retry(3)), Playbooks.step("after")])
        )
        let busy = ActionOutcome.failed(retryable: true, reason: "http 503 from testbench")
        harness.executor.answer(step: "flaky", with: busy, busy, .succeeded(outputs: ["ok": true]))
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        let sent = harness.executor.requests(step: "flaky")
        #expect(sent.map(\.attempt) == [1, 2, 3])
        #expect(Set(sent.map(\.idempotencyKey)) == ["\(run.id.rawValue):flaky"])
        #expect(run.steps[0].attempts == 3)
        #expect(run.steps[0].history.map(\.outcome) == [.failure, .failure, .success])
        #expect(harness.executor.requests(step: "after").count == 1)
    }

    @Test("a permanent failure is not retried")
    func permanentFailureIsNotRetried() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("post", retry: Playbooks.retry(3))]))
        harness.executor.answer(step: "post", with: .failed(retryable: false, reason: "http 404 from incident-manager"))
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .failed)
        #expect(run.steps[0].attempts == 1)
        #expect(harness.executor.requests.count == 1)
        let audited = try await harness.store.auditRecords(after: 0, limit: 10)
        #expect(audited.map(\.action) == [.actionExecuted], "the attempt that was sent is audited, with its outcome")
        #expect(
            audited.first?.detail == [
                "step": "post", "action": run.steps[0].uses.rawValue, "attempt": "1", "outcome": "failure",
                "error": "http 404 from incident-manager",
            ]
        )
        #expect(try await harness.store.verifyAudit().count == 1)
    }

    @Test("a step that outlives timeout_seconds fails with 'timeout after Ns' and the action is stopped")
    func stepTimeout() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("slow", timeout: 1)]))
        harness.executor.hold(step: "slow")
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .failed)
        #expect(run.steps[0].outcome == .failure)
        #expect(run.steps[0].error == "timeout after 1s")
        #expect(run.steps[0].attempts == 1)
    }

    @Test("a step whose action the service account may not use ends forbidden and fails the run unsent")
    func forbiddenStep() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(
                runAs: "remediator",
                steps: [Playbooks.step("rollback", uses: "deploy.rollback"), Playbooks.step("note")]
            )
        )
        let accounts = ServiceAccountPolicy(accounts: ["remediator": [try GlobPattern("incident.*")]])
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker(serviceAccounts: accounts)) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .failed)
        #expect(run.failedStep == StepID(rawValue: "rollback"))
        #expect(run.steps.map(\.outcome) == [.forbidden, .skipped])
        #expect(run.steps[0].error == "forbidden")
        #expect(harness.executor.requests.isEmpty)
        let audited = try await harness.store.auditRecords(after: 0, limit: 10)
        #expect(audited.map(\.action) == [.actionForbidden], "the refusal is audited, and nothing was sent")
        #expect(audited.first?.actor == "service-account:remediator")
        #expect(audited.first?.detail["action"] == "deploy.rollback")
    }

    @Test("ended runs and step durations are counted with bounded labels")
    func metrics() async throws {
        let metrics = TestMetrics()
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("one"), Playbooks.step("two")]))
        harness.executor.answer(step: "two", with: .failed(retryable: false, reason: "http 400 from incident-manager"))
        let event = try await harness.enqueue("evt-1")
        _ = try await harness.running(harness.worker(metricsFactory: metrics)) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        let ended = try metrics.expectCounter("copilot_runs_total", [("playbook", "remediate"), ("status", "failed")])
        #expect(ended.totalValue == 1)
        let success = try metrics.expectTimer(
            "copilot_step_duration_seconds",
            [("action", "incident.update"), ("outcome", "success")]
        )
        #expect(success.values.count == 1)
        let failure = try metrics.expectTimer(
            "copilot_step_duration_seconds",
            [("action", "incident.update"), ("outcome", "failure")]
        )
        #expect(failure.values.count == 1)
        let active = try metrics.expectGauge("copilot_runs_active", [("status", "running")])
        #expect(active.lastValue == 0)
    }

    @Test("a delivery's valid traceparent puts its runs in the sender's trace; an invalid one starts a new trace")
    func incomingTraceparent() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("note")]))
        let sender = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let traced = try await harness.enqueue("evt-1", headers: ["traceparent": sender])
        let untraced = try await harness.enqueue("evt-2", headers: ["traceparent": "00-zz-00-01"])
        let (first, second) = try await harness.running(harness.worker()) {
            (
                try await harness.waitForRun(of: traced) { $0.status.isFinal },
                try await harness.waitForRun(of: untraced) { $0.status.isFinal }
            )
        }
        let joined = try #require(first.traceparent.flatMap(TraceParent.init))
        #expect(joined.traceID == "4bf92f3577b34da6a3ce929d0e0e4736", "the sender's trace")
        #expect(joined.parentID != "00f067aa0ba902b7", "a span of its own in it")
        let call = harness.executor.requests.first { $0.runID == first.id }
        #expect(call?.traceparent?.contains("4bf92f3577b34da6a3ce929d0e0e4736") == true, "its calls too")
        let own = try #require(second.traceparent.flatMap(TraceParent.init))
        #expect(own.traceID != joined.traceID)
    }

    @Test("the backlog gauge counts the runs waiting in the store, pending and awaiting approval")
    func backlogGauge() async throws {
        let metrics = TestMetrics()
        let harness = EngineHarness(Playbooks.playbook(concurrencyLimit: 1, steps: [Playbooks.step("hold")]))
        harness.executor.hold(step: "hold")
        for index in 1...4 { try await harness.enqueue("evt-\(index)") }
        try await harness.running(harness.worker(metricsFactory: metrics)) {
            _ = try await harness.waitForRun(of: EventID(rawValue: "evt-1")) { $0.status == .running }
            // The gauge is counted at most every 5 s of the worker's clock.
            harness.time.advance(by: 6)
            // Three runs wait behind the one running.
            try await eventually {
                (try? metrics.expectGauge("copilot_runs_active", [("status", "pending")]))?.lastValue == 3 ? true : nil
            }
            harness.executor.release(step: "hold")
        }
        let waiting = try metrics.expectGauge("copilot_runs_active", [("status", "awaiting_approval")])
        #expect(waiting.lastValue == 0)
        #expect(try metrics.expectGauge("copilot_inbox_pending", []).lastValue == 0, "every event was matched")
        #expect(try metrics.expectGauge("copilot_inbox_lag_seconds", []).lastValue == 0)
    }
}

extension Playbook {
    /// The playbook listening to other incident types.
    func withTrigger(types: [String]) -> Playbook {
        var playbook = self
        playbook.triggers = [Trigger(source: .incident, types: types)]
        return playbook
    }
}

@Suite("WorkerService: logging", .timeLimit(.minutes(1)))
struct WorkerLoggingTests {
    @Test("step logs carry the run, its trace, playbook, event, step and action as metadata")
    func stepLogMetadata() async throws {
        let logs = LogRecorder()
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("rollback", uses: "deploy.rollback")]))
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker(logger: logs.logger())) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        let finished = try #require(logs.all.first { $0.message == "step finished" })
        #expect(finished.metadata[LogField.runID] == .string(run.id.rawValue))
        #expect(finished.metadata["copilot.playbook"] == "remediate")
        #expect(finished.metadata[LogField.eventID] == "evt-1")
        let trace = try #require(run.traceparent.flatMap(TraceParent.init))
        #expect(finished.metadata[LogField.traceID] == .string(trace.traceID), "the run's trace, on every line")
        #expect(finished.metadata[LogField.spanID] == .string(trace.parentID))
        #expect(finished.metadata["copilot.step.id"] == "rollback")
        #expect(finished.metadata["copilot.action"] == "deploy.rollback")
        #expect(finished.metadata["copilot.step.outcome"] == "success")
        let ended = try #require(logs.all.first { $0.message == "run ended" })
        #expect(ended.level == .info)
        #expect(ended.metadata["copilot.run.status"] == "succeeded")
    }
}
