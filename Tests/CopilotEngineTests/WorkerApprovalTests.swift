import CopilotCore
import CopilotEngine
import CopilotTesting
import Foundation
import Testing

@Suite("WorkerService: approvals and cancellation", .timeLimit(.minutes(1)))
struct WorkerApprovalTests {
    static func approvalPlaybook(timeout: Int? = nil) -> Playbook {
        Playbooks.playbook(steps: [
            Playbooks.step("diagnose"),
            Playbooks.step("rollback", approval: .required, approvalTimeout: timeout),
            Playbooks.step("verify"),
            Playbooks.step("report", if: "${{ always() }}"),
        ])
    }

    @Test("a step needing approval parks the run and runs only once approved")
    func approved() async throws {
        let harness = EngineHarness(Self.approvalPlaybook())
        let event = try await harness.enqueue("evt-1")
        let worker = harness.worker()
        let run = try await harness.running(worker) {
            let waiting = try await harness.waitForRun(of: event) { $0.status == .awaitingApproval }
            #expect(waiting.stepAwaitingApproval == StepID(rawValue: "rollback"))
            #expect(waiting.wakeAt == nil)
            #expect(harness.executor.requests.map(\.stepID.rawValue) == ["diagnose"])
            let decision = ApprovalDecision(decision: .approved, by: "alice", comment: "go", at: harness.time.now)
            _ = try await harness.store.decideApproval(
                waiting.id,
                decision: decision,
                audit: .decision(decision, run: waiting.id)
            )
            worker.wake()
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        #expect(harness.executor.requests.map(\.stepID.rawValue) == ["diagnose", "rollback", "verify", "report"])
        #expect(run.steps[1].approval?.by == "alice")
    }

    @Test("a rejection skips the remaining steps except always() ones and ends the run rejected")
    func rejected() async throws {
        let harness = EngineHarness(Self.approvalPlaybook())
        let event = try await harness.enqueue("evt-1")
        let worker = harness.worker()
        let run = try await harness.running(worker) {
            let waiting = try await harness.waitForRun(of: event) { $0.status == .awaitingApproval }
            let decision = ApprovalDecision(decision: .rejected, by: "bob", at: harness.time.now)
            _ = try await harness.store.decideApproval(
                waiting.id,
                decision: decision,
                audit: .decision(decision, run: waiting.id)
            )
            worker.wake()
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .rejected)
        #expect(run.steps.map(\.outcome) == [.success, .skipped, .skipped, .success])
        #expect(harness.executor.requests.map(\.stepID.rawValue) == ["diagnose", "report"])
    }

    @Test("approval_timeout_seconds running out rejects the run, decided by timeout")
    func approvalTimeout() async throws {
        let harness = EngineHarness(Self.approvalPlaybook(timeout: 60))
        let event = try await harness.enqueue("evt-1")
        let worker = harness.worker()
        let run = try await harness.running(worker) {
            let waiting = try await harness.waitForRun(of: event) { $0.status == .awaitingApproval }
            #expect(waiting.wakeAt == harness.time.now.addingTimeInterval(60))
            harness.time.advance(by: 61)
            worker.wake()
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .rejected)
        #expect(run.steps[1].approval?.by == ApprovalDecision.timeoutDecider)
        #expect(run.steps.map(\.outcome) == [.success, .skipped, .skipped, .success])
        #expect(harness.executor.requests(step: "rollback").isEmpty)
    }

    @Test("cancelling a run mid-step stops the action, skips the rest except always(), and ends it cancelled")
    func cancelMidStep() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(steps: [
                Playbooks.step("long"),
                Playbooks.step("next"),
                Playbooks.step("report", if: "${{ cancelled() }}"),
            ])
        )
        harness.executor.hold(step: "long")
        let event = try await harness.enqueue("evt-1")
        let run = try await harness.running(harness.worker()) {
            try await eventually { harness.executor.requests(step: "long").isEmpty ? nil : true }
            let running = try #require(try await harness.run(of: event))
            _ = try await harness.store.cancelRun(
                running.id,
                at: harness.time.now,
                audit: .cancellation(run: running.id, by: "alice", comment: nil, at: harness.time.now)
            )
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .cancelled)
        #expect(run.steps.map(\.outcome) == [.cancelled, .skipped, .success])
        #expect(harness.executor.requests.map(\.stepID.rawValue) == ["long", "report"])
    }

    @Test("cancelling a run that awaits approval ends it cancelled without running the step")
    func cancelWhileAwaitingApproval() async throws {
        let harness = EngineHarness(Self.approvalPlaybook())
        let event = try await harness.enqueue("evt-1")
        let worker = harness.worker()
        let run = try await harness.running(worker) {
            let waiting = try await harness.waitForRun(of: event) { $0.status == .awaitingApproval }
            _ = try await harness.store.cancelRun(
                waiting.id,
                at: harness.time.now,
                audit: .cancellation(run: waiting.id, by: "alice", comment: nil, at: harness.time.now)
            )
            worker.wake()
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .cancelled)
        #expect(run.steps.map(\.outcome) == [.success, .skipped, .skipped, .success])
        #expect(harness.executor.requests.map(\.stepID.rawValue) == ["diagnose", "report"])
    }
}
