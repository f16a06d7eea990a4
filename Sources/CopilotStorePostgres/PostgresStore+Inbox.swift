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
            let rows = try await client.query(
                """
                SELECT id, source, delivery_id, type, subject, received_at, headers, body
                FROM events WHERE id = \(id.rawValue)
                """,
                logger: logger
            )
            for try await (id, source, deliveryID, type, subject, receivedAt, headers, body) in rows.decode(
                (String, String, String, String, String, Double, String, ByteBuffer).self
            ) {
                guard let source = EventSource(rawValue: source) else { return nil }
                return Delivery(
                    eventID: EventID(rawValue: id),
                    source: source,
                    deliveryID: DeliveryID(rawValue: deliveryID),
                    type: type,
                    subject: subject,
                    receivedAt: Date(timeIntervalSince1970: receivedAt),
                    headers: Delivery.headers(stored: headers),
                    body: Array(buffer: body)
                )
            }
            return nil
        } catch {
            throw unavailable("inbox read failed", error)
        }
    }

    public func storedEventID(source: EventSource, deliveryID: DeliveryID) async throws(InboxError) -> EventID? {
        do {
            let rows = try await client.query(
                "SELECT id FROM events WHERE source = \(source.rawValue) AND delivery_id = \(deliveryID.rawValue)",
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

    /// Writes a batch in one transaction, one outcome per delivery in order. A new delivery is inserted;
    /// one whose `(source, delivery_id)` is stored already (by any node, or earlier in this batch) answers
    /// `.duplicate` with the stored id: `ON CONFLICT DO NOTHING` waits for a concurrent insert of the same
    /// pair to commit, and the statement after it then reads that row. If the transaction fails, every
    /// delivery of the batch fails, and nothing of it is stored.
    static func commit(
        _ batch: [Delivery],
        client: PostgresClient,
        logger: Logger
    ) async -> [Result<EnqueueOutcome, InboxError>] {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                var outcomes: [Result<EnqueueOutcome, InboxError>] = []
                for delivery in batch {
                    let inserted = try await connection.query(
                        """
                        INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers, body)
                        VALUES (\(delivery.eventID.rawValue), \(delivery.source.rawValue),
                            \(delivery.deliveryID.rawValue), \(delivery.type), \(delivery.subject),
                            \(delivery.receivedAt.timeIntervalSince1970), \(delivery.storedHeaders),
                            \(ByteBuffer(bytes: delivery.body)))
                        ON CONFLICT (source, delivery_id) DO NOTHING
                        RETURNING id
                        """,
                        logger: logger
                    )
                    var accepted: String?
                    for try await id in inserted.decode(String.self) { accepted = id }
                    if let accepted {
                        outcomes.append(.success(.accepted(EventID(rawValue: accepted))))
                        continue
                    }
                    let stored = try await connection.query(
                        """
                        SELECT id FROM events
                        WHERE source = \(delivery.source.rawValue) AND delivery_id = \(delivery.deliveryID.rawValue)
                        """,
                        logger: logger
                    )
                    var original: String?
                    for try await id in stored.decode(String.self) { original = id }
                    outcomes.append(
                        original.map { .success(.duplicate(EventID(rawValue: $0))) } ?? .failure(.unavailable)
                    )
                }
                try await connection.query(notifying(.events), logger: logger)
                return outcomes
            }
        } catch {
            logger.warning("inbox commit failed", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
            return batch.map { _ in .failure(.unavailable) }
        }
    }

    /// Logs a failed call by the error's type only (a driver's message may quote a query's values).
    func unavailable(_ message: Logger.Message, _ error: any Error) -> InboxError {
        logger.warning(message, metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        return .unavailable
    }
}
