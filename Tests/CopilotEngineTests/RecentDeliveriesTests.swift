import CopilotCore
import CopilotTesting
import Foundation
import Testing

@testable import CopilotEngine

@Suite struct RecentDeliveriesTests {
    static func delivery(_ number: Int) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: "evt-\(number)"),
            source: .github,
            deliveryID: DeliveryID(rawValue: "d-\(number)"),
            type: "push",
            subject: "octo/repo",
            receivedAt: Date(timeIntervalSince1970: 1_700_000_000),
            headers: ["content-type": "application/json"],
            body: Array(#"{"number": \#(number)}"#.utf8)
        )
    }

    @Test("keeps the newest deliveries up to its capacity, evicting the oldest first")
    func eviction() {
        let recent = RecentDeliveries(capacity: 2)
        recent.insert(Self.delivery(1))
        recent.insert(Self.delivery(2))
        recent.insert(Self.delivery(1))  // already kept: not a second entry
        #expect(recent.delivery(EventID(rawValue: "evt-1")) == Self.delivery(1))
        recent.insert(Self.delivery(3))
        #expect(recent.delivery(EventID(rawValue: "evt-1")) == nil)
        #expect(recent.delivery(EventID(rawValue: "evt-2")) == Self.delivery(2))
        #expect(recent.delivery(EventID(rawValue: "evt-3")) == Self.delivery(3))
    }
}
