public import CopilotExpressions

extension RunStateMachine {
    /// The expression context of a step (CONTRACT §3): `event`, `steps.<id>.outputs|outcome` of the steps
    /// that ended, `run` (`id`, `attempt`, `status`, `failed_step`) and `playbook`, with the status
    /// functions answering for the steps before it.
    public func context(attempt: Int) -> EvaluationContext {
        var steps = JSONObject()
        for step in run.steps {
            guard let outcome = step.outcome else { continue }
            steps[step.id.rawValue] = .object([
                "outcome": .string(outcome.rawValue),
                "outputs": .object(step.outputs ?? [:]),
            ])
        }
        let runValue: JSONValue = .object([
            "id": .string(run.id.rawValue),
            "attempt": .number(Double(attempt)),
            "status": .string(run.status.rawValue),
            "failed_step": run.failedStep.map { .string($0.rawValue) } ?? .null,
        ])
        return EvaluationContext(
            values: ["event": eventValue, "steps": .object(steps), "run": runValue, "playbook": playbook.contextValue],
            status: StatusFunctions(
                anyStepFailed: run.steps.contains(where: counts),
                cancelled: run.cancelRequested,
                rejected: run.isRejected
            )
        )
    }

    /// Whether the step's `if:` holds (absent: `success()`).
    func shouldRun(_ step: Step) -> Result<Bool, ExpressionError> {
        let context = context(attempt: 1)
        guard let condition = step.condition else { return .success(context.status.success) }
        return Result { () throws(ExpressionError) in
            try condition.evaluateCondition(in: context, implicitStatusCheck: true)
        }
    }

    /// The step's `with:` rendered for this attempt, or the problem (`with.<key>: <message>`).
    func render(_ step: Step, attempt: Int) -> Result<JSONObject, RenderProblem> {
        let context = context(attempt: attempt)
        var inputs = JSONObject()
        for key in step.with.keys.sorted() {
            guard let value = step.with[key] else { continue }
            do {
                inputs[key] = try value.render(in: context)
            } catch {
                return .failure(RenderProblem(text: "with.\(key): \(error.message)"))
            }
        }
        return .success(inputs)
    }
}

/// Why a step's `with:` could not be rendered (its `error`).
struct RenderProblem: Error, Sendable, Hashable, CustomStringConvertible {
    var text: String
    var description: String { text }
}
