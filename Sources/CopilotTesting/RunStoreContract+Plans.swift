import CopilotCore
import CopilotExpressions
import Foundation

extension RunStoreContract {
    static let planChecks: [Check] = [
        check("a plan is stored with its transcript and both read back; a re-plan replaces the transcript") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "claimable", line: #line)
            }
            try require(
                try await store.transcript(claimed.run.id) == nil,
                "a run no model planned has no transcript"
            )
            let plan = RunPlan(
                provider: "anthropic",
                model: "claude-test",
                status: .planned,
                summary: "roll back, then verify",
                attempts: 2,
                latencyMilliseconds: 840,
                usage: TokenUsage(inputTokens: 1200, outputTokens: 85),
                steps: [
                    Plan.Step(
                        id: StepID(rawValue: "undo"),
                        uses: "deploy.rollback",
                        with: ["service": "payments-api", "note": "${{ secrets.X }}"],
                        reason: "the deploy preceded the errors"
                    )
                ]
            )
            var run = claimed.run
            run.recordPlan(plan, at: at(2))
            var transcript = PlannerConversation(
                system: "plan it",
                turns: [
                    .user("the event"), .toolCall(id: "toolu_1", input: ["summary": "x", "steps": []]),
                    .toolResult(id: "toolu_1", content: "- steps: at least 1", isError: true),
                    .toolCall(id: "toolu_2", input: ["summary": "roll back", "steps": []]),
                ],
                toolDescription: "Submit the plan.",
                toolSchema: ["type": "object"]
            )
            _ = try await store.savePlan(run, transcript: transcript, lease: claimed.lease, release: false)
            let stored = try await store.run(run.id)
            try require(stored?.plan == plan, "the plan record round-trips: \(String(describing: stored?.plan))")
            try require(stored?.planner == "anthropic", "planner names the provider whose steps run")
            try require(stored?.steps.map(\.id.rawValue) == ["undo"], "the plan's steps replace the playbook's")
            try require(try await store.transcript(run.id) == transcript, "the transcript round-trips")
            transcript.turns.append(.user("a step failed"))
            _ = try await store.savePlan(run, transcript: transcript, lease: claimed.lease, release: false)
            try require(try await store.transcript(run.id) == transcript, "a later plan replaces the transcript")
            let stranger = RunLease(runID: run.id, owner: "other", expiresAt: at(60))
            try await requireError(.conflict) { () throws(RunStoreError) in
                try await store.savePlan(run, transcript: transcript, lease: stranger, release: false)
            }
        },
        check("a save stores exactly the run's steps: steps it no longer has are gone") { store in
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a")])
            guard let claimed = try await store.claimRun(owner: "w", lease: .seconds(60), now: at(1)) else {
                throw Failure(message: "claimable", line: #line)
            }
            var run = claimed.run
            run.steps = [RunStep(id: StepID(rawValue: "planned"), uses: "incident.update")]
            _ = try await store.save(run, lease: claimed.lease, release: false)
            let stored = try await store.run(run.id)
            try require(stored?.steps.map(\.id.rawValue) == ["planned"], "got \(String(describing: stored?.steps))")
        },
        check("recent runs: the same playbook and subject, created before the run, newest first") { store in
            // What the planner is shown of a run: its status and its steps' actions and outcomes, in order.
            var ended = newRun("run-3", event: "c", subject: "payments")
            ended.status = .failed
            ended.steps = [
                RunStep(id: StepID(rawValue: "rollback"), uses: "orchestrator.run", outcome: .failure),
                RunStep(id: StepID(rawValue: "verify"), uses: "testbench.run"),
            ]
            try await seed(store, event: "a", runs: [newRun("run-1", event: "a", subject: "payments")])
            try await seed(store, event: "b", runs: [newRun("run-2", event: "b", subject: "search")])
            try await seed(
                store,
                event: "c",
                runs: [
                    ended,
                    newRun("run-4", event: "c", playbook: "notify", subject: "payments"),
                ]
            )
            try await seed(store, event: "d", runs: [newRun("run-5", event: "d", subject: "payments")])
            try await seed(store, event: "e", runs: [newRun("run-6", event: "e", subject: "payments")])
            let recent = try await store.recentRuns(
                playbook: PlaybookName(rawValue: "rollback"),
                subject: "payments",
                before: RunID(rawValue: "run-5"),
                limit: 5
            )
            try require(recent.map(\.id.rawValue) == ["run-3", "run-1"], "got \(recent.map(\.id.rawValue))")
            try require(
                recent.first
                    == PastRun(
                        id: RunID(rawValue: "run-3"),
                        status: .failed,
                        steps: [
                            .init(uses: "orchestrator.run", outcome: .failure),
                            .init(uses: "testbench.run", outcome: nil),
                        ]
                    ),
                "got \(String(describing: recent.first))"
            )
            let limited = try await store.recentRuns(
                playbook: PlaybookName(rawValue: "rollback"),
                subject: "payments",
                before: RunID(rawValue: "run-6"),
                limit: 2
            )
            try require(
                limited.map(\.id.rawValue) == ["run-5", "run-3"],
                "at most limit: \(limited.map(\.id.rawValue))"
            )
        },
        check("a claim brings the recent runs of each run still to plan, of the playbooks asked for, only") { store in
            var ended = newRun("run-1", event: "a", subject: "payments")
            ended.status = .failed
            var cancelled = newRun("run-5", event: "e", subject: "payments")
            cancelled.cancelRequested = true
            try await seed(store, event: "a", runs: [ended])
            try await seed(store, event: "b", runs: [newRun("run-2", event: "b", subject: "payments")])
            try await seed(
                store,
                event: "c",
                runs: [newRun("run-3", event: "c", playbook: "notify", subject: "payments")]
            )
            try await seed(store, event: "d", runs: [newRun("run-4", event: "d", subject: "payments")])
            try await seed(store, event: "e", runs: [cancelled])
            try await seed(store, event: "f", runs: [newRun("run-6", event: "f", subject: "search")])
            let claimed = try await store.claimRuns(
                owner: "w",
                limit: 10,
                lease: .seconds(60),
                now: at(1),
                recentRuns: RecentRunsQuery(playbooks: [PlaybookName(rawValue: "rollback")], limit: 5)
            )
            let recent = Dictionary(uniqueKeysWithValues: claimed.map { ($0.run.id.rawValue, $0.recentRuns) })
            try require(
                recent.keys.sorted() == ["run-2", "run-3", "run-4", "run-5", "run-6"],
                "claimed \(recent.keys.sorted())"
            )
            try require(
                recent["run-6"] == .some([]),
                "no earlier run: an empty history, \(String(describing: recent["run-6"]))"
            )
            try require(recent["run-2"]??.map(\.id.rawValue) == ["run-1"], "got \(String(describing: recent["run-2"]))")
            // Runs claimed before it in the same claim are in its history, as claimed.
            let history = try await store.recentRuns(
                playbook: PlaybookName(rawValue: "rollback"),
                subject: "payments",
                before: RunID(rawValue: "run-4"),
                limit: 5
            )
            try require(history.map(\.id.rawValue) == ["run-2", "run-1"], "got \(history.map(\.id.rawValue))")
            try require(
                recent["run-4"] == .some(history),
                "the claim reads what recentRuns reads: \(String(describing: recent["run-4"]))"
            )
            try require(recent["run-3"] == .some(nil), "a playbook not asked for brings none")
            try require(recent["run-5"] == .some(nil), "a run with nothing to plan (cancel requested) brings none")
            try require(
                try await store.claimRuns(owner: "w", limit: 10, lease: .seconds(60), now: at(120)).allSatisfy {
                    $0.recentRuns == nil
                },
                "a claim that asks for none brings none"
            )
        },
    ]
}
