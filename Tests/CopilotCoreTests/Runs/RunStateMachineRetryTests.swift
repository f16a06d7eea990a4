import CopilotCore
import CopilotTesting
import Foundation
import Testing

@Suite struct RunStateMachineRetryTests {
    typealias F = RunFixtures

    @Test("a retry waits the jittered exponential backoff, recorded as wakeAt")
    func retryScheduling() throws {
        let retry = StepRetry(attempts: 4, backoffSeconds: 2, maxBackoffSeconds: 5)
        var machine = F.machine([F.step("a", retry: retry)])
        var random = SeededGenerator(seed: 11)
        var now = F.t0
        for failure in 1...3 {
            guard case .runStep(let invocation) = machine.next(at: now) else { throw Failure.unexpected }
            #expect(invocation.attempt == failure && invocation.idempotencyKey == "run-1:a")
            try machine.apply(
                .stepFinished(invocation.step, outcome: .failure, outputs: nil, error: "http 503", retryable: true),
                at: now,
                using: &random
            )
            let wakeAt = try #require(machine.run.wakeAt)
            let bounds = StepBackoff(retry).bounds(afterFailures: failure)
            let delay = wakeAt.timeIntervalSince(now)
            #expect(bounds.contains(delay), "failure \(failure): \(delay)s within \(bounds)")
            guard case .retry(_, let after) = machine.next(at: now) else { throw Failure.unexpected }
            #expect(abs(Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18 - delay) < 0.001)
            now = wakeAt
        }
        #expect(machine.run.steps[0].outcome == nil && machine.run.steps[0].attempts == 3)
    }

    @Test("a step left in flight by a crash is sent again with the same key")
    func resumeAfterCrash() throws {
        var machine = F.machine([F.step("a"), F.step("b")])
        guard case .runStep(let first) = machine.next(at: F.t0) else { throw Failure.unexpected }
        // The worker persisted `machine.run` and crashed while sending; a new worker resumes it.
        let playbook = F.playbook([F.step("a"), F.step("b")])
        var resumed = RunStateMachine(run: machine.run, playbook: playbook, event: F.event)
        guard case .runStep(let again) = resumed.next(at: F.t0 + 100) else { throw Failure.unexpected }
        #expect(again.idempotencyKey == first.idempotencyKey)
        #expect(again.attempt == 2)
        #expect(resumed.run.steps[0].history[0].error == StepAttempt.interruptedError)
        #expect(resumed.run.steps[0].history[0].finishedAt == F.t0 + 100)
    }

    /// (failures so far, nominal delay) for backoff 2s capped at 60s.
    static let nominal: [(Int, Double)] = [(1, 2), (2, 4), (3, 8), (4, 16), (5, 32), (6, 60), (40, 60)]

    @Test("backoff doubles from backoff_seconds up to max_backoff_seconds", arguments: nominal)
    func backoff(failures: Int, expected: Double) {
        let backoff = StepBackoff(StepRetry(attempts: 10, backoffSeconds: 2, maxBackoffSeconds: 60))
        #expect(backoff.nominalDelay(afterFailures: failures) == expected)
        let bounds = backoff.bounds(afterFailures: failures)
        #expect(bounds.lowerBound == expected * 0.8 && bounds.upperBound == min(expected * 1.2, 60))
        var random = SeededGenerator(seed: UInt64(failures))
        for _ in 0..<50 {
            let delay = backoff.delay(afterFailures: failures, using: &random)
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
            #expect(bounds.lowerBound - 0.001 <= seconds && seconds <= bounds.upperBound + 0.001)
        }
    }

    @Test("retry.attempts counts every attempt: 1 means no retry")
    func allowsRetry() {
        #expect(!StepBackoff(StepRetry()).allowsRetry(afterFailures: 1))
        #expect(StepBackoff(StepRetry(attempts: 3)).allowsRetry(afterFailures: 2))
        #expect(!StepBackoff(StepRetry(attempts: 3)).allowsRetry(afterFailures: 3))
    }

    enum Failure: Error { case unexpected }
}
