import CopilotCore
import CopilotTesting
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

/// What only the SQLite backend can show: durability across reopening, and concurrent claimers.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteRunStoreTests {
    let logger = Logger(label: "test")
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    func delivery(_ name: String) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: "evt-\(name)"),
            source: .github,
            deliveryID: DeliveryID(rawValue: name),
            type: "push",
            subject: "octo/repo",
            receivedAt: t0,
            headers: [:],
            body: Array("{}".utf8)
        )
    }

    func run(_ id: String, event: String) -> Run {
        Run(
            id: RunID(rawValue: id),
            eventID: EventID(rawValue: "evt-\(event)"),
            playbook: PlaybookName(rawValue: "checks"),
            createdAt: t0,
            steps: [RunStep(id: StepID(rawValue: "tests"), uses: "testbench.run")]
        )
    }

    @Test("runs, their attempts and the match result survive reopening the file")
    func reopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reopen-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm", "-bodies"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        do {
            let store = try SQLiteStore(path: path, logger: logger)
            _ = try await store.enqueue(delivery("a"))
            _ = try await store.recordMatch(
                MatchRecord(
                    eventID: EventID(rawValue: "evt-a"),
                    at: t0,
                    runs: [.init(run: run("run-1", event: "a"))],
                    notMatched: []
                )
            )
            let claimed = try #require(try await store.claimRun(owner: "crashed", lease: .seconds(30), now: t0))
            var inFlight = claimed.run
            inFlight.status = .running
            inFlight.steps[0].history = [StepAttempt(number: 1, startedAt: t0)]
            _ = try await store.save(inFlight, lease: claimed.lease, release: false)
        }
        let reopened = try SQLiteStore(path: path, logger: logger)
        let event = try #require(try await reopened.event(EventID(rawValue: "evt-a")))
        #expect(event.matchState == .matched)
        #expect(event.delivery == delivery("a"))
        let resumed = try #require(
            try await reopened.claimRun(owner: "restarted", lease: .seconds(30), now: t0.addingTimeInterval(31))
        )
        #expect(resumed.run.steps[0].isInFlight)
        #expect(resumed.run.idempotencyKey(for: StepID(rawValue: "tests")) == "run-1:tests")
    }

    @Test("concurrent claimers never get the same run")
    func concurrentClaims() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("claims-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm", "-bodies"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteStore(path: path, logger: logger)
        for index in 0..<20 {
            _ = try await store.enqueue(delivery("e\(index)"))
            _ = try await store.recordMatch(
                MatchRecord(
                    eventID: EventID(rawValue: "evt-e\(index)"),
                    at: t0,
                    runs: [.init(run: run("run-\(index)", event: "e\(index)"))],
                    notMatched: []
                )
            )
        }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mine: [String] = []
                    while let claim = try await store.claimRun(owner: "w\(worker)", lease: .seconds(60), now: t0) {
                        mine.append(claim.run.id.rawValue)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 20)
        #expect(Set(claimed).count == 20)
    }

    @Test("saves batched into one transaction commit each save that holds its lease, refuse the others")
    func saveBatch() async throws {
        let queue = try DatabaseQueue()
        let store = try SQLiteStore(writer: queue, logger: logger)
        var claims: [ClaimedRun] = []
        for name in ["a", "b", "c"] {
            _ = try await store.enqueue(delivery(name))
            _ = try await store.recordMatch(
                MatchRecord(
                    eventID: EventID(rawValue: "evt-\(name)"),
                    at: t0,
                    runs: [.init(run: run("run-\(name)", event: name))],
                    notMatched: []
                )
            )
            claims.append(try #require(try await store.claimRun(owner: "w", lease: .seconds(60), now: t0)))
        }
        var saves = claims.map { claimed in
            var run = claimed.run
            run.status = .running
            let entry = AuditEntry(at: t0, actor: "w", action: .actionExecuted, target: "run:\(run.id.rawValue)")
            return RunSave(run: run, lease: claimed.lease, release: false, audit: [entry])
        }
        saves[1].lease = RunLease(runID: saves[1].run.id, owner: "someone-else", expiresAt: t0)
        let results = await withCheckedContinuation { continuation in
            SQLiteStore.save(saves, to: queue, logger: logger) { continuation.resume(returning: $0) }
        }
        #expect(results.map { (try? $0.get())?.status } == [.running, nil, .running])
        #expect(results[1] == .failure(.conflict))
        #expect(try await store.run(RunID(rawValue: "run-a"))?.status == .running)
        #expect(try await store.run(RunID(rawValue: "run-b"))?.status == .planning, "the refused save wrote nothing")
        #expect(try await store.run(RunID(rawValue: "run-c"))?.status == .running)
        let audited = try await store.auditRecords(after: 0, limit: 10).map(\.target)
        #expect(audited == ["run:run-a", "run:run-c"], "the refused save's audit record is not written either")
    }
}
