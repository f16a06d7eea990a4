import CopilotCore
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

@Suite struct SQLiteMigrationTests {
    @Test("a database made before bodies had their own table keeps every event, body and match state")
    func movesBodies() async throws {
        let queue = try DatabaseQueue()
        try SQLiteStore.migrator.migrate(queue, upTo: "v2-runs")
        let body = Array(#"{"action":"opened","number":7}"#.utf8)
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers, body, match_state)
                    VALUES ('evt-1', 'github', 'd-1', 'pull_request.opened', 'octo/repo', 1764000000.5,
                        '{"content-type":"application/json"}', ?, 'unmatched')
                    """,
                arguments: [Data(body)]
            )
        }
        let store = try SQLiteStore(writer: queue, logger: Logger(label: "test"))
        let delivery = try #require(try await store.delivery(EventID(rawValue: "evt-1")))
        #expect(delivery.body == body)
        #expect(delivery.type == "pull_request.opened")
        #expect(try await store.event(EventID(rawValue: "evt-1"))?.matchState == .unmatched)
        let columns = try await queue.read { db in try db.columns(in: "events").map(\.name) }
        #expect(!columns.contains("body"))
    }

    @Test("a file database from before the body log reads its old bodies from the table and logs new ones")
    func bodyLogAfterTable() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("copilot.db").path
        let old = Array(#"{"before":"v4"}"#.utf8)
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteStore.migrator.migrate(queue, upTo: "v3-event-bodies")
            try await queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers)
                        VALUES ('evt-old', 'github', 'd-old', 'push', 'octo/repo', 1764000000, '{}');
                        INSERT INTO event_bodies (event_seq, body) SELECT seq, ? FROM events;
                        """,
                    arguments: [Data(old)]
                )
            }
        }
        let store = try SQLiteStore(path: path, logger: Logger(label: "test"))
        #expect(try await store.delivery(EventID(rawValue: "evt-old"))?.body == old)
        let new = Delivery(
            eventID: EventID(rawValue: "evt-new"),
            source: .github,
            deliveryID: DeliveryID(rawValue: "d-new"),
            type: "push",
            subject: "octo/repo",
            receivedAt: Date(timeIntervalSince1970: 1_764_000_001),
            headers: [:],
            // Large enough on its own for the body log.
            body: Array(#"{"after":""#.utf8)
                + Array(repeating: UInt8(ascii: "x"), count: SQLiteStore.smallestLoggedBatch)
                + Array(#""}"#.utf8)
        )
        _ = try await store.enqueue(new)
        #expect(try await store.delivery(new.eventID) == new)
        let claimed = try await store.claimEvents(owner: "n", limit: 10, lease: .seconds(30), now: Date())
        #expect(claimed.map(\.body) == [old, new.body], "claimed bodies differ")
        let logged = try await DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT id FROM events WHERE body_segment IS NOT NULL")
        }
        #expect(logged == ["evt-new"])
    }
}
