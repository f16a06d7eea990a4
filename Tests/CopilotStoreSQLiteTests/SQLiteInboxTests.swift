import CopilotCore
import CopilotTesting
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

@Suite(.timeLimit(.minutes(1)))
struct SQLiteInboxTests {
    let logger = Logger(label: "test")

    func delivery(_ deliveryID: String, source: EventSource = .github, eventID: String? = nil) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: eventID ?? "evt-\(deliveryID)-\(UUID().uuidString)"),
            source: source,
            deliveryID: DeliveryID(rawValue: deliveryID),
            type: "push",
            subject: "octo/repo",
            receivedAt: Date(timeIntervalSince1970: 1_764_000_000.25),
            headers: ["x-github-event": "push", "content-type": "application/json"],
            body: Array(#"{"ref":"refs/heads/main"}"#.utf8)
        )
    }

    @Test("stores a delivery and reads it back unchanged")
    func roundTrip() async throws {
        let store = try SQLiteStore(writer: try DatabaseQueue(), logger: logger)
        let original = delivery("d-1", eventID: "e-1")
        #expect(try await store.enqueue(original) == .accepted(EventID(rawValue: "e-1")))
        #expect(try await store.delivery(EventID(rawValue: "e-1")) == original)
        #expect(try await store.delivery(EventID(rawValue: "missing")) == nil)
    }

    @Test("a repeated delivery id answers duplicate with the original event id and stores nothing")
    func duplicate() async throws {
        let store = try SQLiteStore(writer: try DatabaseQueue(), logger: logger)
        _ = try await store.enqueue(delivery("d-1", eventID: "e-1"))
        #expect(try await store.enqueue(delivery("d-1", eventID: "e-2")) == .duplicate(EventID(rawValue: "e-1")))
        #expect(try await store.count() == 1)
    }

    @Test("the stored event of a source and delivery id is found without a write; other pairs are not")
    func storedEventID() async throws {
        let store = try SQLiteStore(writer: try DatabaseQueue(), logger: logger)
        _ = try await store.enqueue(delivery("d-1", source: .github, eventID: "e-1"))
        #expect(
            try await store.storedEventID(source: .github, deliveryID: DeliveryID(rawValue: "d-1"))
                == EventID(rawValue: "e-1")
        )
        #expect(try await store.storedEventID(source: .pagerduty, deliveryID: DeliveryID(rawValue: "d-1")) == nil)
        #expect(try await store.storedEventID(source: .github, deliveryID: DeliveryID(rawValue: "d-2")) == nil)
    }

    @Test("the same delivery id from two sources is two events")
    func perSource() async throws {
        let store = try SQLiteStore(writer: try DatabaseQueue(), logger: logger)
        _ = try await store.enqueue(delivery("same", source: .github))
        _ = try await store.enqueue(delivery("same", source: .pagerduty))
        #expect(try await store.count() == 2)
    }

    /// `delivery(_:)` with a body large enough on its own for the body log (a batch of fewer bytes keeps
    /// its bodies in the database).
    func large(_ deliveryID: String, eventID: String? = nil) -> Delivery {
        var large = delivery(deliveryID, eventID: eventID)
        large.body =
            Array(#"{"k":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: SQLiteStore.smallestLoggedBatch)
            + Array(#""}"#.utf8)
        return large
    }

    /// A new directory under the temporary directory, for a file database and its body log.
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
    }

    @Test("concurrent deliveries, with duplicates racing their originals, are each stored once")
    func concurrentGroupCommit() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, logger: logger)
        let outcomes = try await withThrowingTaskGroup(of: (String, EnqueueOutcome).self) { group in
            for index in 0..<400 {
                // 200 distinct ids, each sent twice at the same time.
                let id = "d-\(index % 200)"
                group.addTask { (id, try await store.enqueue(delivery(id))) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(try await store.count() == 200)
        let byDelivery = Dictionary(grouping: outcomes, by: \.0)
        for (_, pair) in byDelivery {
            let accepted = pair.filter { if case .accepted = $0.1 { true } else { false } }
            #expect(accepted.count == 1)
            #expect(Set(pair.map(\.1.eventID)).count == 1, "the duplicate answers with the original's id")
        }
    }

    @Test("a file database is WAL with synchronous FULL on the writer, and survives reopening")
    func durabilitySettings() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nested/copilot.db").path
        do {
            let store = try SQLiteStore(path: path, logger: logger)
            #expect(try await store.synchronousMode() == 2)
            _ = try await store.enqueue(delivery("d-1", eventID: "e-1"))
        }
        let reopened = try SQLiteStore(path: path, logger: logger)
        #expect(try await reopened.count() == 1)
        let journal = try await DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "PRAGMA journal_mode")
        }
        #expect(journal == "wal")
    }

    @Test("committed deliveries reach the database file through background checkpoints, not the writer's")
    func backgroundCheckpoint() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, logger: logger)
        func fileSize() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        let before = try fileSize()
        for batch in 0..<10 {
            try await withThrowingTaskGroup { group in
                for index in 0..<60 { group.addTask { _ = try await store.enqueue(delivery("d-\(batch)-\(index)")) } }
                try await group.waitForAll()
            }
        }
        // 600 events add a few hundred pages to the WAL: past the checkpointer's interval of 128 pages,
        // far below the writer's own bound of 10,000, so only the checkpointer copies them.
        var after = before
        for _ in 0..<100 where after <= before {
            try await Task.sleep(for: .milliseconds(50))
            after = try fileSize()
        }
        #expect(after > before)
        #expect(try await store.count() == 600)
    }

    @Test("any commit counts towards the next checkpoint, not only deliveries")
    func checkpointAfterOtherWrites() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, logger: logger)
        func fileSize() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        }
        let before = try fileSize()
        // Run-state writes go through the same writer; 20 × 100 KB is ~500 pages.
        for _ in 0..<20 {
            try await store.write("fill") { db in
                try db.execute(
                    sql: "CREATE TABLE IF NOT EXISTS filler (x BLOB); INSERT INTO filler VALUES (zeroblob(100000))"
                )
            }
        }
        var after = before
        for _ in 0..<100 where after < before + 1_000_000 {
            try await Task.sleep(for: .milliseconds(50))
            after = try fileSize()
        }
        #expect(after >= before + 1_000_000)
    }

    @Test("a file store keeps bodies in its log beside the database, written before their rows commit")
    func bodiesInTheLog() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let original = large("d-1", eventID: "e-1")
        do {
            let store = try SQLiteStore(path: path, logger: logger)
            #expect(try await store.enqueue(original) == .accepted(EventID(rawValue: "e-1")))
            #expect(try await store.enqueue(delivery("d-1")) == .duplicate(EventID(rawValue: "e-1")))
        }
        let log = try FileManager.default.contentsOfDirectory(atPath: path + "-bodies")
        #expect(log.sorted() == ["00000001.log", "LOCK"])
        #expect(
            (try FileManager.default.attributesOfItem(atPath: path + "-bodies/00000001.log")[.size] as? Int)
                == original.body.count,
            "the duplicate's body is not written"
        )
        let reopened = try SQLiteStore(path: path, logger: logger)
        #expect(try await reopened.delivery(EventID(rawValue: "e-1")) == original)
        #expect(try await reopened.event(EventID(rawValue: "e-1"))?.delivery == original)
        let inTable = try await DatabaseQueue(path: path).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_bodies")
        }
        #expect(inTable == 0)
    }

    @Test("a small batch keeps its bodies in the database, a large one goes to the log; both read back")
    func smallBatchesInTheTable() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, logger: logger)
        let small = delivery("d-small")
        let big = large("d-large")
        _ = try await store.enqueue(small)
        _ = try await store.enqueue(big)
        #expect(try await store.delivery(small.eventID) == small)
        #expect(try await store.delivery(big.eventID) == big)
        let claimed = try await store.claimEvents(owner: "n", limit: 10, lease: .seconds(30), now: Date())
        #expect(claimed == [small, big])
        let (inTable, inLog) = try await DatabaseQueue(path: path).read { db in
            (
                try String.fetchAll(db, sql: "SELECT e.id FROM events e JOIN event_bodies b ON b.event_seq = e.seq"),
                try String.fetchAll(db, sql: "SELECT id FROM events WHERE body_segment IS NOT NULL")
            )
        }
        #expect(inTable == [small.eventID.rawValue])
        #expect(inLog == [big.eventID.rawValue])
    }

    @Test("a claim reads from the body log only the bodies the caller needs")
    func claimWithoutBodies() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("copilot.db").path, logger: logger)
        let needed = large("d-needed")
        var skipped = large("d-skipped")
        skipped.type = "issues"
        _ = try await store.enqueue(needed)
        _ = try await store.enqueue(skipped)
        let claimed = try await store.claimEvents(owner: "n", limit: 10, lease: .seconds(30), now: Date()) { _, type in
            type == needed.type
        }
        #expect(claimed.map(\.eventID) == [needed.eventID, skipped.eventID])
        #expect(claimed.first?.body == needed.body)
        #expect(claimed.last?.body == [])
        #expect(try await store.delivery(skipped.eventID) == skipped)
    }

    @Test("an event whose body is gone is recorded unmatched when claimed, and the others go on")
    func missingBody() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let lost = large("d-lost")
        do {
            let store = try SQLiteStore(path: path, logger: logger)
            _ = try await store.enqueue(lost)
        }
        try FileManager.default.removeItem(atPath: path + "-bodies/00000001.log")
        let store = try SQLiteStore(path: path, logger: logger)
        let kept = large("d-kept")
        _ = try await store.enqueue(kept)
        #expect(kept.eventID != lost.eventID)
        let claimed = try await store.claimEvents(owner: "n", limit: 10, lease: .seconds(30), now: Date())
        #expect(claimed == [kept], "the new body went to a new segment, not over the lost one's place")
        #expect(try await store.claimEvents(owner: "n", limit: 10, lease: .seconds(30), now: Date()).isEmpty)
        let state = try await DatabaseQueue(path: path).read { db in
            try String.fetchOne(
                db,
                sql: "SELECT match_state FROM events WHERE id = ?",
                arguments: [lost.eventID.rawValue]
            )
        }
        #expect(state == "unmatched")
    }

    @Test("a store in use is not opened a second time, which would append over its bodies")
    func inUse() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, logger: logger)
        #expect(throws: StoreError.inUse(path: path)) { try SQLiteStore(path: path, logger: logger) }
        let first = delivery("d-1")
        #expect(try await store.enqueue(first) == .accepted(first.eventID), "the first store still works")
    }

    @Test("a batch whose bodies cannot be written is refused whole, and the store goes on afterwards")
    func failingBodyLog() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("copilot.db").path
        let store = try SQLiteStore(path: path, bodySegmentLimit: 1, logger: logger)
        _ = try await store.enqueue(large("d-1"))
        // The next batch needs a new segment file, and the log's directory is gone.
        try FileManager.default.removeItem(atPath: path + "-bodies")
        await #expect(throws: InboxError.unavailable) { try await store.enqueue(large("d-2")) }
        #expect(try await store.count() == 1, "no row without its body")
        try FileManager.default.createDirectory(atPath: path + "-bodies", withIntermediateDirectories: false)
        let retried = large("d-2")
        #expect(try await store.enqueue(retried) == .accepted(retried.eventID), "the retry is not a duplicate")
        #expect(try await store.delivery(retried.eventID) == retried)
    }

    @Test("a failing commit fails every delivery of its batch and stores none")
    func failingCommit() async throws {
        let queue = try DatabaseQueue()
        let store = try SQLiteStore(writer: queue, logger: logger)
        try await queue.write { db in try db.execute(sql: "DROP TABLE events") }
        await #expect(throws: InboxError.unavailable) { try await store.enqueue(delivery("d-1")) }
    }
}
