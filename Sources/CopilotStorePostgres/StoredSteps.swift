import CopilotCore
import CopilotExpressions

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A run's steps as one JSON document on its row (`runs.steps`): the aggregate is read and written
/// whole, so one column costs one round trip where a table per part costs one per step and attempt.
/// Dates keep `Date`'s own encoding, so they round-trip exactly.
enum StoredSteps {
    private struct Step: Codable {
        var id: StepID
        var uses: ActionName
        var outcome: StepOutcome?
        var history: [StepAttempt]
        var outputs: JSONValue?
        var error: String?
        var startedAt: Date?
        var finishedAt: Date?
        var approvalRequestedAt: Date?
        var approval: ApprovalDecision?
    }

    static func encode(_ steps: [RunStep]) throws -> String {
        let stored = steps.map { step in
            Step(
                id: step.id,
                uses: step.uses,
                outcome: step.outcome,
                history: step.history,
                outputs: step.outputs.map(JSONValue.object),
                error: step.error,
                startedAt: step.startedAt,
                finishedAt: step.finishedAt,
                approvalRequestedAt: step.approvalRequestedAt,
                approval: step.approval
            )
        }
        return String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
    }

    static func decode(_ text: String) throws -> [RunStep] {
        try JSONDecoder().decode([Step].self, from: Data(text.utf8)).map { step in
            RunStep(
                id: step.id,
                uses: step.uses,
                outcome: step.outcome,
                history: step.history,
                outputs: step.outputs?.objectValue,
                error: step.error,
                startedAt: step.startedAt,
                finishedAt: step.finishedAt,
                approvalRequestedAt: step.approvalRequestedAt,
                approval: step.approval
            )
        }
    }
}
