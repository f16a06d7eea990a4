public import CopilotCore

/// An in-memory `EventInbox` with the port's semantics (idempotent per source and delivery id), for
/// tests of the layers above the store. `failing` makes every enqueue answer `unavailable`.
public actor MemoryInbox: EventInbox {
    private var deliveries: [EventID: Delivery] = [:]
    private var bySenderID: [String: EventID] = [:]
    public var failing: Bool

    public init(failing: Bool = false) {
        self.failing = failing
    }

    public func setFailing(_ failing: Bool) { self.failing = failing }

    public func enqueue(_ delivery: Delivery) throws(InboxError) -> EnqueueOutcome {
        if failing { throw .unavailable }
        let key = "\(delivery.source.rawValue)\u{0}\(delivery.deliveryID.rawValue)"
        if let original = bySenderID[key] { return .duplicate(original) }
        bySenderID[key] = delivery.eventID
        deliveries[delivery.eventID] = delivery
        return .accepted(delivery.eventID)
    }

    public func delivery(_ id: EventID) throws(InboxError) -> Delivery? { deliveries[id] }

    public func count() throws(InboxError) -> Int { deliveries.count }
}
