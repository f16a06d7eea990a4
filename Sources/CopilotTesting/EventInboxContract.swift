public import CopilotCore
import Foundation

/// The `EventInbox` port's semantics as executable checks, run against every backend (memory, SQLite,
/// PostgreSQL): `@Test(arguments: EventInboxContract.checks)` and a fresh inbox per check.
public enum EventInboxContract {
    public typealias Check = ContractCheck<any EventInbox>

    public static let checks: [Check] = [
        Check(
            name: "a delivery is stored whole and read back unchanged; an unknown id is nil"
        ) { inbox in
            let original = delivery("d-1", eventID: "e-1")
            try require(try await inbox.enqueue(original) == .accepted(EventID(rawValue: "e-1")), "accepted")
            try require(try await inbox.delivery(EventID(rawValue: "e-1")) == original, "read back unchanged")
            try require(try await inbox.delivery(EventID(rawValue: "missing")) == nil, "unknown")
        },
        Check(
            name: "a repeated (source, delivery id) answers duplicate with the original's id and stores nothing"
        ) {
            inbox in
            _ = try await inbox.enqueue(delivery("d-1", eventID: "e-1"))
            let again = try await inbox.enqueue(delivery("d-1", eventID: "e-2"))
            try require(again == .duplicate(EventID(rawValue: "e-1")), "duplicate of the original: \(again)")
            try require(try await inbox.count() == 1, "one stored")
            try require(try await inbox.delivery(EventID(rawValue: "e-2")) == nil, "the repeat's id is not stored")
        },
        Check(
            name: "the same delivery id from two sources is two events; storedEventID finds each"
        ) { inbox in
            _ = try await inbox.enqueue(delivery("same", source: .github, eventID: "e-g"))
            _ = try await inbox.enqueue(delivery("same", source: .pagerduty, eventID: "e-p"))
            try require(try await inbox.count() == 2, "two events")
            let github = try await inbox.storedEventID(source: .github, deliveryID: DeliveryID(rawValue: "same"))
            let pagerduty = try await inbox.storedEventID(source: .pagerduty, deliveryID: DeliveryID(rawValue: "same"))
            let other = try await inbox.storedEventID(source: .github, deliveryID: DeliveryID(rawValue: "other"))
            try require(github?.rawValue == "e-g" && pagerduty?.rawValue == "e-p" && other == nil, "found by pair")
        },
        Check(
            name: "concurrent repeats of one delivery: exactly one is accepted, all answer its id"
        ) { inbox in
            let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
                for index in 0..<20 {
                    group.addTask { try await inbox.enqueue(delivery("race", eventID: "e-\(index)")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let accepted = outcomes.filter { if case .accepted = $0 { true } else { false } }
            try require(accepted.count == 1, "one accepted: \(outcomes)")
            try require(Set(outcomes.map(\.eventID)).count == 1, "all answer the original's id")
            try require(try await inbox.count() == 1, "one stored")
        },
        Check(
            name: "concurrent distinct deliveries are all stored"
        ) { inbox in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let outcome = try await inbox.enqueue(delivery("d-\(index)", eventID: "e-\(index)"))
                        try require(outcome == .accepted(EventID(rawValue: "e-\(index)")), "accepted: \(outcome)")
                    }
                }
                try await group.waitForAll()
            }
            try require(try await inbox.count() == 50, "all stored")
        },
    ]

    /// A GitHub push delivery (a body with a NUL and a byte that is not UTF-8: stored as bytes).
    public static func delivery(_ deliveryID: String, source: EventSource = .github, eventID: String) -> Delivery {
        Delivery(
            eventID: EventID(rawValue: eventID),
            source: source,
            deliveryID: DeliveryID(rawValue: deliveryID),
            type: "push",
            subject: "octo/repo",
            receivedAt: Date(timeIntervalSince1970: 1_764_000_000.25),
            headers: ["x-github-event": "push", "content-type": "application/json", "traceparent": "00-x"],
            body: Array(#"{"ref":"refs/heads/main","bytes":"\u00e9\u0000"}"#.utf8) + [0, 255]
        )
    }

    static func require(_ condition: Bool, _ message: @autoclosure () -> String, line: UInt = #line) throws {
        try requireContract(condition, message(), line: line)
    }
}
