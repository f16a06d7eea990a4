import CopilotCore
import CopilotTesting
import Foundation
import Testing

@Suite struct RunStateMachineApprovalTests {
    typealias F = RunFixtures

    static let approvalSteps = [
        F.step("rollback", approval: .required, approvalTimeout: 60),
        F.step("verify"),
        F.step("report", if: "${{ always() }}"),
        F.step("cleanup", if: "cancelled()"),
    ]

    @Test("a step needing approval parks the run until it is approved, then runs")
    func approve() throws {
        var machine = F.machine(Self.approvalSteps)
        var now = F.t0
        var random = SeededGenerator(seed: 3)
        let deadline = F.t0 + 60
        #expect(
            try F.drive(&machine, now: &now, random: &random).last
                == .awaitApproval(StepID(rawValue: "rollback"), deadline: deadline)
        )
        #expect(machine.run.status == .awaitingApproval && machine.run.wakeAt == deadline)
        #expect(
            machine.next(at: now + 10) == .awaitApproval(StepID(rawValue: "rollback"), deadline: deadline),
            "asked once"
        )
        try machine.apply(.approved(by: "alice", comment: "go", at: now + 20), at: now + 20)
        #expect(machine.run.status == .running)
        now += 20
        let (sent, last) = try F.drive(&machine, now: &now, random: &random)
        #expect(sent == ["rollback", "verify", "report"])
        #expect(last == .finish(.succeeded, failedStep: nil))
        #expect(
            machine.run.steps[0].approval
                == ApprovalDecision(decision: .approved, by: "alice", comment: "go", at: F.t0 + 20)
        )
        #expect(machine.run.steps.map(\.outcome) == [.success, .success, .success, .skipped])
    }

    /// How the wait for a decision ends, and what the contract requires then.
    enum Ending: String, CaseIterable, Sendable {
        case rejected, timedOutEvent, deadlinePassed, cancelled
    }

    @Test("reject, approval timeout and cancel skip what is left except always() steps", arguments: Ending.allCases)
    func endWhileWaiting(_ ending: Ending) throws {
        var machine = F.machine(Self.approvalSteps)
        var now = F.t0
        var random = SeededGenerator(seed: 3)
        _ = try F.drive(&machine, now: &now, random: &random)
        switch ending {
        case .rejected: try machine.apply(.rejected(by: "bob", comment: "not now", at: now + 5), at: now + 5)
        case .timedOutEvent: try machine.apply(.approvalTimedOut(at: now + 60), at: now + 60)
        case .deadlinePassed: now += 61
        case .cancelled: try machine.apply(.cancelled(at: now + 5), at: now + 5)
        }
        let (sent, last) = try F.drive(&machine, now: &now, random: &random)
        let status: RunStatus = ending == .cancelled ? .cancelled : .rejected
        #expect(last == .finish(status, failedStep: nil))
        #expect(sent == (ending == .cancelled ? ["report", "cleanup"] : ["report"]))
        #expect(machine.run.steps[0].outcome == .skipped && machine.run.steps[1].outcome == .skipped)
        switch ending {
        case .rejected: #expect(machine.run.steps[0].approval?.by == "bob")
        case .timedOutEvent, .deadlinePassed: #expect(machine.run.steps[0].approval?.by == "timeout")
        case .cancelled: #expect(machine.run.steps[0].approval == nil)
        }
    }

    @Test("a cancel while a step is in flight lets the step end, then runs only always() steps")
    func cancelInFlight() throws {
        var machine = F.machine([F.step("a"), F.step("b"), F.step("report", if: "always()")])
        var random = SeededGenerator(seed: 3)
        guard case .runStep(let a) = machine.next(at: F.t0) else { throw Failure.unexpected }
        try machine.apply(.cancelled(at: F.t0 + 1), at: F.t0 + 1)
        try machine.apply(
            .stepFinished(a.step, outcome: .cancelled, outputs: nil, error: "cancelled", retryable: false),
            at: F.t0 + 2,
            using: &random
        )
        var now = F.t0 + 3
        let (sent, last) = try F.drive(&machine, now: &now, random: &random)
        #expect(sent == ["report"])
        #expect(last == .finish(.cancelled, failedStep: nil))
        #expect(machine.run.steps.map(\.outcome) == [.cancelled, .skipped, .success])
    }

    @Test("decisions and cancels that do not fit the run's state are refused")
    func conflicts() throws {
        var machine = F.machine([F.step("a")])
        #expect(throws: RunTransitionError.notAwaitingApproval) {
            try machine.apply(.approved(by: "alice", comment: nil, at: F.t0), at: F.t0)
        }
        var now = F.t0
        var random = SeededGenerator(seed: 3)
        _ = try F.drive(&machine, now: &now, random: &random)
        #expect(throws: RunTransitionError.alreadyFinished) { try machine.apply(.cancelled(at: now), at: now) }
        #expect(throws: RunTransitionError.notAwaitingApproval) {
            try machine.apply(.approvalTimedOut(at: now), at: now)
        }
        #expect(throws: RunTransitionError.self) {
            try machine.apply(
                .stepFinished(StepID(rawValue: "a"), outcome: .success, outputs: nil, error: nil, retryable: false),
                at: now
            )
        }
    }

    enum Failure: Error { case unexpected }
}
