import CopilotCore
import CopilotEngine
import CopilotTesting
import Foundation
import Testing

@Suite("WorkerService: concurrency, cooldown and wake-ups", .timeLimit(.minutes(1)))
struct WorkerSchedulingTests {
    @Test("with concurrency limit 1, a second run for the same key stays pending until the first ends")
    func concurrencyKeyLimit() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(concurrencyLimit: 1, steps: [Playbooks.step("hold"), Playbooks.step("done")])
        )
        harness.executor.hold(step: "hold")
        let first = try await harness.enqueue("evt-1")
        let second = try await harness.enqueue("evt-2")
        let (firstRun, secondRun) = try await harness.running(harness.worker(concurrency: 4)) {
            try await eventually { harness.executor.requests(step: "hold").isEmpty ? nil : true }
            let waiting = try await harness.waitForRun(of: second) { $0.status == .pending }
            // Several polls pass while the first run holds the key's only slot.
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await harness.run(of: second)?.status == .pending)
            #expect(harness.executor.requests(step: "hold").count == 1)
            harness.executor.release(step: "hold")
            let firstRun = try await harness.waitForRun(of: first) { $0.status.isFinal }
            let secondRun = try await harness.waitForRun(of: second) { $0.status.isFinal }
            #expect(waiting.concurrencyKey == "payments")
            return (firstRun, secondRun)
        }
        #expect(firstRun.status == .succeeded)
        #expect(secondRun.status == .succeeded)
        let holds = harness.executor.requests(step: "hold").map(\.runID)
        #expect(holds == [firstRun.id, secondRun.id])
        let secondStart = try #require(secondRun.steps[0].startedAt)
        let firstEnd = try #require(firstRun.steps[1].finishedAt)
        #expect(secondStart >= firstEnd)
    }

    @Test("workers.concurrency bounds the runs a node executes at once")
    func workerConcurrency() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("hold")]))
        harness.executor.hold(step: "hold")
        let first = try await harness.enqueue("evt-1", subject: "payments")
        let second = try await harness.enqueue("evt-2", subject: "checkout")
        try await harness.running(harness.worker(concurrency: 1)) {
            try await eventually { harness.executor.requests.isEmpty ? nil : true }
            _ = try await harness.waitForRun(of: second) { $0.status == .pending }
            try await Task.sleep(for: .milliseconds(200))
            #expect(harness.executor.requests.count == 1)
            #expect(try await harness.run(of: second)?.status == .pending)
            harness.executor.release(step: "hold")
            _ = try await harness.waitForRun(of: first) { $0.status == .succeeded }
            _ = try await harness.waitForRun(of: second) { $0.status == .succeeded }
        }
        #expect(harness.executor.requests.count == 2)
    }

    @Test("a match within cooldown_seconds of the last run for its key starts no run; the reason is cooldown")
    func cooldown() async throws {
        let harness = EngineHarness(
            Playbooks.playbook(concurrencyLimit: 1, cooldownSeconds: 600, steps: [Playbooks.step("act")])
        )
        let first = try await harness.enqueue("evt-1")
        let second = try await harness.enqueue("evt-2")
        let other = try await harness.enqueue("evt-3", subject: "checkout")
        let record = try await harness.running(harness.worker()) {
            _ = try await harness.waitForRun(of: first) { $0.status.isFinal }
            _ = try await harness.waitForRun(of: other) { $0.status.isFinal }
            return try await eventually {
                let record = try await harness.store.event(second)
                return record?.matchState == .pending ? nil : record
            }
        }
        #expect(record.matchState == .unmatched)
        #expect(record.runs.isEmpty)
        #expect(
            record.reasons == [
                MatchResult.NotMatched(
                    playbook: PlaybookName(rawValue: "remediate"),
                    reason: MatchRecord.cooldownReason
                )
            ]
        )
        #expect(harness.executor.requests.count == 2)
    }

    @Test("wake() starts work at once instead of at the next poll")
    func wakeStartsWorkPromptly() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("act")]))
        let logs = LogRecorder()
        let worker = harness.worker(pollInterval: .seconds(60), logger: logs.logger())
        let passes = { @Sendable in logs.messages.count { $0 == "matching pass" } }
        try await harness.running(worker) {
            // The first pass finds nothing; the next poll is a minute away.
            try await eventually { passes() >= 1 ? true : nil }
            let event = try await harness.enqueue("evt-1")
            try await Task.sleep(for: .milliseconds(200))
            #expect(passes() == 1)
            #expect(try await harness.store.event(event)?.matchState == .pending)
            let woken = ContinuousClock.now
            worker.wake()
            let run = try await harness.waitForRun(of: event, within: .seconds(5)) { $0.status.isFinal }
            #expect(run.status == .succeeded)
            #expect(ContinuousClock.now - woken < .seconds(5))
        }
    }

    @Test("the loop survives an unavailable store and carries on once it answers again")
    func survivesUnavailableStore() async throws {
        let harness = EngineHarness(Playbooks.playbook(steps: [Playbooks.step("act")]))
        let event = try await harness.enqueue("evt-1")
        await harness.store.setFailing(true)
        let run = try await harness.running(harness.worker()) {
            try await Task.sleep(for: .milliseconds(150))
            await harness.store.setFailing(false)
            return try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .succeeded)
        #expect(harness.executor.requests.count == 1)
    }

    @Test("a run whose playbook is no longer loaded ends failed with the reason on its first step")
    func missingPlaybook() async throws {
        let playbook = Playbooks.playbook(steps: [Playbooks.step("one"), Playbooks.step("two")])
        let harness = EngineHarness(playbook)
        let event = try await harness.enqueue("evt-1")
        let newRun = try playbook.newRun(
            id: RunID(rawValue: "run-1"),
            for: try await harness.event(event),
            at: harness.time.now
        )
        _ = try await harness.store.recordMatch(
            MatchRecord(eventID: event, at: harness.time.now, runs: [newRun], notMatched: [])
        )
        harness.registry.install(PlaybookSet(), at: harness.time.now)
        let run = try await harness.running(harness.worker()) {
            try await harness.waitForRun(of: event) { $0.status.isFinal }
        }
        #expect(run.status == .failed)
        #expect(run.failedStep == StepID(rawValue: "one"))
        #expect(run.steps.map(\.outcome) == [.failure, .skipped])
        #expect(run.steps[0].error == "playbook 'remediate' is not loaded")
        #expect(harness.executor.requests.isEmpty)
    }
}

extension EngineHarness {
    /// The stored event, rebuilt.
    func event(_ id: EventID) async throws -> Event {
        let delivery = try #require(try await store.delivery(id))
        return try delivery.event()
    }
}
