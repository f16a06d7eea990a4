public import CopilotCore
import CopilotExpressions
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
                try db.row("SELECT * FROM events WHERE id = \(id.rawValue)").flatMap { row in
                    try Self.body(of: row, bodies: bodies, in: db).flatMap { Self.delivery(from: row, body: $0) }
                }
            }
        } catch {
            logger.warning("inbox read failed", metadata: ["error.type": "\(type(of: error))"])
            throw .unavailable
        }
    }

    public func storedEventID(source: EventSource, deliveryID: DeliveryID) async throws(InboxError) -> EventID? {
        do {
            return try await writer.read { db in try Self.storedEventID(source, deliveryID, in: db) }
        } catch {
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
        bodies: BodyLog?,
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
                    outcomes = try Self.insert(deliveries, into: db, bodies: bodies)
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
    /// The bodies of the new ones are appended to `bodies` (and synced) before their rows are inserted,
    /// so the transaction's commit is what makes them count.
    private static func insert(
        _ deliveries: [Delivery],
        into db: Database,
        bodies: BodyLog?
    ) throws
        -> [EnqueueOutcome]
    {
        func stored(_ delivery: Delivery) throws -> EventID? {
            try storedEventID(delivery.source, delivery.deliveryID, in: db)
        }
        var outcomes: [EnqueueOutcome] = []
        outcomes.reserveCapacity(deliveries.count)
        var fresh: [(position: Int, delivery: Delivery)] = []
        var inBatch: [DeliveryKey: EventID] = [:]
        for delivery in deliveries {
            let key = DeliveryKey(delivery)
            if let original = try inBatch[key] ?? stored(delivery) {
                outcomes.append(.duplicate(original))
                continue
            }
            inBatch[key] = delivery.eventID
            fresh.append((outcomes.count, delivery))
            outcomes.append(.accepted(delivery.eventID))
        }
        // A small batch keeps its bodies in the database: one sync instead of two, and writing a few
        // pages twice costs less than the log's own sync (event→dispatch at 1,000 events/s went from
        // ~4 to ~5 ms with every batch logged). Large batches, ingress under load, go to the log.
        let logged = fresh.reduce(0) { $0 + $1.delivery.body.count } >= Self.smallestLoggedBatch
        let locations = logged ? try bodies?.append(fresh.map(\.delivery.body)) : nil
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers,
                    body_segment, body_offset, body_length)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source, delivery_id) DO NOTHING
                """
        )
        let insertBody = try db.cachedStatement(sql: "INSERT INTO event_bodies (event_seq, body) VALUES (?, ?)")
        for (index, (position, delivery)) in fresh.enumerated() {
            let location = locations?[index]
            try insert.execute(arguments: [
                delivery.eventID.rawValue, delivery.source.rawValue, delivery.deliveryID.rawValue,
                delivery.type, delivery.subject, delivery.receivedAt.timeIntervalSince1970,
                delivery.storedHeaders, location?.segment, location?.offset, location?.length,
            ])
            guard db.changesCount > 0 else {
                // Not expected (the lookup above saw no such row), but SQLite has the last word on
                // what is a duplicate; the body just written is then pointed at by nothing.
                outcomes[position] = .duplicate(try stored(delivery) ?? delivery.eventID)
                continue
            }
            if location == nil {
                try insertBody.execute(arguments: [db.lastInsertedRowID, Data(delivery.body)])
            }
        }
        return outcomes
    }

    /// The id of the event stored under `source` and the sender's `deliveryID`, if any.
    private static func storedEventID(
        _ source: EventSource,
        _ deliveryID: DeliveryID,
        in db: Database
    ) throws -> EventID? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM events WHERE source = ? AND delivery_id = ?"),
            arguments: [source.rawValue, deliveryID.rawValue]
        ).map(EventID.init(rawValue:))
    }

    /// Below this many bytes of new bodies, a batch keeps them in `event_bodies`.
    static let smallestLoggedBatch = 128 << 10

    /// What makes a delivery a duplicate: its source and its sender's delivery id, compared as bytes as
    /// SQLite compares them (Swift's `String` equality would also match canonically equal texts).
    private struct DeliveryKey: Hashable {
        var source: EventSource
        var id: [UInt8]

        init(_ delivery: Delivery) {
            source = delivery.source
            id = Array(delivery.deliveryID.rawValue.utf8)
        }
    }

    /// The body of a row of `events`: from `bodies` when the row points there, else from `event_bodies`;
    /// nil when it is gone. A body that cannot be read for another reason throws: a `BodyLogError` is the
    /// disk failing, not the row.
    static func body(of row: Row, bodies: BodyLog?, in db: Database) throws -> [UInt8]? {
        if let segment: Int = row["body_segment"], let offset: Int = row["body_offset"],
            let length: Int = row["body_length"], let bodies
        {
            do {
                return try bodies.read(BodyLocation(segment: segment, offset: offset, length: length))
            } catch BodyLogError.missing {
                return nil
            }
        }
        let seq: Int64 = row["seq"]
        let statement = try db.cachedStatement(sql: "SELECT body FROM event_bodies WHERE event_seq = ?")
        guard let stored = try Data.fetchOne(statement, arguments: [seq]) else { return nil }
        return Array(stored)
    }

    /// The delivery of a row of `events` with `body`; nil for a row that cannot be a delivery (an
    /// unknown source).
    static func delivery(from row: Row, body: [UInt8]) -> Delivery? {
        guard
            let source = EventSource(rawValue: row["source"]),
            let headersText: String = row["headers"]
        else { return nil }
        let headers = Delivery.headers(stored: headersText)
        return Delivery(
            eventID: EventID(rawValue: row["id"]),
            source: source,
            deliveryID: DeliveryID(rawValue: row["delivery_id"]),
            type: row["type"],
            subject: row["subject"],
            receivedAt: Date(timeIntervalSince1970: row["received_at"]),
            headers: headers,
            body: body
        )
    }
}
