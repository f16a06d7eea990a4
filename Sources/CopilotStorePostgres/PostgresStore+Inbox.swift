public import CopilotCore
import Logging
import NIOCore
import PostgresNIO

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresStore: EventInbox {
    public func enqueue(_ delivery: Delivery) async throws(InboxError) -> EnqueueOutcome {
        try await inboxCommit.submit(delivery).get()
    }

    public func delivery(_ id: EventID) async throws(InboxError) -> Delivery? {
        do {
            let rows = try await client.query("SELECT * FROM events WHERE id = \(id.rawValue)", logger: logger)
            for try await row in rows {
                let stored = StoredRow(row)
                return try Self.delivery(from: stored, body: Array(buffer: try stored("body", as: ByteBuffer.self)))
            }
            return nil
        } catch {
            throw unavailable("inbox read failed", error)
        }
    }

    public func storedEventID(source: EventSource, deliveryID: DeliveryID) async throws(InboxError) -> EventID? {
        do {
            let rows = try await client.query(
                "SELECT id FROM events WHERE source = \(source.rawValue) AND delivery_id = \(Self.storable(deliveryID.rawValue))",
                logger: logger
            )
            for try await id in rows.decode(String.self) { return EventID(rawValue: id) }
            return nil
        } catch {
            throw unavailable("inbox read failed", error)
        }
    }

    public func count() async throws(InboxError) -> Int {
        do {
            for try await count in try await client.query("SELECT COUNT(*) FROM events", logger: logger)
                .decode(Int.self)
            {
                return count
            }
            return 0
        } catch {
            throw unavailable("inbox read failed", error)
        }
    }

    /// Writes a batch in one transaction, one outcome per delivery in order: one statement inserts the
    /// batch (`InsertDeliveries`: one round trip, however many deliveries), one reads the
    /// stored ids of those that were not new. A delivery whose `(source, delivery_id)` is stored already
    /// (by any node, or earlier in this batch) answers `.duplicate` with the stored id: `ON CONFLICT DO
    /// NOTHING` waits for a concurrent insert of the same pair to commit. If the transaction fails, every
    /// delivery of the batch fails, and nothing of it is stored.
    static func commit(
        _ batch: [Delivery],
        client: PostgresClient,
        logger: Logger
    ) async -> [Result<EnqueueOutcome, InboxError>] {
        let sources = batch.map(\.source.rawValue)
        let deliveryIDs = batch.map { storable($0.deliveryID.rawValue) }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var accepted: Set<String> = []
                let insert = InsertDeliveries(
                    ids: batch.map(\.eventID.rawValue),
                    sources: sources,
                    deliveryIDs: deliveryIDs,
                    types: batch.map { storable($0.type) },
                    subjects: batch.map { storable($0.subject) },
                    receivedAt: batch.map(\.receivedAt.timeIntervalSince1970),
                    headers: batch.map { storable($0.storedHeaders) },
                    bodies: batch.map { ByteBuffer(bytes: $0.body) }
                )
                for try await id in try await connection.execute(insert, logger: logger) { accepted.insert(id) }
                var stored: [String: String] = [:]
                if accepted.count < batch.count {
                    let rows = try await connection.query(
                        """
                        SELECT events.source, events.delivery_id, events.id FROM events
                        JOIN unnest(\(sources)::text[], \(deliveryIDs)::text[]) AS batch (source, delivery_id)
                          ON events.source = batch.source AND events.delivery_id = batch.delivery_id
                        """,
                        logger: logger
                    )
                    for try await (source, deliveryID, id) in rows.decode((String, String, String).self) {
                        stored[source + "\u{0}" + deliveryID] = id
                    }
                }
                try await connection.query(notifying(.events), logger: logger)
                return batch.indices.map { index -> Result<EnqueueOutcome, InboxError> in
                    let id = batch[index].eventID
                    if accepted.contains(id.rawValue) { return .success(.accepted(id)) }
                    return stored[sources[index] + "\u{0}" + deliveryIDs[index]]
                        .map { .success(.duplicate(EventID(rawValue: $0))) } ?? .failure(.unavailable)
                }
            }
        } catch {
            logger.warning(
                "inbox commit failed",
                metadata: [
                    "error.type": "\(String(reflecting: type(of: error)))",
                    "db.response.status_code":
                        "\(sqlState((error as? PostgresTransactionError)?.closureError ?? error) ?? "")",
                ]
            )
            return batch.map { _ in .failure(.unavailable) }
        }
    }

    /// Logs a failed call by the error's type only (a driver's message may quote a query's values).
    func unavailable(_ message: Logger.Message, _ error: any Error) -> InboxError {
        logger.warning(message, metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        return .unavailable
    }
}
