public import CopilotCore
public import CopilotExpressions

/// What `playbook test` prints: which playbooks an event matches, the plan each would run, and why the
/// others do not match (CONTRACT §3, "Authoring tools"). Nothing is executed.
public struct DryRunReport: Sendable, Hashable {
    /// One planned step, `with:` rendered as far as `event` and `playbook` allow.
    public struct PlannedStep: Sendable, Hashable {
        public var id: StepID
        public var uses: ActionName
        /// The step's `if` expression text, or nil.
        public var condition: String?
        public var approval: Bool
        public var with: [String: JSONValue]
        /// Values that failed to render (`key` is `with.<name>`, deeper as `with.<name>.<key>`).
        public var errors: [RenderError]
    }

    /// A value of `with:` whose evaluation failed; it stays as written.
    public struct RenderError: Sendable, Hashable {
        public var key: String
        public var message: String
    }

    /// A matching playbook and its plan.
    public struct MatchedPlaybook: Sendable, Hashable {
        public var playbook: PlaybookName
        public var file: String
        public var steps: [PlannedStep]
    }

    public var source: EventSource
    public var type: String
    public var subject: String
    public var matched: [MatchedPlaybook]
    public var notMatched: [MatchResult.NotMatched]

    /// The CLI's exit code for it: 0 when some playbook matches, else 1.
    public var exitCode: Int32 { matched.isEmpty ? 1 : 0 }

    /// The `--json` object (print it with `jsonText`).
    public var jsonValue: JSONValue {
        .object([
            "event": .object(["source": .string(source.rawValue), "type": .string(type), "subject": .string(subject)]),
            "matched": .array(matched.map(\.jsonValue)),
            "not_matched": .array(
                notMatched.map { .object(["playbook": .string($0.playbook.rawValue), "reason": .string($0.reason)]) }
            ),
        ])
    }

    /// The human-readable form of `playbook test` without `--json`.
    public var text: String {
        var lines = ["event \(source.rawValue) \(type) (subject: \(subject.isEmpty ? "-" : subject))"]
        for playbook in matched {
            lines.append("matched \(playbook.playbook) (\(playbook.file))")
            for step in playbook.steps {
                var line = "  - \(step.id): \(step.uses)"
                if let condition = step.condition { line += " if \(condition)" }
                if step.approval { line += " [approval required]" }
                lines.append(line)
                if !step.with.isEmpty { lines.append("      with \(JSONValue.object(JSONObject(step.with)).jsonText)") }
                for error in step.errors { lines.append("      error in \(error.key): \(error.message)") }
            }
        }
        for miss in notMatched { lines.append("not matched \(miss.playbook): \(miss.reason)") }
        return lines.joined(separator: "\n")
    }
}

extension DryRunReport.MatchedPlaybook {
    var jsonValue: JSONValue {
        .object([
            "playbook": .string(playbook.rawValue), "file": .string(file), "steps": .array(steps.map(\.jsonValue)),
        ])
    }
}

extension DryRunReport.PlannedStep {
    var jsonValue: JSONValue {
        var members: JSONObject = [
            "id": .string(id.rawValue), "uses": .string(uses.rawValue),
            "if": condition.map(JSONValue.string) ?? .null, "approval": .bool(approval),
            "with": .object(JSONObject(with)),
        ]
        if !errors.isEmpty {
            members["errors"] = .array(
                errors.map { .object(["key": .string($0.key), "message": .string($0.message)]) }
            )
        }
        return .object(members)
    }
}
