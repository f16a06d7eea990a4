import CopilotCore
import CopilotExpressions
import Foundation

extension RunStoreContract {
    static let changeChecks: [Check] = [
        check(
            "every write of a run is one numbered change, in commit order, read as the run is now; a failed write is none"
        ) { store in
            let start = try await store.runChanges(after: .max, limit: 0)
            try require(start.changes.isEmpty, "nothing after the newest")
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "the pending run is claimable", line: #line)
            }
            var run = claimed.run
            run.status = .running
            run.steps[0].history = [StepAttempt(number: 1, startedAt: at(2))]
            _ = try await store.save(run, lease: claimed.lease, release: false)
            let stranger = RunLease(runID: run.id, owner: "other", expiresAt: at(60))
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.save(run, lease: stranger, release: false)
            }
            _ = try await store.cancelRun(
                run.id,
                at: at(3),
                audit: .cancellation(run: run.id, by: "alice", comment: nil, at: at(3))
            )

            // Created, claimed, saved, cancelled: four changes; each shows the run as it is now.
            let all = try await store.runChanges(after: start.newest, limit: 100)
            try require(all.changes.count == 4, "one per write: \(all.changes.count)")
            try require(all.changes.allSatisfy { $0.state["id"] == "run-1" }, "of the run")
            try require(
                all.changes.allSatisfy {
                    $0.state["status"] == "running" && $0.state["cancel_requested"] == .bool(true)
                },
                "the run as it is now"
            )
            let numbers = all.changes.map(\.sequence)
            try require(numbers == numbers.sorted() && Set(numbers).count == 4, "increasing: \(numbers)")
            try require(all.newest == numbers.last && (all.oldest ?? .max) <= numbers[0], "bounds")
            let after = try await store.runChanges(after: numbers[1], limit: 1)
            try require(after.changes.map(\.sequence) == [numbers[2]], "after a number, at most limit")
        }
    ]
}
