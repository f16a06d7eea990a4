import CopilotCore
import CopilotExpressions
import CopilotTesting
import Testing

@testable import CopilotEngine

@Suite struct RecentEventsTests {
    static func event(_ number: Int) -> Event {
        Event.fixture(.github, subject: "octo/repo", payload: ["number": .number(Double(number))], id: "evt-\(number)")
    }

    @Test("keeps the newest events up to its capacity, evicting the oldest first")
    func eviction() {
        let recent = RecentEvents(capacity: 2)
        recent.insert(Self.event(1))
        recent.insert(Self.event(2))
        recent.insert(Self.event(1))  // already kept: not a second entry
        #expect(recent.event(EventID(rawValue: "evt-1")) == Self.event(1))
        recent.insert(Self.event(3))
        #expect(recent.event(EventID(rawValue: "evt-1")) == nil)
        #expect(recent.event(EventID(rawValue: "evt-2")) == Self.event(2))
        #expect(recent.event(EventID(rawValue: "evt-3")) == Self.event(3))
    }
}
