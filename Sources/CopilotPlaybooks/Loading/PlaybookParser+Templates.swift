import CopilotCore
import CopilotExpressions

extension PlaybookParser {
    /// An `if:`: a `${{ }}` template, or a bare expression (as GitHub Actions allows in `if:`).
    func parseCondition(
        _ node: YAMLNode,
        path: String,
        allowedNames: Set<String>,
        earlier: Set<StepID>? = nil
    ) -> Template? {
        guard let scalar = node.scalar, !scalar.isNull else {
            context.typeMismatch("an expression", path: path, found: node)
            return nil
        }
        do {
            let template = try Template(parsingCondition: scalar.text, allowedNames: allowedNames)
            var expressions = template.expressions
            if expressions.isEmpty, let bare = try? Expression(parsing: scalar.text, allowedNames: allowedNames) {
                expressions = [bare]
            }
            checkStepReferences(expressions, node: node, earlier: earlier)
            return template
        } catch {
            report(error, in: node)
            return nil
        }
    }

    /// A string template (`concurrency.key`).
    func template(
        _ node: YAMLNode,
        path: String,
        allowedNames: Set<String>,
        earlier: Set<StepID>? = nil
    ) -> Template? {
        guard let scalar = node.scalar, !scalar.isNull else {
            context.typeMismatch("a string", path: path, found: node)
            return nil
        }
        do {
            let template = try Template(parsing: scalar.text, allowedNames: allowedNames)
            checkStepReferences(template.expressions, node: node, earlier: earlier)
            return template
        } catch {
            report(error, in: node)
            return nil
        }
    }

    /// A `with:` value: JSON whose strings may hold templates over the step contexts. Every template
    /// error of the value is reported; nil when there was one.
    func templateValue(_ node: YAMLNode, path: String, earlier: Set<StepID>) -> TemplateValue? {
        switch node.kind {
        case .scalar(let scalar):
            guard case .string(let text) = scalar.jsonValue, text.contains("${{") else {
                return .literal(scalar.jsonValue)
            }
            return template(node, path: path, allowedNames: Playbook.stepContextNames, earlier: earlier)
                .map(TemplateValue.template)
        case .sequence(let elements):
            var values: [TemplateValue] = []
            var valid = true
            for (index, element) in elements.enumerated() {
                if let value = templateValue(element, path: "\(path)[\(index)]", earlier: earlier) {
                    values.append(value)
                } else {
                    valid = false
                }
            }
            guard valid else { return nil }
            return values.allSatisfy(\.isLiteral) ? .literal(node.jsonValue) : .array(values)
        case .mapping(let pairs):
            var members: [String: TemplateValue] = [:]
            var valid = true
            for pair in pairs {
                guard let key = pair.keyText else {
                    context.error("a key of '\(path)' must be a string", at: pair.key)
                    valid = false
                    continue
                }
                if let value = templateValue(pair.value, path: "\(path).\(key)", earlier: earlier) {
                    members[key] = value
                } else {
                    valid = false
                }
            }
            guard valid else { return nil }
            return members.values.allSatisfy(\.isLiteral) ? .literal(node.jsonValue) : .object(members)
        }
    }

    /// Expressions of a step may read the outputs of earlier steps only.
    private func checkStepReferences(_ expressions: [Expression], node: YAMLNode, earlier: Set<StepID>?) {
        guard let earlier else { return }
        let text = node.scalar?.text ?? ""
        for expression in expressions {
            for referenced in expression.referencedStepIDs.sorted()
            where !earlier.contains(StepID(rawValue: referenced)) {
                let offset = Self.characterOffset(of: "steps.\(referenced)", in: text) ?? 0
                context.error(
                    "unknown step '\(referenced)': an expression may read only earlier steps"
                        + Suggestion.didYouMean(referenced, among: earlier.map(\.rawValue).sorted()),
                    at: context.position(in: node, characterOffset: offset)
                )
            }
        }
    }

    /// Reports an expression error at its column inside the scalar.
    private func report(_ error: ExpressionError, in node: YAMLNode) {
        let offset = max(0, error.offset ?? 0)
        context.error(error.message, at: context.position(in: node, characterOffset: offset))
    }

    static func characterOffset(of needle: String, in text: String) -> Int? {
        guard let range = text.firstRange(of: needle) else { return nil }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }
}
