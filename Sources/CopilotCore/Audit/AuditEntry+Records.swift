#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

// The records the service writes, built in one place so that every store and every caller says the
// same thing the same way.
extension AuditEntry {
    /// Who acts when the service itself does (a start-up reload, an approval's timeout).
    public static let serviceActor = "copilot-agent"

    /// An approval or a rejection, by whoever `decision.by` names (an operator, or `timeout`).
    public static func decision(_ decision: ApprovalDecision, run: RunID) -> AuditEntry {
        AuditEntry(
            at: decision.at,
            actor: decision.by,
            action: decision.decision == .approved ? .runApproved : .runRejected,
            target: "run:\(run.rawValue)",
            detail: decision.comment.map { ["comment": $0] } ?? [:]
        )
    }

    public static func cancellation(run: RunID, by actor: String, comment: String?, at: Date) -> AuditEntry {
        AuditEntry(
            at: at,
            actor: actor,
            action: .runCancelRequested,
            target: "run:\(run.rawValue)",
            detail: comment.map { ["comment": $0] } ?? [:]
        )
    }

    public static func tokenCreated(_ record: APIKeyRecord, by actor: String) -> AuditEntry {
        var detail = ["name": record.name, "role": record.role]
        detail["expires_at"] = record.expiresAt?.rfc3339UTC
        return AuditEntry(
            at: record.createdAt,
            actor: actor,
            action: .tokenCreated,
            target: "token:\(record.id)",
            detail: detail
        )
    }

    public static func tokenRevoked(id: String, by actor: String, at: Date) -> AuditEntry {
        AuditEntry(at: at, actor: actor, action: .tokenRevoked, target: "token:\(id)")
    }

    /// One attempt of a step's action, done as the playbook's service account (`runAs`; nil: the
    /// service's own `default`), or refused to it (`forbidden`). A nil `outcome` is an attempt that was
    /// sent but whose end this worker did not see (`unknown`).
    public static func action(
        _ action: ActionName,
        run: RunID,
        step: StepID,
        attempt: Int,
        runAs: String?,
        outcome: StepOutcome?,
        error: String?,
        at: Date
    ) -> AuditEntry {
        var detail = [
            "step": step.rawValue, "action": action.rawValue, "attempt": String(attempt),
            "outcome": outcome?.rawValue ?? "unknown",
        ]
        detail["error"] = error
        return AuditEntry(
            at: at,
            actor: "service-account:\(runAs ?? "default")",
            action: outcome == .forbidden ? .actionForbidden : .actionExecuted,
            target: "run:\(run.rawValue)",
            detail: detail
        )
    }
}
