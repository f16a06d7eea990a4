public import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A verified delivery in the one shape every playbook sees as `event` (CONTRACT §2, "Normalized event").
public struct Event: Sendable, Hashable {
    public var id: EventID
    public var source: EventSource
    /// `pull_request.opened`, `push`, `incident.detected`, `alert.firing`, `incident.triggered`, …
    public var type: String
    public var receivedAt: Date
    public var deliveryID: DeliveryID
    public var subject: String
    /// The parsed body, unchanged; or, in the event the worker matches, only what the candidate playbooks
    /// read of it (`Delivery.event(keeping:)`, `PlaybookSet.payloadProjection`).
    public var payload: JSONValue

    public init(
        id: EventID,
        source: EventSource,
        type: String,
        receivedAt: Date,
        deliveryID: DeliveryID,
        subject: String,
        payload: JSONValue
    ) {
        self.id = id
        self.source = source
        self.type = type
        self.receivedAt = receivedAt
        self.deliveryID = deliveryID
        self.subject = subject
        self.payload = payload
    }

    /// The event as expressions see it: `event.source`, `event.type`, `event.payload.…`.
    public var contextValue: JSONValue {
        .object(
            JSONObject(distinctMembers: [
                ("id", .string(id.rawValue)),
                ("source", .string(source.rawValue)),
                ("type", .string(type)),
                ("received_at", .string(receivedAt.rfc3339UTC)),
                ("delivery_id", .string(deliveryID.rawValue)),
                ("subject", .string(subject)),
                ("payload", payload),
            ])
        )
    }
}
