import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import Testing

@Suite struct RunStateMachineTests {
    typealias F = RunFixtures

    /// One table row: steps, scripted replies, and the end the contract requires.
    struct Scenario: Sendable, CustomTestStringConvertible {
        var name: String
        var steps: [Step]
        var replies: [String: [F.Reply]] = [:]
        var status: RunStatus
        var outcomes: [StepOutcome]
        var failedStep: String?
        var sent: [String]

        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "happy path: every step succeeds in order",
            steps: [F.step("a"), F.step("b"), F.step("c")],
            status: .succeeded,
            outcomes: [.success, .success, .success],
            sent: ["a", "b", "c"]
        ),
        Scenario(
            name: "a failure skips default steps and runs failure() and always() steps",
            steps: [F.step("a"), F.step("b"), F.step("report", if: "${{ failure() }}"), F.step("log", if: "always()")],
            replies: ["a": [.fail()]],
            status: .failed,
            outcomes: [.failure, .skipped, .success, .success],
            failedStep: "a",
            sent: ["a", "report", "log"]
        ),
        Scenario(
            name: "continue_on_error: the failure neither stops the steps nor fails the run",
            steps: [F.step("a", continueOnError: true), F.step("b"), F.step("report", if: "${{ failure() }}")],
            replies: ["a": [.fail()]],
            status: .succeeded,
            outcomes: [.failure, .success, .skipped],
            sent: ["a", "b"]
        ),
        Scenario(
            name: "a false if: skips the step only",
            steps: [F.step("a", if: "${{ event.payload.env == 'staging' }}"), F.step("b")],
            status: .succeeded,
            outcomes: [.skipped, .success],
            sent: ["b"]
        ),
        Scenario(
            name: "forbidden fails the run even with continue_on_error",
            steps: [F.step("a", continueOnError: true), F.step("b"), F.step("log", if: "${{ always() }}")],
            replies: ["a": [F.Reply(outcome: .forbidden, error: "forbidden")]],
            status: .failed,
            outcomes: [.forbidden, .skipped, .success],
            failedStep: "a",
            sent: ["a", "log"]
        ),
        Scenario(
            name: "failed_step is the first failure; later failures do not move it",
            steps: [F.step("a"), F.step("b", if: "failure()"), F.step("c", if: "always()")],
            replies: ["a": [.fail()], "b": [.fail()]],
            status: .failed,
            outcomes: [.failure, .failure, .success],
            failedStep: "a",
            sent: ["a", "b", "c"]
        ),
        Scenario(
            name: "a retryable failure is retried until it succeeds",
            steps: [F.step("a", retry: StepRetry(attempts: 3, backoffSeconds: 2)), F.step("b")],
            replies: ["a": [.fail("http 503", retryable: true), .fail("http 503", retryable: true), .ok]],
            status: .succeeded,
            outcomes: [.success, .success],
            sent: ["a", "a", "a", "b"]
        ),
        Scenario(
            name: "retries stop at retry.attempts; a permanent failure is not retried",
            steps: [
                F.step("a", retry: StepRetry(attempts: 2)),
                F.step("b", if: "always()", retry: StepRetry(attempts: 5), continueOnError: true),
            ],
            replies: ["a": [.fail("http 503", retryable: true), .fail("http 503", retryable: true)], "b": [.fail()]],
            status: .failed,
            outcomes: [.failure, .failure],
            failedStep: "a",
            sent: ["a", "a", "b"]
        ),
        Scenario(
            name: "an if: that cannot be evaluated fails the step",
            steps: [F.step("a", if: "${{ format('{0}') }}"), F.step("b", if: "always()")],
            status: .failed,
            outcomes: [.failure, .success],
            failedStep: "a",
            sent: ["b"]
        ),
    ]

    @Test("runs a playbook to the end the contract requires", arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        var machine = F.machine(scenario.steps)
        var now = F.t0
        var random = SeededGenerator(seed: 7)
        let (sent, last) = try F.drive(&machine, replies: scenario.replies, now: &now, random: &random)
        let failedStep = scenario.failedStep.map(StepID.init(rawValue:))
        #expect(last == .finish(scenario.status, failedStep: failedStep))
        #expect(sent == scenario.sent)
        #expect(machine.run.status == scenario.status)
        #expect(machine.run.failedStep == failedStep)
        #expect(machine.run.steps.map(\.outcome) == scenario.outcomes)
        #expect(
            machine.run.steps.filter { $0.outcome == .skipped }.allSatisfy { $0.outputs == nil && $0.attempts == 0 }
        )
        #expect(machine.next(at: now) == last, "an ended run stays ended")
    }

    @Test("later steps see earlier outputs, outcomes and the run in their if: and with:")
    func outputsFlowToLaterSteps() throws {
        var machine = F.machine([
            F.step("verify"),
            F.step(
                "resolve",
                if: "${{ steps.verify.outputs.passed > 2 }}",
                with: [
                    "notes": "${{ steps.verify.outputs.passed }}/${{ steps.verify.outputs.total }} passed",
                    "total": "${{ steps.verify.outputs.total }}",
                    "run": "${{ run.id }} attempt ${{ run.attempt }} ${{ steps.verify.outcome }} ${{ playbook.name }}",
                    "incident": "${{ event.payload.incident.id }}",
                ]
            ),
        ])
        guard case .runStep(let verify) = machine.next(at: F.t0) else { throw Failure.unexpected }
        #expect(verify.idempotencyKey == "run-1:verify" && verify.attempt == 1)
        #expect(verify.timeout == .seconds(300))
        try machine.apply(
            .stepFinished(
                verify.step,
                outcome: .success,
                outputs: ["passed": 3, "total": 5],
                error: nil,
                retryable: false
            ),
            at: F.t0 + 1
        )
        guard case .runStep(let resolve) = machine.next(at: F.t0 + 2) else { throw Failure.unexpected }
        #expect(resolve.inputs["notes"] == "3/5 passed")
        #expect(resolve.inputs["total"] == 5)
        #expect(resolve.inputs["run"] == "run-1 attempt 1 success remediate")
        #expect(resolve.inputs["incident"] == "inc-7")
        #expect(machine.run.steps[0].outputs == ["passed": 3, "total": 5])
    }

    @Test("a failure() step can report run.failed_step")
    func failedStepInContext() throws {
        var machine = F.machine([
            F.step("rollback"), F.step("report", if: "failure()", with: ["notes": "failed at ${{ run.failed_step }}"]),
        ])
        var now = F.t0
        var random = SeededGenerator(seed: 1)
        guard case .runStep(let first) = machine.next(at: now) else { throw Failure.unexpected }
        try machine.apply(
            .stepFinished(first.step, outcome: .failure, outputs: nil, error: "x", retryable: false),
            at: now,
            using: &random
        )
        now += 1
        guard case .runStep(let report) = machine.next(at: now) else { throw Failure.unexpected }
        #expect(report.inputs["notes"] == "failed at rollback")
    }

    @Test("a with: value that cannot be rendered fails the step before anything is sent")
    func renderFailure() throws {
        var machine = F.machine([F.step("a", with: ["notes": "${{ format('{0}') }}"])])
        var now = F.t0
        var random = SeededGenerator(seed: 1)
        let (sent, last) = try F.drive(&machine, now: &now, random: &random)
        #expect(sent.isEmpty)
        #expect(last == .finish(.failed, failedStep: StepID(rawValue: "a")))
        #expect(machine.run.steps[0].error?.hasPrefix("with.notes:") == true)
    }

    enum Failure: Error { case unexpected }
}
