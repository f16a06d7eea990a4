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
}
