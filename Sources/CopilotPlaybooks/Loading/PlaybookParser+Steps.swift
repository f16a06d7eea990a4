import CopilotCore

extension PlaybookParser {
    /// The keys of a step, in the contract's order.
    static let stepKeys = [
        "id", "uses", "with", "if", "needs", "approval", "approval_timeout_seconds", "timeout_seconds", "retry",
        "continue_on_error",
    ]
    static let retryKeys = ["attempts", "backoff_seconds", "max_backoff_seconds"]

    func parseSteps(_ node: YAMLNode) -> [Step] {
        guard let elements = context.list(node, path: "steps") else { return [] }
        if elements.isEmpty { context.error("'steps' must hold at least one step", at: node) }
        var steps: [Step] = []
        var seen: [StepID: YAMLPosition] = [:]
        for (index, element) in elements.enumerated() {
            guard let reader = context.mapping(element, path: "steps[\(index)]") else { continue }
            let earlier = Set(seen.keys)
            let idNode = reader.value("id", required: true)
            let id = idNode.flatMap { node -> StepID? in
                guard let text = context.string(node, path: reader.path(of: "id")) else { return nil }
                guard StepID.isValid(text) else {
                    context.error("invalid step id '\(text)': use characters among a-z, 0-9, '_' and '-'", at: node)
                    return nil
                }
                let id = StepID(rawValue: text)
                if let first = seen[id] {
                    context.error("duplicate step id '\(text)' (first defined at \(first))", at: node)
                    return nil
                }
                seen[id] = node.position
                return id
            }
            if let step = parseStep(reader, id: id, earlier: earlier) { steps.append(step) }
        }
        return steps
    }

    private func parseStep(_ reader: YAMLMappingReader, id: StepID?, earlier: Set<StepID>) -> Step? {
        let usesNode = reader.value("uses", required: true)
        let uses = usesNode.flatMap { actionName($0, path: reader.path(of: "uses")) }
        var with: [String: TemplateValue] = [:]
        if let withReader = reader.mapping("with") {
            with = parseWith(withReader, action: uses, earlier: earlier)
        } else if let uses, let action = catalogue[uses], !action.required.isEmpty {
            let missing = action.required.sorted().map { "'\($0)'" }.joined(separator: ", ")
            context.error("'\(uses)' needs 'with:' holding \(missing)", at: usesNode ?? reader.node)
        }
        let condition = reader.value("if").flatMap { node in
            parseCondition(node, path: reader.path(of: "if"), allowedNames: Playbook.stepContextNames, earlier: earlier)
        }
        var needs: [StepID]?
        if let needsNode = reader.value("needs") {
            let names = context.stringList(needsNode, path: reader.path(of: "needs"), allowSingle: true) ?? []
            for (index, name) in names.enumerated() where !earlier.contains(StepID(rawValue: name)) {
                context.error(
                    "'needs' names '\(name)', which is not an earlier step"
                        + Suggestion.didYouMean(name, among: earlier.map(\.rawValue).sorted()),
                    at: needsNode.elements?[index] ?? needsNode
                )
            }
            needs = names.map(StepID.init(rawValue:))
        }
        let approval = reader.oneOf(["required", "none"], "approval").flatMap(Step.Approval.init(rawValue:))
        let approvalTimeout = reader.int("approval_timeout_seconds", in: 1...Int.max)
        let timeout = reader.int("timeout_seconds", in: 1...Int.max)
        let retry = reader.mapping("retry").map(parseRetry) ?? StepRetry()
        let continueOnError = reader.bool("continue_on_error") ?? false
        reader.finish()
        guard let id, let uses else { return nil }
        return Step(
            id: id,
            uses: uses,
            with: with,
            condition: condition,
            needs: needs,
            approval: approval ?? .none,
            approvalTimeoutSeconds: approvalTimeout,
            timeoutSeconds: timeout ?? Step.defaultTimeoutSeconds,
            retry: retry,
            continueOnError: continueOnError
        )
    }

    private func parseRetry(_ reader: YAMLMappingReader) -> StepRetry {
        var retry = StepRetry()
        retry.attempts = reader.int("attempts", in: 1...Int.max) ?? retry.attempts
        if let node = reader.value("backoff_seconds"),
            let value = nonNegative(node, path: reader.path(of: "backoff_seconds"))
        {
            retry.backoffSeconds = value
        }
        if let node = reader.value("max_backoff_seconds"),
            let value = nonNegative(node, path: reader.path(of: "max_backoff_seconds"))
        {
            retry.maxBackoffSeconds = value
        }
        reader.finish()
        return retry
    }

    private func nonNegative(_ node: YAMLNode, path: String) -> Double? {
        guard let value = context.double(node, path: path) else { return nil }
        guard value >= 0, value.isFinite else {
            context.error("'\(path)' must be a number of seconds, 0 or more", at: node)
            return nil
        }
        return value
    }

    /// `with:`: the action's parameters only (an unknown one gets a suggestion), the required ones present,
    /// every string parsed as a template.
    private func parseWith(
        _ reader: YAMLMappingReader,
        action name: ActionName?,
        earlier: Set<StepID>
    ) -> [String:
        TemplateValue]
    {
        let action = name.flatMap { catalogue[$0] }
        var values: [String: TemplateValue] = [:]
        for pair in reader.pairs {
            guard let key = pair.keyText else { continue }
            if let action, !action.parameters.contains(key) {
                context.error(
                    "unknown parameter '\(key)' for '\(action.name)'"
                        + Suggestion.didYouMean(key, among: action.parameters),
                    at: pair.key
                )
            }
            _ = reader.pair(key)
            if let value = templateValue(pair.value, path: reader.path(of: key), earlier: earlier) {
                values[key] = value
            }
        }
        if let action {
            for parameter in action.missingParameters(in: reader.keys) {
                context.error("missing required parameter '\(parameter)' for '\(action.name)'", at: reader.node)
            }
        }
        reader.finish()
        return values
    }
}
