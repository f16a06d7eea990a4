import CopilotCore
import CopilotExpressions
import Foundation

extension RunStoreContract {
    static let queryChecks: [Check] = [
        check("events list newest first, with their runs, filtered and paged with an opaque cursor") { store in
            for index in 1...4 {
                try await seed(
                    store,
                    event: "e\(index)",
                    runs: index == 2 ? [newRun("run-2", event: "e2")] : [],
                    at: Double(index)
                )
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.events(EventQuery(limit: 3, cursor: cursor))
                try require(page.events.count <= 3, "a page holds at most limit events")
                seen += page.events.map(\.id.rawValue)
                cursor = page.nextCursor
            } while cursor != nil
            try require(seen == ["evt-e4", "evt-e3", "evt-e2", "evt-e1"], "newest first, each once: \(seen)")
            let second = try await store.events(EventQuery(limit: 10)).events.first { $0.id.rawValue == "evt-e2" }
            try require(second?.runs.map(\.rawValue) == ["run-2"] && second?.matchState == .matched, "its runs")
            try require(second?.subject == "payments" && second?.type == "incident.detected", "what it is")
            let github = try await store.events(EventQuery(source: .github)).events
            let incidents = try await store.events(EventQuery(source: .incident, type: "incident.detected")).events
            try require(github.isEmpty && incidents.count == 4, "by source and type")
            try await requireError(.invalidCursor) { () throws(RunStoreError) in
                try await store.events(EventQuery(cursor: "nope"))
            }
        },
        check("runs list newest first with an opaque cursor and filters") { store in
            for index in 1...5 {
                let playbook = index.isMultiple(of: 2) ? "notify" : "rollback"
                try await seed(
                    store,
                    event: "e\(index)",
                    runs: [newRun("run-\(index)", event: "e\(index)", playbook: playbook, at: Double(index))],
                    at: Double(index)
                )
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await store.runs(RunQuery(limit: 2, cursor: cursor))
                try require(page.runs.count <= 2, "a page holds at most limit runs")
                seen += page.runs.map(\.id.rawValue)
                cursor = page.nextCursor
            } while cursor != nil
            try require(seen == ["run-5", "run-4", "run-3", "run-2", "run-1"], "newest first, each once: \(seen)")
            let notify = try await store.runs(RunQuery(playbook: PlaybookName(rawValue: "notify")))
            try require(
                notify.runs.map(\.id.rawValue) == ["run-4", "run-2"] && notify.nextCursor == nil,
                "by playbook"
            )
            let byEvent = try await store.runs(RunQuery(eventID: EventID(rawValue: "evt-e3")))
            try require(byEvent.runs.map(\.id.rawValue) == ["run-3"], "by event")
            _ = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(10))
            let planning = try await store.runs(RunQuery(status: .planning))
            try require(planning.runs.map(\.id.rawValue) == ["run-1"], "by status")
            let all = try await store.runs(RunQuery(limit: 10_000))
            try require(all.runs.count == 5 && all.nextCursor == nil, "a limit above 500 is clamped, not refused")
            try await requireError(.invalidCursor) { () throws(RunStoreError) in
                try await store.runs(RunQuery(cursor: "not-a-cursor"))
            }
        },
        check("steps, attempts, outputs, errors and approvals round-trip") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "claimable", line: #line)
            }
            var run = claimed.run
            run.status = .failed
            run.failedStep = StepID(rawValue: "verify")
            run.updatedAt = at(30)
            run.steps[0].approvalRequestedAt = at(2)
            run.steps[0].approval = ApprovalDecision(decision: .approved, by: "alice", comment: "ok", at: at(3))
            run.steps[0].history = [
                StepAttempt(
                    number: 1,
                    startedAt: at(4),
                    finishedAt: at(5),
                    outcome: .failure,
                    error: "http 503 from deploy"
                ),
                StepAttempt(number: 2, startedAt: at(7), finishedAt: at(8), outcome: .success),
            ]
            run.steps[0].outcome = .success
            run.steps[0].outputs = ["deployment": "d-1", "previous": ["sha": "abc", "ok": true], "count": 2.5]
            run.steps[0].startedAt = at(4)
            run.steps[0].finishedAt = at(8)
            run.steps[1].history = [
                StepAttempt(number: 1, startedAt: at(9), finishedAt: at(20), error: StepAttempt.interruptedError),
                StepAttempt(
                    number: 2,
                    startedAt: at(21),
                    finishedAt: at(29),
                    outcome: .failure,
                    error: "timeout after 300s"
                ),
            ]
            run.steps[1].outcome = .failure
            run.steps[1].error = "timeout after 300s"
            run.steps[1].outputs = ["passed": 3, "total": 5]
            run.steps[1].startedAt = at(9)
            run.steps[1].finishedAt = at(29)
            let saved = try await store.save(run, lease: claimed.lease, release: true)
            try require(saved == run, "save answers what was saved")
            let read = try await store.run(run.id)
            try require(read == run, "the run reads back unchanged")
            try require(read?.steps[0].attempts == 2 && read?.steps[1].attempts == 2, "attempts count")
            let event = try await store.event(EventID(rawValue: "evt-a"))
            try require(event?.runs == [run], "the event shows its run")
            try require(try await store.run(RunID(rawValue: "run-missing")) == nil, "unknown run reads nil")
        },
    ]
}
