import CopilotCore
import Foundation

extension RunStoreContract {
    /// Seeds one run, claims it and parks it waiting for a decision on its first step.
    static func awaitingRun(_ store: any RunStore, deadline: Date? = nil) async throws -> Run {
        try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
        guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
            throw Failure(message: "claimable", line: #line)
        }
        var run = claimed.run
        run.status = .awaitingApproval
        run.steps[0].approvalRequestedAt = at(2)
        run.wakeAt = deadline
        return try await store.save(run, lease: claimed.lease, release: true)
    }

    /// `decideApproval` with its audit record.
    static func decide(
        _ store: any RunStore,
        _ id: RunID,
        _ decision: ApprovalDecision
    ) async throws(RunStoreError) -> Run {
        try await store.decideApproval(id, decision: decision, audit: .decision(decision, run: id))
    }

    /// `cancelRun` by `alice`, with its audit record.
    static func cancel(_ store: any RunStore, _ id: RunID, at time: Date) async throws(RunStoreError) -> Run {
        try await store.cancelRun(id, at: time, audit: .cancellation(run: id, by: "alice", comment: nil, at: time))
    }

    static let decisionChecks: [Check] = [
        check("an approval is stored on the waiting step; a second decision conflicts") { store in
            let run = try await awaitingRun(store)
            try require(run.stepAwaitingApproval?.rawValue == "rollback", "waits on its first step")
            try require(try await store.claimRun(owner: "w", lease: .seconds(60), now: at(500)) == nil, "no deadline")
            let decision = ApprovalDecision(decision: .approved, by: "alice", comment: "go", at: at(10))
            let approved = try await decide(store, run.id, decision)
            try require(approved.status == .running && approved.steps[0].approval == decision, "approved")
            try require(try await store.run(run.id) == approved, "the decision is durable")
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await decide(store, run.id, decision)
            }
            try await requireError(.notFound) { () throws(RunStoreError) in
                try await decide(store, RunID(rawValue: "run-missing"), decision)
            }
            let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(11))
            try require(claimed?.run.id == run.id, "an approved run goes back to the workers")
        },
        check("a rejection is stored and hands the run back; a timed-out approval is claimable") { store in
            let run = try await awaitingRun(store, deadline: at(100))
            try require(
                try await store.claimRun(owner: "w", lease: .seconds(60), now: at(99)) == nil,
                "before deadline"
            )
            guard let timing = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(100)) else {
                throw Failure(message: "claimable at its approval deadline", line: #line)
            }
            let late = ApprovalDecision(decision: .rejected, by: "bob", comment: nil, at: at(101))
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await decide(store, run.id, late)
            }
            _ = try await store.save(timing.run, lease: timing.lease, release: true)
            let rejected = try await decide(store, run.id, late)
            try require(rejected.status == .running && rejected.isRejected, "rejection recorded")
        },
        check("cancel marks the run, survives a worker's save, and conflicts once ended") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "claimable", line: #line)
            }
            let cancelled = try await cancel(store, claimed.run.id, at: at(2))
            try require(cancelled.cancelRequested, "marked")
            var run = claimed.run
            run.status = .running
            let saved = try await store.save(run, lease: claimed.lease, release: true)
            try require(saved.cancelRequested, "a save by the worker keeps the cancel")
            guard let again = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(3)) else {
                throw Failure(message: "a cancelled run is claimable to be finished", line: #line)
            }
            var ended = again.run
            ended.status = .cancelled
            _ = try await store.save(ended, lease: again.lease, release: true)
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await cancel(store, ended.id, at: at(4))
            }
            try await requireError(.notFound) { () throws(RunStoreError) in
                try await cancel(store, RunID(rawValue: "run-missing"), at: at(4))
            }
            try await requireError(.conflict) { () throws(RunStoreError) in
                let decision = ApprovalDecision(decision: .approved, by: "alice", at: at(5))
                return try await decide(store, ended.id, decision)
            }
        },
        check("cancel of a run waiting for approval hands it back to the workers") { store in
            let run = try await awaitingRun(store)
            let cancelled = try await cancel(store, run.id, at: at(5))
            try require(cancelled.status == .running && cancelled.cancelRequested, "running, to finish")
            let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(6))
            try require(claimed?.run.id == run.id, "claimable")
        },
    ]
}
