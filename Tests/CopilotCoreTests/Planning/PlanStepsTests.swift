import CopilotCore
import CopilotExpressions
import Foundation
import Testing

@Suite struct PlanStepsTests {
    static let playbook = Playbook(
        name: PlaybookName(rawValue: "payments-rollback"),
        file: "p.yaml",
        triggers: [],
        agent: PlaybookAgent(instructions: "fix it", allowed: ["deploy.rollback", "testbench.run"]),
        steps: [
            Step(
                id: StepID(rawValue: "rollback"),
                uses: "deploy.rollback",
                approval: .required,
                approvalTimeoutSeconds: 900,
                timeoutSeconds: 60,
                retry: StepRetry(attempts: 3),
                continueOnError: true
            ),
            Step(id: StepID(rawValue: "verify"), uses: "testbench.run", with: ["test_suite": .literal("smoke")]),
        ]
    )

    @Test("a planned step inherits the gates of the playbook's first step with the same action")
    func inheritsGates() {
        let plan = Plan(
            summary: "s",
            steps: [
                Plan.Step(
                    id: StepID(rawValue: "undo"),
                    uses: "deploy.rollback",
                    with: ["service": "payments"],
                    reason: "r"
                ),
                Plan.Step(id: StepID(rawValue: "note"), uses: "incident.update", with: [:], reason: "r"),
            ]
        )
        let steps = Self.playbook.steps(running: plan.steps)
        #expect(steps[0].approval == .required, "approval comes from the playbook, whatever the model says")
        #expect(steps[0].approvalTimeoutSeconds == 900)
        #expect(steps[0].timeoutSeconds == 60)
        #expect(steps[0].retry == StepRetry(attempts: 3))
        #expect(steps[0].continueOnError)
        #expect(steps[0].condition == nil, "if: success()")
        #expect(steps[1].approval == .none)
        #expect(steps[1].timeoutSeconds == Step.defaultTimeoutSeconds)
        #expect(!steps[1].continueOnError)
    }

    @Test("values the model gives are literals: ${{ }} in them is never evaluated")
    func literalValues() {
        let plan = Plan(
            summary: "s",
            steps: [
                Plan.Step(
                    id: StepID(rawValue: "v"),
                    uses: "testbench.run",
                    with: ["test_suite": "${{ event.payload }}"],
                    reason: ""
                )
            ]
        )
        let step = Self.playbook.steps(running: plan.steps)[0]
        #expect(step.with["test_suite"] == .literal("${{ event.payload }}"))
        #expect(step.with.values.allSatisfy { $0.isLiteral })
    }
}
