import CopilotCore
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

/// Claims cost the same with 10 or 100,000 runs waiting (issue 13): a run parked behind its concurrency
/// key is not looked at until a run of its key ends.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteClaimQueueTests {
    let logger = Logger(label: "test")
    let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    /// An in-memory store holding `count` pending runs of playbook `storm`, key `checkout`, limit
    /// `limit`, created in one batch of events (as a storm arrives).
    func storm(_ count: Int, limit: Int = 1) async throws -> (SQLiteStore, DatabaseQueue) {
        let queue = try DatabaseQueue()
        let store = try SQLiteStore(writer: queue, logger: logger)
        var records: [MatchRecord] = []
        for index in 0..<count {
            let event = "evt-\(index)"
            _ = try await store.enqueue(
                Delivery(
                    eventID: EventID(rawValue: event),
                    source: .alertmanager,
                    deliveryID: DeliveryID(rawValue: "d-\(index)"),
                    type: "alert.firing",
                    subject: "checkout",
                    receivedAt: t0,
                    headers: [:],
                    body: Array("{}".utf8)
                )
            )
            let run = Run(
                id: RunID(rawValue: String(format: "run-%06d", index)),
                eventID: EventID(rawValue: event),
                playbook: PlaybookName(rawValue: "storm"),
                createdAt: t0,
                concurrencyKey: "checkout",
                concurrencyLimit: limit,
                steps: [RunStep(id: StepID(rawValue: "tests"), uses: "testbench.run")]
            )
            records.append(
                MatchRecord(eventID: EventID(rawValue: event), at: t0, runs: [.init(run: run)], notMatched: [])
            )
        }
        for batch in stride(from: 0, to: records.count, by: 500) {
            _ = try await store.recordMatches(Array(records[batch..<min(batch + 500, records.count)]))
        }
        return (store, queue)
    }

    func claimable(_ queue: DatabaseQueue) async throws -> Int {
        try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE claimable = 1") ?? -1 }
    }

    @Test("a claim is planned on the claimable index, never on a scan of the runs")
    func claimUsesIndex() async throws {
        let (_, queue) = try await storm(3)
        let plan = try await queue.read { db in
            let candidate = SQLiteStore.claimCandidate(now: t0)
            let (sql, arguments) = try candidate.build(db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("USING INDEX runs_ready") }, "\(plan)")
        #expect(plan.contains { $0.contains("USING INDEX runs_timed") }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN runs") && !$0.contains("INDEX") }, "\(plan)")
    }

    @Test("with 2,000 runs behind one key, one is claimable at a time, in order, each when the one before ends")
    func stormDrainsInOrder() async throws {
        let (store, queue) = try await storm(2_000)
        #expect(try await claimable(queue) == 1, "the backlog is parked: a claim looks at one run")
        var now = t0
        for expected in 0..<5 {
            now += 1
            let claimed = try #require(try await store.claimRun(owner: "w", lease: .seconds(60), now: now))
            #expect(claimed.run.id.rawValue == String(format: "run-%06d", expected))
            #expect(try await store.claimRun(owner: "w", lease: .seconds(60), now: now) == nil, "limit 1")
            #expect(try await claimable(queue) == 1, "only the run in flight")
            var ended = claimed.run
            ended.status = .succeeded
            _ = try await store.save(ended, lease: claimed.lease, release: true)
            #expect(try await claimable(queue) == 1, "the next one took the slot")
        }
    }

    @Test("a limit of 3 keeps three slots busy; a cancelled parked run is claimable to be finished")
    func slotsAndCancel() async throws {
        let (store, queue) = try await storm(50, limit: 3)
        #expect(try await claimable(queue) == 3)
        let claims = try await store.claimRuns(owner: "w", limit: 10, lease: .seconds(60), now: t0 + 1)
        #expect(claims.map(\.run.id.rawValue) == ["run-000000", "run-000001", "run-000002"])
        let parked = RunID(rawValue: "run-000040")
        _ = try await store.cancelRun(
            parked,
            at: t0 + 2,
            audit: .cancellation(run: parked, by: "alice", comment: nil, at: t0 + 2)
        )
        let cancelled = try await store.claimRuns(owner: "w", limit: 10, lease: .seconds(60), now: t0 + 3)
        #expect(cancelled.map(\.run.id) == [parked], "claimed to be finished as cancelled, though its key is full")
        var done = cancelled[0].run
        done.status = .cancelled
        _ = try await store.save(done, lease: cancelled[0].lease, release: true)
        var first = claims[0].run
        first.status = .failed
        _ = try await store.save(first, lease: claims[0].lease, release: true)
        let next = try await store.claimRuns(owner: "w", limit: 10, lease: .seconds(60), now: t0 + 4)
        #expect(next.map(\.run.id.rawValue) == ["run-000003"], "one slot freed, the oldest parked run takes it")
    }

    @Test("a database from before the claim queue parks its waiting runs when migrated")
    func migration() async throws {
        let queue = try DatabaseQueue()
        try SQLiteStore.migrator.migrate(queue, upTo: "v7-audit")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers)
                    VALUES ('e1', 'alertmanager', 'd1', 'alert.firing', 'checkout', 0, '{}'),
                        ('e2', 'alertmanager', 'd2', 'alert.firing', 'checkout', 0, '{}'),
                        ('e3', 'alertmanager', 'd3', 'alert.firing', 'checkout', 0, '{}'),
                        ('e4', 'alertmanager', 'd4', 'alert.firing', 'checkout', 0, '{}'),
                        ('e5', 'alertmanager', 'd5', 'alert.firing', 'checkout', 0, '{}'),
                        ('e6', 'alertmanager', 'd6', 'alert.firing', 'checkout', 0, '{}');
                    INSERT INTO runs (id, event_id, playbook, status, planner, created_at, updated_at,
                        concurrency_key, concurrency_limit)
                    VALUES ('r1', 'e1', 'a', 'running', 'playbook', 0, 0, 'k', 2),
                        ('r2', 'e2', 'a', 'pending', 'playbook', 0, 0, 'k', 2),
                        ('r3', 'e3', 'a', 'pending', 'playbook', 0, 0, NULL, NULL),
                        ('r4', 'e4', 'a', 'succeeded', 'playbook', 0, 0, NULL, NULL),
                        ('r5', 'e5', 'a', 'pending', 'playbook', 0, 0, 'k', 2),
                        ('r6', 'e6', 'a', 'pending', 'playbook', 0, 0, 'k', 2);
                    """
            )
        }
        _ = try SQLiteStore(writer: queue, logger: logger)
        let state = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, parked, claimable FROM runs ORDER BY seq").map {
                "\($0["id"] as String):\($0["parked"] as Int)\($0["claimable"] as Int)"
            }
        }
        // r1 holds one of key k's two slots, r2 takes the other; r5 and r6 wait. r3 has no key.
        #expect(state == ["r1:01", "r2:01", "r3:01", "r4:00", "r5:10", "r6:10"])
    }

    @Test("runs waiting for their backoff are not looked at before their time, then come in wake order")
    func timedRuns() async throws {
        let (store, queue) = try await storm(300, limit: 1000)
        let claimed = try await store.claimRuns(owner: "w", limit: 300, lease: .seconds(60), now: t0 + 1)
        #expect(claimed.count == 300)
        for (index, claim) in claimed.enumerated() {
            var backingOff = claim.run
            backingOff.status = .running
            backingOff.wakeAt = t0 + 100 + Double(300 - index)  // the newest wakes first
            _ = try await store.save(backingOff, lease: claim.lease, release: true)
        }
        #expect(try await store.claimRuns(owner: "w", limit: 10, lease: .seconds(60), now: t0 + 50).isEmpty)
        let due = try await store.claimRuns(owner: "w", limit: 2, lease: .seconds(60), now: t0 + 102)
        #expect(due.map(\.run.id.rawValue) == ["run-000299", "run-000298"], "earliest wake first")
        let plan = try await queue.read { db in
            let (sql, arguments) = try SQLiteStore.claimCandidate(now: t0 + 50).build(db)
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map {
                $0["detail"] as String
            }
        }
        #expect(plan.contains { $0.contains("runs_timed") && $0.contains("wake_at") }, "a range of wake_at: \(plan)")
    }
}
