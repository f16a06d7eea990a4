import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

@Suite struct RunModelTests {
    typealias F = RunFixtures

    @Test("a matched playbook becomes a pending run with its rendered concurrency key and cooldown")
    func newRun() throws {
        var playbook = F.playbook([F.step("a"), F.step("b")])
        playbook.concurrency = PlaybookConcurrency(
            key: try Template(
                parsing: "${{ event.subject }}-${{ playbook.name }}",
                allowedNames: Playbook.playbookContextNames
            ),
            limit: 2
        )
        playbook.cooldownSeconds = 600
        let new = try playbook.newRun(
            id: RunID(rawValue: "run-9"),
            for: F.event,
            traceparent: "00-abc-def-01",
            at: F.t0
        )
        #expect(new.cooldownSeconds == 600)
        #expect(new.run.concurrencyKey == "payments-remediate" && new.run.concurrencyLimit == 2)
        #expect(new.run.status == .pending && new.run.planner == "playbook")
        #expect(new.run.steps.map(\.id.rawValue) == ["a", "b"] && new.run.steps.allSatisfy { $0.outcome == nil })
        #expect(new.run.idempotencyKey(for: StepID(rawValue: "b")) == "run-9:b")
        #expect(try F.playbook([F.step("a")]).concurrencyKey(for: F.event) == nil)
    }

    @Test("run statuses and outcomes use the contract's names")
    func names() {
        #expect(
            RunStatus.allCases.map(\.rawValue) == [
                "pending", "planning", "awaiting_approval", "running", "succeeded", "failed", "cancelled", "rejected",
            ]
        )
        #expect(RunStatus.allCases.filter(\.isFinal) == [.succeeded, .failed, .cancelled, .rejected])
        #expect(StepOutcome.allCases.map(\.rawValue) == ["success", "failure", "skipped", "cancelled", "forbidden"])
    }

    @Test("a run renders as the API's JSON")
    func json() throws {
        var machine = F.machine([F.step("a")])
        var now = F.t0
        var random = SeededGenerator(seed: 1)
        _ = try F.drive(
            &machine,
            replies: ["a": [F.Reply(outcome: .success, outputs: ["passed": 3])]],
            now: &now,
            random: &random
        )
        let summary = machine.run.jsonValue()
        #expect(summary["status"] == "succeeded" && summary["event_id"] == "evt-1" && summary["failed_step"] == .null)
        #expect(summary["created_at"] == .string(F.t0.formatted(.iso8601)))
        let step = try #require(summary["steps"]?.arrayValue?.first)
        #expect(
            step == [
                "id": "a", "uses": "incident.update", "outcome": "success", "attempts": 1, "outputs": ["passed": 3],
                "error": nil,
            ]
        )
        let detailed = try #require(machine.run.jsonValue(details: true)["steps"]?.arrayValue?.first)
        #expect(detailed["attempt_history"]?.arrayValue?.count == 1)
        #expect(detailed["approval"] == .null)
    }
}
