import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation

/// Playbooks, events and a scripted worker for the pure run-lifecycle tests.
enum RunFixtures {
    static let t0 = Date(timeIntervalSince1970: 1_764_000_000)

    static let event = Event(
        id: EventID(rawValue: "evt-1"),
        source: .incident,
        type: "incident.detected",
        receivedAt: t0,
        deliveryID: DeliveryID(rawValue: "del-1"),
        subject: "payments",
        payload: ["incident": ["id": "inc-7", "severity": "P1"], "env": "production"]
    )

    /// A step; `condition` is an `if:` text.
    static func step(
        _ id: String,
        if condition: String? = nil,
        with: [String: String] = [:],
        approval: Step.Approval = .none,
        approvalTimeout: Int? = nil,
        retry: StepRetry = StepRetry(),
        continueOnError: Bool = false
    ) -> Step {
        Step(
            id: StepID(rawValue: id),
            uses: "incident.update",
            with: with.mapValues { text in
                (try? TemplateValue(.string(text), allowedNames: Playbook.stepContextNames)) ?? .literal(.string(text))
            },
            condition: condition.flatMap {
                try? Template(parsingCondition: $0, allowedNames: Playbook.stepContextNames)
            },
            approval: approval,
            approvalTimeoutSeconds: approvalTimeout,
            retry: retry,
            continueOnError: continueOnError
        )
    }

    static func playbook(_ steps: [Step]) -> Playbook {
        Playbook(
            name: PlaybookName(rawValue: "remediate"),
            file: "Playbooks/remediate.yaml",
            triggers: [],
            steps: steps
        )
    }

    static func machine(_ steps: [Step]) -> RunStateMachine {
        let playbook = playbook(steps)
        let run = Run(
            id: RunID(rawValue: "run-1"),
            eventID: event.id,
            playbook: playbook,
            concurrencyKey: nil,
            createdAt: t0
        )
        return RunStateMachine(run: run, playbook: playbook, event: event)
    }

    /// What a scripted action answers.
    struct Reply: Sendable, Hashable {
        var outcome: StepOutcome
        var outputs: JSONObject?
        var error: String?
        var retryable = false

        static let ok = Reply(outcome: .success, outputs: [:])
        static func fail(_ error: String = "http 422 from incident-manager", retryable: Bool = false) -> Reply {
            Reply(outcome: .failure, outputs: nil, error: error, retryable: retryable)
        }
    }

    /// Plays a worker: runs steps with the scripted replies (default `.ok`), sleeps through retries, and
    /// stops at an approval or the end. Returns the steps sent, in order, and the last action.
    static func drive(
        _ machine: inout RunStateMachine,
        replies: [String: [Reply]] = [:],
        now: inout Date,
        random: inout SeededGenerator
    ) throws -> (sent: [String], last: RunAction) {
        var replies = replies
        var sent: [String] = []
        for _ in 0..<100 {
            let action = machine.next(at: now)
            switch action {
            case .runStep(let invocation):
                sent.append(invocation.step.rawValue)
                let reply = replies[invocation.step.rawValue]?.first ?? .ok
                if replies[invocation.step.rawValue]?.isEmpty == false {
                    replies[invocation.step.rawValue]?.removeFirst()
                }
                now += 1
                let event = RunEvent.stepFinished(
                    invocation.step,
                    outcome: reply.outcome,
                    outputs: reply.outputs,
                    error: reply.error,
                    retryable: reply.retryable
                )
                try machine.apply(event, at: now, using: &random)
            case .retry(_, let after):
                now += Double(after.components.seconds) + Double(after.components.attoseconds) / 1e18
            case .awaitApproval, .finish:
                return (sent, action)
            }
        }
        return (sent, .finish(.failed, failedStep: nil))
    }
}
