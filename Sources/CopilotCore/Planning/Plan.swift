public import CopilotExpressions

/// A remediation plan the model proposed through `submit_plan` and that passed `PlanCheck`: data, whose
/// values are taken literally (CONTRACT §4a).
public struct Plan: Sendable, Hashable {
    public struct Step: Sendable, Hashable {
        public var id: StepID
        public var uses: ActionName
        /// The action's parameters exactly as the model gave them; `${{` in them is never evaluated.
        public var with: JSONObject
        public var reason: String

        public init(id: StepID, uses: ActionName, with: JSONObject, reason: String) {
            self.id = id
            self.uses = uses
            self.with = with
            self.reason = reason
        }
    }

    public var summary: String
    public var steps: [Step]

    public init(summary: String, steps: [Step]) {
        self.summary = summary
        self.steps = steps
    }
}

extension Playbook {
    /// The steps a plan runs (CONTRACT §4a, "Running a plan"): in order, each with `if: success()`. A
    /// planned step takes its approval, timeouts, retry and `continue_on_error` from the playbook's first
    /// step with the same action, so a gate the playbook puts on an action holds whatever the model says.
    public func steps(running planned: [Plan.Step]) -> [Step] {
        planned.map { planned in
            let model = steps.first { $0.uses == planned.uses }
            return Step(
                id: planned.id,
                uses: planned.uses,
                with: Dictionary(uniqueKeysWithValues: planned.with.map { ($0.key, TemplateValue.literal($0.value)) }),
                approval: model?.approval ?? .none,
                approvalTimeoutSeconds: model?.approvalTimeoutSeconds,
                timeoutSeconds: model?.timeoutSeconds ?? Step.defaultTimeoutSeconds,
                retry: model?.retry ?? StepRetry(),
                continueOnError: model?.continueOnError ?? false
            )
        }
    }
}
