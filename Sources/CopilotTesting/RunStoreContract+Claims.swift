import CopilotCore
import Foundation

extension RunStoreContract {
    static let claimChecks: [Check] = [
        check("a claimed run is leased; an expired lease lets another worker resume it") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "node-1", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "the pending run is claimable", line: #line)
            }
            try require(claimed.run.status == .planning && claimed.run.startedAt == at(1), "claiming starts it")
            try require(claimed.lease == RunLease(runID: claimed.run.id, owner: "node-1", expiresAt: at(61)), "lease")
            try require(try await store.claimRun(owner: "node-2", lease: .seconds(60), now: at(2)) == nil, "held")
            var run = claimed.run
            run.status = .running
            run.steps[0].history = [StepAttempt(number: 1, startedAt: at(3))]
            run.steps[0].startedAt = at(3)
            run.updatedAt = at(3)
            let saved = try await store.save(run, lease: claimed.lease, release: false)
            try require(saved == run, "save answers the stored run")
            try require(
                try await store.claimRun(owner: "node-2", lease: .seconds(60), now: at(60)) == nil,
                "still held"
            )
            guard let resumed = try await store.claimRun(owner: "node-2", lease: .seconds(60), now: at(62)) else {
                throw Failure(message: "an expired lease is claimable", line: #line)
            }
            try require(resumed.run == run, "the resumed run has the in-flight attempt")
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.save(run, lease: claimed.lease, release: true)
            }
            let renewed = try await store.renewLease(resumed.lease, until: at(200))
            try require(renewed.expiresAt == at(200), "renewed")
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.renewLease(claimed.lease, until: at(300))
            }
        },
        check("a concurrency limit keeps the next run of the key pending until a slot frees") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a", key: "payments", limit: 1)])
            try await seed(store, event: "b", runs: [newRun("run-2", event: "b", key: "payments", limit: 1, at: 1)])
            try await seed(store, event: "c", runs: [newRun("run-3", event: "c", key: "search", limit: 1, at: 2)])
            let first = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(5))
            try require(first?.run.id.rawValue == "run-1", "oldest first")
            let second = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(5))
            try require(second?.run.id.rawValue == "run-3", "the same key waits; another key goes ahead")
            try require(try await store.claimRun(owner: "w", lease: .seconds(60), now: at(5)) == nil, "run-2 waits")
            try require(try await store.run(RunID(rawValue: "run-2"))?.status == .pending, "waiting, not dropped")
            guard let first else { return }
            var parked = first.run
            parked.status = .awaitingApproval
            _ = try await store.save(parked, lease: first.lease, release: true)
            try require(
                try await store.claimRun(owner: "w", lease: .seconds(60), now: at(6)) == nil,
                "awaiting holds it"
            )
            var done = parked
            done.status = .succeeded
            guard let again = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1000)) else {
                throw Failure(message: "run-3 is claimable once its lease expired", line: #line)
            }
            try require(again.run.id.rawValue == "run-3", "only the expired lease of run-3 is claimable")
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.save(done, lease: first.lease, release: true)
            }
        },
        check("one claim of several runs counts its own claims against a concurrency limit") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a", key: "payments", limit: 1)])
            try await seed(store, event: "b", runs: [newRun("run-2", event: "b", key: "payments", limit: 1, at: 1)])
            try await seed(store, event: "c", runs: [newRun("run-3", event: "c", key: "search", limit: 1, at: 2)])
            try await seed(store, event: "d", runs: [newRun("run-4", event: "d", at: 3)])
            let claimed = try await store.claimRuns(owner: "w", limit: 3, lease: .seconds(60), now: at(5))
            try require(
                claimed.map(\.run.id.rawValue) == ["run-1", "run-3", "run-4"],
                "oldest first, the limit respected, the key's second run left waiting"
            )
            try require(claimed.allSatisfy { $0.run.status == .planning && $0.lease.owner == "w" }, "each is leased")
            let rest = try await store.claimRuns(owner: "w2", limit: 10, lease: .seconds(60), now: at(5))
            try require(rest.isEmpty, "nothing else is claimable")
            try require(try await store.run(RunID(rawValue: "run-2"))?.status == .pending, "waiting, not dropped")
        },
        check("a finished run frees its slot; a waiting run resumes at wakeAt") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a", key: "payments", limit: 1)])
            try await seed(store, event: "b", runs: [newRun("run-2", event: "b", key: "payments", limit: 1, at: 1)])
            guard let first = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(5)) else {
                throw Failure(message: "claimable", line: #line)
            }
            var retrying = first.run
            retrying.status = .running
            retrying.wakeAt = at(50)
            _ = try await store.save(retrying, lease: first.lease, release: true)
            try require(
                try await store.claimRun(owner: "w", lease: .seconds(60), now: at(49)) == nil,
                "not before wakeAt"
            )
            guard let woken = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(50)) else {
                throw Failure(message: "claimable at wakeAt", line: #line)
            }
            try require(woken.run.id.rawValue == "run-1", "the backoff ended")
            var finished = woken.run
            finished.status = .succeeded
            finished.wakeAt = nil
            _ = try await store.save(finished, lease: woken.lease, release: true)
            let next = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(51))
            try require(next?.run.id.rawValue == "run-2", "the waiting run gets the slot")
            try require(next?.run.status == .planning, "and starts")
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.save(finished, lease: woken.lease, release: true)
            }
        },
    ]
}
