public import CopilotCore
import Foundation
import GRDB

extension SQLiteStore {
    public func events(_ query: EventQuery) async throws(RunStoreError) -> EventPage {
        let before = try query.cursor.map { (text) throws(RunStoreError) in try RunCursor(text: text).sequence }
        let limit = query.effectiveLimit
        return try await read("list events") { db in
            var sql: SQL = """
                SELECT seq, id, source, type, subject, delivery_id, received_at, match_state FROM events WHERE 1
                """
            if let before { sql.append(literal: " AND seq < \(before)") }
            if let source = query.source { sql.append(literal: " AND source = \(source.rawValue)") }
            if let type = query.type { sql.append(literal: " AND type = \(type)") }
            sql.append(literal: " ORDER BY seq DESC LIMIT \(limit + 1)")
            let (page, next) = RunCursor.page(try db.rows(sql), limit: limit) { $0["seq"] }
            let ids = page.map { $0["id"] as String }
            var runs: [String: [RunID]] = [:]
            if !ids.isEmpty {
                for row in try db.rows("SELECT id, event_id FROM runs WHERE event_id IN \(ids) ORDER BY seq") {
                    runs[row["event_id"] as String, default: []].append(RunID(rawValue: row["id"]))
                }
            }
            let events = page.compactMap { row -> EventSummary? in
                guard let source = EventSource(rawValue: row["source"]),
                    let state = EventRecord.MatchState(rawValue: row["match_state"])
                else { return nil }
                let id: String = row["id"]
                return EventSummary(
                    id: EventID(rawValue: id),
                    source: source,
                    type: row["type"],
                    subject: row["subject"],
                    deliveryID: DeliveryID(rawValue: row["delivery_id"]),
                    receivedAt: Self.date(row["received_at"]) ?? .distantPast,
                    matchState: state,
                    runs: runs[id] ?? []
                )
            }
            return EventPage(events: events, nextCursor: next)
        }
    }
}
