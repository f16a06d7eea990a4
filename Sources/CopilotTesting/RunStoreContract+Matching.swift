import CopilotCore
import Foundation

extension RunStoreContract {
    static let matchingChecks: [Check] = [
        check("recording a match creates its runs with the event, once") { store in
            _ = try await store.enqueue(delivery("a"))
            let claimed = try await store.claimEvents(owner: "node-1", limit: 10, lease: .seconds(30), now: at(0))
            try require(claimed.map(\.eventID.rawValue) == ["evt-a"], "the pending event is claimed")
            let record = MatchRecord(
                eventID: EventID(rawValue: "evt-a"),
                at: at(1),
                runs: [
                    .init(run: newRun("run-1", event: "a")),
                    .init(run: newRun("run-2", event: "a", playbook: "notify")),
                ],
                notMatched: [
                    MatchResult.NotMatched(
                        playbook: PlaybookName(rawValue: "other"),
                        reason: "on.github: source is incident"
                    )
                ]
            )
            let first = try await store.recordMatch(record)
            try require(first.matchState == .matched, "matched")
            try require(first.runs.map(\.id.rawValue) == ["run-1", "run-2"], "both runs, oldest first")
            try require(first.runs.allSatisfy { $0.status == .pending }, "new runs are pending")
            try require(first.reasons == record.notMatched, "the reasons are stored")
            var again = record
            again.runs = [.init(run: newRun("run-3", event: "a"))]
            let second = try await store.recordMatch(again)
            try require(second == first, "a second record changes nothing and answers the first")
            try require(try await store.run(RunID(rawValue: "run-3")) == nil, "no run from the second record")
            try require(try await store.event(EventID(rawValue: "evt-a")) == first, "the event reads back")
            let later = try await store.claimEvents(owner: "node-2", limit: 10, lease: .seconds(30), now: at(100))
            try require(later.isEmpty, "a matched event is never claimed again")
        },
        check("a claim reads only the bodies the caller needs; the others come empty and stay stored") { store in
            let wanted = delivery("n")
            var other = delivery("o")
            other.type = "incident.resolved"
            _ = try await store.enqueue(wanted)
            _ = try await store.enqueue(other)
            let claimed = try await store.claimEvents(owner: "node-1", limit: 10, lease: .seconds(30), now: at(0)) {
                source,
                type in source == .incident && type == "incident.detected"
            }
            try require(claimed.map(\.eventID) == [wanted.eventID, other.eventID], "both are claimed")
            try require(claimed.first == wanted, "the needed one comes whole")
            var bodiless = other
            bodiless.body = []
            try require(claimed.last == bodiless, "the other comes without its body")
            try require(try await store.delivery(other.eventID) == other, "its body is still stored")
        },
        check("an event with no run is unmatched; an unknown event is not found") { store in
            let reason = MatchResult.NotMatched(playbook: PlaybookName(rawValue: "rollback"), reason: "if: false")
            _ = try await store.enqueue(delivery("b"))
            let record = try await store.recordMatch(
                MatchRecord(eventID: EventID(rawValue: "evt-b"), at: at(0), runs: [], notMatched: [reason])
            )
            try require(record.matchState == .unmatched && record.runs.isEmpty, "unmatched, no runs")
            try require(record.reasons == [reason], "its reasons")
            try await requireError(.notFound) {
                () throws(RunStoreError) in
                try await store.recordMatch(
                    MatchRecord(eventID: EventID(rawValue: "evt-missing"), at: at(0), runs: [], notMatched: [])
                )
            }
            try require(try await store.event(EventID(rawValue: "evt-missing")) == nil, "unknown event reads nil")
            _ = try await store.enqueue(delivery("c"))
            let pending = try await store.event(EventID(rawValue: "evt-c"))
            try require(pending?.matchState == .pending, "an event not matched yet is pending")
        },
        check("a batch of records is stored in order; an unknown event answers nil, the others are stored") {
            store in
            _ = try await store.enqueue(delivery("a"))
            _ = try await store.enqueue(delivery("b"))
            let stored = try await store.recordMatches([
                MatchRecord(
                    eventID: EventID(rawValue: "evt-a"),
                    at: at(1),
                    runs: [.init(run: newRun("run-1", event: "a", key: "payments"), cooldownSeconds: 600)],
                    notMatched: []
                ),
                MatchRecord(eventID: EventID(rawValue: "evt-missing"), at: at(1), runs: [], notMatched: []),
                MatchRecord(
                    eventID: EventID(rawValue: "evt-b"),
                    at: at(2),
                    runs: [.init(run: newRun("run-2", event: "b", key: "payments", at: 2), cooldownSeconds: 600)],
                    notMatched: []
                ),
            ])
            try require(stored == [.matched, nil, .unmatched], "one answer per record; an unknown event answers nil")
            let first = try await store.event(EventID(rawValue: "evt-a"))
            try require(first?.runs.map(\.id.rawValue) == ["run-1"], "the first record starts its run")
            let last = try await store.event(EventID(rawValue: "evt-b"))
            try require(last?.matchState == .unmatched, "the earlier record of the call starts the cooldown")
            try require(
                last?.reasons.map(\.reason) == [MatchRecord.cooldownReason],
                "cooldown is the reason within one call too"
            )
            let again = try await store.recordMatches([
                MatchRecord(eventID: EventID(rawValue: "evt-a"), at: at(3), runs: [], notMatched: [])
            ])
            try require(again == [.matched], "a second record answers the stored state")
        },
        check("an event lease hides the event from other claimers until it expires") { store in
            _ = try await store.enqueue(delivery("a"))
            _ = try await store.enqueue(delivery("b"))
            let first = try await store.claimEvents(owner: "node-1", limit: 1, lease: .seconds(30), now: at(0))
            try require(first.map(\.eventID.rawValue) == ["evt-a"], "oldest first, limit respected")
            let second = try await store.claimEvents(owner: "node-2", limit: 10, lease: .seconds(30), now: at(10))
            try require(second.map(\.eventID.rawValue) == ["evt-b"], "a leased event is not handed out")
            let third = try await store.claimEvents(owner: "node-2", limit: 10, lease: .seconds(30), now: at(31))
            try require(third.map(\.eventID.rawValue) == ["evt-a"], "an expired lease is claimable again")
        },
        check("a cooldown suppresses the next run of the playbook and key within the window") { store in
            try await seed(
                store,
                event: "a",
                runs: [newRun("run-1", event: "a", key: "payments", limit: 1)],
                cooldown: 600
            )
            let suppressed = try await seed(
                store,
                event: "b",
                runs: [newRun("run-2", event: "b", key: "payments", limit: 1, at: 100)],
                cooldown: 600,
                at: 100
            )
            try require(suppressed.matchState == .unmatched && suppressed.runs.isEmpty, "no run within the window")
            try require(
                suppressed.reasons == [
                    MatchResult.NotMatched(playbook: PlaybookName(rawValue: "rollback"), reason: "cooldown")
                ],
                "cooldown is the reason"
            )
            let otherKey = try await seed(
                store,
                event: "c",
                runs: [newRun("run-3", event: "c", key: "search", limit: 1, at: 100)],
                cooldown: 600,
                at: 100
            )
            try require(otherKey.runs.count == 1, "another key has its own window")
            let after = try await seed(
                store,
                event: "d",
                runs: [newRun("run-4", event: "d", key: "payments", limit: 1, at: 700)],
                cooldown: 600,
                at: 700
            )
            try require(after.runs.count == 1, "after the window a run starts")
            let last = try await store.lastRunCreatedAt(
                playbook: PlaybookName(rawValue: "rollback"),
                concurrencyKey: "payments"
            )
            try require(last == at(700), "the newest run's creation")
        },
    ]
}
