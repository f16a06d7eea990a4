import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

/// CONTRACT §4a in the run lifecycle: a plan replaces the playbook's steps before any starts, and a
/// re-plan answers a failed planned step with steps that run after those already done.
@Suite struct RunStateMachinePlanTests {
    static let playbook = Playbook(
        name: PlaybookName(rawValue: "remediate"),
        file: "Playbooks/remediate.yaml",
        triggers: [],
        agent: PlaybookAgent(instructions: "fix it", allowed: ["deploy.rollback", "incident.update"]),
        steps: [
            Step(id: StepID(rawValue: "rollback"), uses: "deploy.rollback", approval: .required),
            Step(id: StepID(rawValue: "note"), uses: "incident.update"),
        ]
    )

    static func planned(_ ids: [(String, ActionName)]) -> [Plan.Step] {
        ids.map { Plan.Step(id: StepID(rawValue: $0.0), uses: $0.1, with: ["notes": "${{ secrets.X }}"], reason: "r") }
    }

    static func machine(planning steps: [Plan.Step]) -> RunStateMachine {
        let run = Run(
            id: RunID(rawValue: "run-1"),
            eventID: RunFixtures.event.id,
            playbook: playbook,
            subject: "payments",
            concurrencyKey: nil,
            createdAt: RunFixtures.t0
        )
        var machine = RunStateMachine(run: run, playbook: playbook, event: RunFixtures.event)
        #expect(machine.needsPlan)
        machine.recordPlan(
            RunPlan(provider: "anthropic", model: "m", status: .planned, summary: "s", attempts: 1, steps: steps),
            at: RunFixtures.t0
        )
        #expect(!machine.needsPlan, "a run is planned once")
        return machine
    }

    @Test("a plan's steps run in its order, with the playbook's gates and its values taken literally")
    func planReplacesSteps() throws {
        var machine = Self.machine(planning: Self.planned([("a", "incident.update"), ("b", "deploy.rollback")]))
        #expect(machine.run.planner == "anthropic")
        #expect(machine.run.steps.map(\.id.rawValue) == ["a", "b"])
        var now = RunFixtures.t0
        var random = SeededGenerator(seed: 1)
        guard case .runStep(let first) = machine.next(at: now) else {
            Issue.record("the first planned step runs")
            return
        }
        #expect(first.inputs["notes"] == "${{ secrets.X }}", "never evaluated")
        try machine.apply(
            .stepFinished(first.step, outcome: .success, outputs: [:], error: nil, retryable: false),
            at: now
        )
        now += 1
        let (sent, last) = try RunFixtures.drive(&machine, now: &now, random: &random)
        #expect(sent.isEmpty)
        #expect(last == .awaitApproval(StepID(rawValue: "b"), deadline: nil), "deploy.rollback keeps its approval")
    }

    @Test("a fallback keeps the playbook's steps and says why")
    func fallbackKeepsSteps() {
        let run = Run(
            id: RunID(rawValue: "run-1"),
            eventID: RunFixtures.event.id,
            playbook: Self.playbook,
            concurrencyKey: nil,
            createdAt: RunFixtures.t0
        )
        var machine = RunStateMachine(run: run, playbook: Self.playbook, event: RunFixtures.event)
        machine.recordPlan(RunPlan(provider: "openai", status: .fallback, reason: "timeout"), at: RunFixtures.t0)
        #expect(machine.run.planner == Run.playbookPlanner)
        #expect(machine.run.steps.map(\.id.rawValue) == ["rollback", "note"])
        #expect(machine.replannableFailure == nil)
    }

    @Test("a re-plan answers a failed planned step: the rest of the old plan is skipped, the new steps run")
    func replanAfterFailure() throws {
        var machine = Self.machine(
            planning: Self.planned([("a", "incident.update"), ("b", "incident.update"), ("c", "incident.update")])
        )
        var now = RunFixtures.t0
        var random = SeededGenerator(seed: 1)
        guard case .runStep(let first) = machine.next(at: now) else {
            Issue.record("the first planned step runs")
            return
        }
        try machine.apply(
            .stepFinished(first.step, outcome: .failure, outputs: nil, error: "http 500", retryable: false),
            at: now
        )
        #expect(machine.replannableFailure == StepID(rawValue: "a"))
        var record = try #require(machine.run.plan)
        record.replans += 1
        machine.replan(
            answering: StepID(rawValue: "a"),
            with: record,
            adding: Self.planned([("d", "incident.update")]),
            at: now
        )
        #expect(machine.replannableFailure == nil)
        #expect(machine.run.failedStep == nil, "the failure a re-plan answered no longer fails the run")
        #expect(machine.run.steps.map(\.outcome) == [.failure, .skipped, .skipped, nil])
        #expect(machine.run.steps[1].error == RunStateMachine.replacedByReplan)
        let (sent, last) = try RunFixtures.drive(&machine, now: &now, random: &random)
        #expect(sent == ["d"])
        #expect(last == .finish(.succeeded, failedStep: nil))
        #expect(machine.run.plan?.replannedFailures == [StepID(rawValue: "a")])
        #expect(machine.run.plan?.steps.map(\.id.rawValue) == ["a", "b", "c", "d"])
    }

    @Test("a re-plan that gives no steps leaves the failure standing")
    func emptyReplan() throws {
        var machine = Self.machine(planning: Self.planned([("a", "incident.update"), ("b", "incident.update")]))
        var now = RunFixtures.t0
        var random = SeededGenerator(seed: 1)
        var replies: [String: [RunFixtures.Reply]] = ["a": [.fail()]]
        guard case .runStep(let first) = machine.next(at: now) else {
            Issue.record("the first planned step runs")
            return
        }
        try machine.apply(
            .stepFinished(first.step, outcome: .failure, outputs: nil, error: "x", retryable: false),
            at: now
        )
        replies = [:]
        var record = try #require(machine.run.plan)
        record.replans = 1
        record.reason = "timeout"
        machine.replan(answering: first.step, with: record, adding: [], at: now)
        #expect(machine.replannableFailure == nil, "a re-plan without steps ends the re-planning")
        let (sent, last) = try RunFixtures.drive(&machine, replies: replies, now: &now, random: &random)
        #expect(sent.isEmpty)
        #expect(last == .finish(.failed, failedStep: StepID(rawValue: "a")))
        #expect(machine.run.plan?.reason == "timeout")
    }

    @Test("a failure with continue_on_error is not re-planned; a cancelled run is not either")
    func notReplannable() throws {
        var machine = Self.machine(planning: Self.planned([("a", "incident.update"), ("b", "incident.update")]))
        let now = RunFixtures.t0
        guard case .runStep(let first) = machine.next(at: now) else {
            Issue.record("the first planned step runs")
            return
        }
        try machine.apply(.cancelled(at: now), at: now)
        try machine.apply(
            .stepFinished(first.step, outcome: .failure, outputs: nil, error: "x", retryable: false),
            at: now
        )
        #expect(machine.replannableFailure == nil)
    }

    @Test("the plan record and the transcript read back as written")
    func roundTrips() throws {
        let plan = RunPlan(
            provider: "anthropic",
            model: "claude",
            status: .planned,
            reason: nil,
            summary: "roll back",
            attempts: 2,
            replans: 1,
            latencyMilliseconds: 1234,
            usage: TokenUsage(inputTokens: 10, outputTokens: 5),
            steps: Self.planned([("a", "incident.update")]),
            replannedFailures: [StepID(rawValue: "a")]
        )
        #expect(RunPlan(jsonValue: try JSONValue(parsing: plan.jsonValue.jsonText)) == plan)
        #expect(plan.jsonValue["latency_ms"] == 1234)
        #expect(plan.jsonValue["usage"]?["input_tokens"] == 10)
        let conversation = PlannerConversation(
            system: "sys",
            turns: [
                .user("u"), .toolCall(id: "c1", input: ["summary": "s"]),
                .toolResult(id: "c1", content: "bad", isError: true),
            ],
            toolDescription: "d",
            toolSchema: ["type": "object"]
        )
        let text = conversation.jsonValue.jsonText
        #expect(PlannerConversation(jsonValue: try JSONValue(parsing: text)) == conversation)
        #expect(
            conversation.jsonValue["messages"]?.arrayValue?.map { $0["role"] } == [
                "system", "user", "assistant", "tool",
            ]
        )
        #expect(RunPlan(jsonValue: ["status": "planned"]) == nil, "no provider: not a record")
    }

    @Test("a resumed session answers the plan's last tool call and keeps every used id")
    func resumedSession() {
        let offer = PlannerOffer(
            agent: Self.playbook.agent!,
            runAs: nil,
            serviceAccounts: .unrestricted,
            catalogue: .builtIn
        )
        let conversation = PlannerConversation(
            system: "sys",
            turns: [.user("u"), .toolCall(id: "c1", input: ["summary": "s"])],
            toolDescription: "d",
            toolSchema: ["type": "object"]
        )
        let plan = RunPlan(provider: "anthropic", status: .planned, attempts: 1, usage: TokenUsage(inputTokens: 7))
        var session = PlanningSession(
            resuming: conversation,
            plan: plan,
            usedIDs: [StepID(rawValue: "a")],
            offer: offer,
            maxSteps: 8,
            maxReplans: 1,
            secrets: []
        )
        #expect(session.attempts == 1 && session.usage.inputTokens == 7)
        let failed = RunStep(id: StepID(rawValue: "a"), uses: "incident.update", outcome: .failure, error: "boom")
        guard case .ask(let asked)? = session.replan(after: [failed]) else {
            Issue.record("a re-plan is asked")
            return
        }
        guard case .toolResult(let id, _, false) = asked.turns[2] else {
            Issue.record("the outcomes answer the plan's call")
            return
        }
        #expect(id == "c1")
        let reused = session.receive(
            PlannerReply(
                toolCallID: "c2",
                input: [
                    "summary": "s", "steps": [["id": "a", "uses": "incident.update", "with": [:], "reason": "r"]],
                ],
                model: "m",
                usage: TokenUsage()
            )
        )
        guard case .ask = reused else {
            Issue.record("an id already used is refused: \(reused)")
            return
        }
        #expect(session.replan(after: []) == nil, "one re-plan only")
    }
}
