/// The durable inbox of verified deliveries.
///
/// - Idempotency: `enqueue` is idempotent per `(source, deliveryID)`. The first call stores the delivery
///   and answers `.accepted` with its `eventID`; every later call with the same pair answers `.duplicate`
///   with the *original* event id and changes nothing, including one that races the original's commit.
/// - Durability: `enqueue` returns only after the transaction that holds the delivery has committed.
///   Implementations may commit several concurrent deliveries in one transaction (group commit).
/// - Errors: `InboxError.unavailable` when the store cannot commit; nothing was stored then and the
///   sender is expected to retry.
public protocol EventInbox: Sendable {
    func enqueue(_ delivery: Delivery) async throws(InboxError) -> EnqueueOutcome

    /// The stored delivery with this event id, or nil.
    func delivery(_ id: EventID) async throws(InboxError) -> Delivery?

    /// The event id of the delivery stored under this source and sender's id, or nil: what a repeat
    /// would be answered as a duplicate of. A read of committed data; it never waits for a commit.
    func storedEventID(source: EventSource, deliveryID: DeliveryID) async throws(InboxError) -> EventID?

    /// How many deliveries are stored.
    func count() async throws(InboxError) -> Int
}

/// What `EventInbox.enqueue` did with a delivery.
public enum EnqueueOutcome: Sendable, Hashable {
    case accepted(EventID)
    case duplicate(EventID)

    public var eventID: EventID {
        switch self {
        case .accepted(let id), .duplicate(let id): id
        }
    }
}

/// Why the inbox could not answer. Descriptions never carry SQL or driver messages.
public enum InboxError: Error, Sendable, Equatable {
    case unavailable
}
