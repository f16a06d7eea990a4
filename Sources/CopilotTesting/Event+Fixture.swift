public import CopilotCore
public import CopilotExpressions
import Foundation

extension Event {
    /// An event for tests that care only about source, subject and payload.
    public static func fixture(
        _ source: EventSource,
        type: String = "t",
        subject: String,
        payload: JSONValue,
        id: String = "evt-1"
    ) -> Event {
        Event(
            id: EventID(rawValue: id),
            source: source,
            type: type,
            receivedAt: Date(timeIntervalSince1970: 0),
            deliveryID: DeliveryID(rawValue: "d-1"),
            subject: subject,
            payload: payload
        )
    }
}
