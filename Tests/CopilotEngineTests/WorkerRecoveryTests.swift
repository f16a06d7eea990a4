import CopilotCore
import CopilotEngine
import CopilotTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite("WorkerService: resume and shutdown", .timeLimit(.minutes(1)))
struct WorkerRecoveryTests {
    @Test("a run whose worker stopped mid-step is resumed elsewhere after the lease expires, with the same key")
    func resumeAfterLeaseExpiry() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("deploy"), Playbooks.step("verify")]))
        harness.executor.hold(step: "deploy")
        let event = try await harness.enqueue("evt-1")
        // Node A sends the step, then dies with it in flight.
        try await harness.running(harness.worker(node: "node-a")) {
            try await eventually { harness.executor.requests(step: "deploy").isEmpty ? nil : true }
        }
        let interrupted = try #require(try await harness.run(of: event))
        #expect(interrupted.status == .running)
        #expect(interrupted.steps[0].isInFlight)
        harness.executor.release(step: "deploy")
        // Node B cannot take it while A's lease holds ...
        let nodeB = harness.worker(node: "node-b")
        let run = try await harness.running(nodeB) {
            try await Task.sleep(for: .milliseconds(150))
            #expect(harness.executor.requests(step: "deploy").count == 1)
            // ... and resumes it once the lease expired.
            harness.time.advance(by: 61)
            nodeB.wake()
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        let sent = harness.executor.requests(step: "deploy")
        #expect(sent.map(\.attempt) == [1, 2])
        #expect(sent.map(\.idempotencyKey) == Array(repeating: "\(run.id.rawValue):deploy", count: 2))
        #expect(run.steps[0].history.map(\.error) == [StepAttempt.interruptedError, nil])
        #expect(harness.executor.requests(step: "verify").count == 1)
    }

    @Test("graceful shutdown lets the executing step finish, saves it, and hands the run back at once")
    func gracefulShutdown() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("deploy"), Playbooks.step("verify")]))
        harness.executor.hold(step: "deploy")
        let event = try await harness.enqueue("evt-1")
        let logs = LogRecorder()
        let group = ServiceGroup(
            services: [harness.worker(node: "node-a", logger: logs.logger())],
            logger: EngineHarness.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await eventually { harness.executor.requests(step: "deploy").isEmpty ? nil : true }
            await group.triggerGracefulShutdown()
            try await eventually { logs.messages.contains { $0.hasPrefix("worker stopping") } ? true : nil }
            harness.executor.release(step: "deploy")
            try await tasks.waitForAll()
        }
        let parked = try #require(try await harness.run(of: event))
        #expect(parked.status == .running)
        #expect(parked.steps.map(\.outcome) == [.success, nil])
        #expect(harness.executor.requests(step: "verify").isEmpty)
        // Released: another node continues without waiting for the lease to expire.
        let run = try await harness.running(harness.worker(node: "node-b")) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        #expect(harness.executor.requests(step: "deploy").count == 1)
        #expect(harness.executor.requests(step: "verify").count == 1)
    }
}
