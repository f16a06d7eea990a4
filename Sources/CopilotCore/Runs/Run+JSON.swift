public import CopilotExpressions

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The API's JSON for runs (CONTRACT §8), built here so every layer shows a run the same way.
extension Run {
    /// What a rendering of a run holds.
    enum JSONShape {
        /// The live stream's change (`RunChange.state(of:)`): status and steps, without the plan, the
        /// steps' outputs, nor the other timestamps.
        case change
        /// A run in the API's lists and as `GET /api/v1/runs/{id}` without details.
        case list
        /// `GET /api/v1/runs/{id}`: each step also with its attempts and approval.
        case details
    }

    /// `{"id", "event_id", "playbook", "subject", "status", "planner", "plan", "created_at", "updated_at",
    /// "failed_step", "steps": [...]}`; with `details`, each step also carries its attempts and approval
    /// (`GET /api/v1/runs/{id}`).
    public func jsonValue(details: Bool = false) -> JSONValue {
        jsonValue(details ? .details : .list)
    }

    func jsonValue(_ shape: JSONShape) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id.rawValue),
            "event_id": .string(eventID.rawValue),
            "playbook": .string(playbook.rawValue),
            "subject": .string(subject),
            "status": .string(status.rawValue),
        ]
        if shape != .change {
            object["planner"] = .string(planner)
            object["plan"] = plan?.jsonValue ?? .null
            object["created_at"] = Self.json(createdAt)
        }
        object["updated_at"] = Self.json(updatedAt)
        if shape != .change {
            object["started_at"] = Self.json(startedAt)
            object["concurrency_key"] = concurrencyKey.map(JSONValue.string) ?? .null
        }
        object["failed_step"] = failedStep.map { .string($0.rawValue) } ?? .null
        object["cancel_requested"] = .bool(cancelRequested)
        object["steps"] = .array(steps.map { $0.jsonValue(shape) })
        return .object(object)
    }

    static func json(_ date: Date?) -> JSONValue { date.map { .string($0.formatted(.iso8601)) } ?? .null }
}

extension RunStep {
    /// `{"id", "uses", "outcome", "attempts", "outputs", "error"}`; with `details` also `started_at`,
    /// `finished_at`, `approval` and `attempt_history`.
    public func jsonValue(details: Bool = false) -> JSONValue {
        jsonValue(details ? .details : .list)
    }

    func jsonValue(_ shape: Run.JSONShape) -> JSONValue {
        var object: JSONObject = [
            "id": .string(id.rawValue),
            "uses": .string(uses.rawValue),
            "outcome": outcome.map { .string($0.rawValue) } ?? .null,
            "attempts": .number(Double(attempts)),
        ]
        if shape != .change { object["outputs"] = outputs.map(JSONValue.object) ?? .null }
        object["error"] = error.map(JSONValue.string) ?? .null
        guard shape == .details else { return .object(object) }
        object["started_at"] = Run.json(startedAt)
        object["finished_at"] = Run.json(finishedAt)
        object["approval_requested_at"] = Run.json(approvalRequestedAt)
        object["approval"] =
            approval.map { decision in
                .object([
                    "decision": .string(decision.decision.rawValue),
                    "by": .string(decision.by),
                    "comment": decision.comment.map(JSONValue.string) ?? .null,
                    "at": Run.json(decision.at),
                ])
            } ?? .null
        object["attempt_history"] = .array(
            history.map { attempt in
                .object([
                    "number": .number(Double(attempt.number)),
                    "started_at": Run.json(attempt.startedAt),
                    "finished_at": Run.json(attempt.finishedAt),
                    "outcome": attempt.outcome.map { .string($0.rawValue) } ?? .null,
                    "error": attempt.error.map(JSONValue.string) ?? .null,
                ])
            }
        )
        return .object(object)
    }
}
