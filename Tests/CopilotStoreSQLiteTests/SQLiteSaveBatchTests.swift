import CopilotCore
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

@Suite struct SQLiteSaveBatchTests {
    @Test("saves batched into one transaction commit each save that holds its lease, refuse the others")
    func batch() async throws {
        let queue = try DatabaseQueue()
        let store = try SQLiteStore(writer: queue, logger: Logger(label: "test"))
        let t0 = Date(timeIntervalSince1970: 1_764_000_000)
        var claims: [ClaimedRun] = []
        for name in ["a", "b", "c"] {
            _ = try await store.enqueue(
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
            )
            let run = Run(
                id: RunID(rawValue: "run-\(name)"),
                eventID: EventID(rawValue: "evt-\(name)"),
                playbook: PlaybookName(rawValue: "checks"),
                createdAt: t0,
                steps: [RunStep(id: StepID(rawValue: "tests"), uses: "testbench.run")]
            )
            _ = try await store.recordMatch(
                MatchRecord(eventID: run.eventID, at: t0, runs: [.init(run: run)], notMatched: [])
            )
            claims.append(try #require(try await store.claimRun(owner: "w", lease: .seconds(60), now: t0)))
        }
        var saves = claims.map { claimed in
            var run = claimed.run
            run.status = .running
            return SQLiteStore.RunSave(run: run, lease: claimed.lease, release: false)
        }
        saves[1].lease = RunLease(runID: saves[1].run.id, owner: "someone-else", expiresAt: t0)
        let results = await SQLiteStore.save(saves, to: queue, logger: Logger(label: "test"))
        #expect(results.map { (try? $0.get())?.status } == [.running, nil, .running])
        #expect(results[1] == .failure(.conflict))
        #expect(try await store.run(RunID(rawValue: "run-a"))?.status == .running)
        #expect(try await store.run(RunID(rawValue: "run-b"))?.status == .planning, "the refused save wrote nothing")
        #expect(try await store.run(RunID(rawValue: "run-c"))?.status == .running)
    }
}
