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
        let key = senderKey(delivery.source, delivery.deliveryID)
        if let original = bySenderID[key] { return .duplicate(original) }
        bySenderID[key] = delivery.eventID
        deliveries[delivery.eventID] = delivery
        return .accepted(delivery.eventID)
    }

    public func delivery(_ id: EventID) throws(InboxError) -> Delivery? { deliveries[id] }

    public func count() throws(InboxError) -> Int { deliveries.count }

    public func storedEventID(source: EventSource, deliveryID: DeliveryID) throws(InboxError) -> EventID? {
        bySenderID[senderKey(source, deliveryID)]
    }
}

/// What makes a delivery a duplicate in the in-memory stores: its source and its sender's id.
func senderKey(_ source: EventSource, _ deliveryID: DeliveryID) -> String {
    "\(source.rawValue)\u{0}\(deliveryID.rawValue)"
}
