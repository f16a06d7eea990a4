public import CopilotCore
import Foundation
import GRDB
import Logging

extension SQLiteStore: EventInbox {
    public func enqueue(_ delivery: Delivery) async throws(InboxError) -> EnqueueOutcome {
        try await inboxCommit.submit(delivery).get()
    }

    public func delivery(_ id: EventID) async throws(InboxError) -> Delivery? {
        do {
            return try await writer.read { db in
                try db.row("\(Self.eventWithBody) WHERE e.id = \(id.rawValue)").flatMap(Self.delivery(from:))
            }
        } catch {
            logger.warning("inbox read failed", metadata: ["error.type": "\(type(of: error))"])
            throw .unavailable
        }
    }

    public func count() async throws(InboxError) -> Int {
        do {
            return try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM events") ?? 0 }
        } catch {
            throw .unavailable
        }
    }

    /// Writes a batch of deliveries in one transaction and calls `done`, on the writer's queue, with one
    /// outcome per delivery. Each new one is inserted; one whose `(source, delivery_id)` is already stored,
    /// by an earlier batch or earlier in this one, answers `.duplicate` with the stored id. If the
    /// transaction fails, every delivery of the batch fails.
    static func commit(
        _ deliveries: [Delivery],
        to writer: any DatabaseWriter,
        logger: Logger,
        then done: @escaping @Sendable ([Result<EnqueueOutcome, InboxError>]) -> Void
    ) {
        writer.asyncWriteWithoutTransaction { db in
            let result = Result { () throws -> [EnqueueOutcome] in
                // Set on every batch, so that an acknowledgement's durability never depends on the
                // run path having restored it (run-state writes use NORMAL; see `write(_:_:)`).
                try db.cachedStatement(sql: "PRAGMA synchronous = FULL").execute()
                var outcomes: [EnqueueOutcome] = []
                try db.inTransaction {
                    outcomes = try Self.insert(deliveries, into: db)
                    return .commit
                }
                return outcomes
            }
            switch result {
            case .success(let outcomes):
                done(outcomes.map { .success($0) })
            case .failure(let error):
                logger.error(
                    "inbox commit failed",
                    metadata: ["error.type": "\(type(of: error))", "copilot.inbox.batch": "\(deliveries.count)"]
                )
                done(deliveries.map { _ in .failure(.unavailable) })
            }
        }
    }

    /// Inserts each new delivery; one already stored (earlier, or earlier in this batch) is a duplicate.
    private static func insert(_ deliveries: [Delivery], into db: Database) throws -> [EnqueueOutcome] {
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, delivery_id) DO NOTHING
                """
        )
        let insertBody = try db.cachedStatement(sql: "INSERT INTO event_bodies (event_seq, body) VALUES (?, ?)")
        let existing = try db.cachedStatement(sql: "SELECT id FROM events WHERE source = ? AND delivery_id = ?")
        return try deliveries.map { delivery -> EnqueueOutcome in
            try insert.execute(arguments: [
                delivery.eventID.rawValue, delivery.source.rawValue, delivery.deliveryID.rawValue,
                delivery.type, delivery.subject, delivery.receivedAt.timeIntervalSince1970,
                encodeHeaders(delivery.headers),
            ])
            if db.changesCount > 0 {
                try insertBody.execute(arguments: [db.lastInsertedRowID, Data(delivery.body)])
                return .accepted(delivery.eventID)
            }
            let original = try String.fetchOne(
                existing,
                arguments: [delivery.source.rawValue, delivery.deliveryID.rawValue]
            )
            return .duplicate(original.map(EventID.init(rawValue:)) ?? delivery.eventID)
        }
    }

    static func encodeHeaders(_ headers: [String: String]) -> String {
        JSONValue.object(JSONObject(headers.mapValues(JSONValue.string))).jsonText
    }

    /// The delivery of a row of `eventWithBody`.
    static func delivery(from row: Row) -> Delivery? {
        guard
            let source = EventSource(rawValue: row["source"]),
            let headersText: String = row["headers"],
            let body: Data = row["body"]
        else { return nil }
        let headers = (try? JSONValue(parsing: headersText))?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        return Delivery(
            eventID: EventID(rawValue: row["id"]),
            source: source,
            deliveryID: DeliveryID(rawValue: row["delivery_id"]),
            type: row["type"],
            subject: row["subject"],
            receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            headers: headers,
            body: Array(body)
        )
    }
}
