import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A verified, normalized delivery as the inbox stores it: enough to rebuild the `Event` and to replay it.
public struct Delivery: Sendable, Hashable {
    /// The id this delivery gets if it is new; a duplicate keeps its original's.
    public var eventID: EventID
    public var source: EventSource
    public var deliveryID: DeliveryID
    public var type: String
    public var subject: String
    public var receivedAt: Date
    /// The headers that matter for replay and audit (lower-cased names; never signatures or tokens).
    public var headers: [String: String]
    /// The raw body exactly as received, so any event can be verified again and replayed.
    public var body: [UInt8]

    public init(
        eventID: EventID,
        source: EventSource,
        deliveryID: DeliveryID,
        type: String,
        subject: String,
        receivedAt: Date,
        headers: [String: String],
        body: [UInt8]
    ) {
        self.eventID = eventID
        self.source = source
        self.deliveryID = deliveryID
        self.type = type
        self.subject = subject
        self.receivedAt = receivedAt
        self.headers = headers
        self.body = body
    }
}

extension Delivery {
    /// The header a replayed event is stored with (`POST /api/v1/events/{id}/replay`), naming the
    /// event it replays.
    public static let replayOfHeader = "x-copilot-replay-of"
}

extension Delivery {
    /// The headers as the stores keep them: one JSON object of strings.
    public var storedHeaders: String {
        JSONValue.object(JSONObject(headers.mapValues(JSONValue.string))).jsonText
    }

    /// Headers read back from `storedHeaders`; a text that is not such an object gives none.
    public static func headers(stored text: String) -> [String: String] {
        (try? JSONValue(parsing: text))?.objectValue?.compactMapValues(\.stringValue) ?? [:]
    }
}
