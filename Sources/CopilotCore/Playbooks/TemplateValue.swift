public import CopilotExpressions

/// A `with:` value as written: JSON whose strings may be `${{ }}` templates, at any depth.
public indirect enum TemplateValue: Sendable, Hashable {
    /// A value with no template in it.
    case literal(JSONValue)
    /// A string holding at least one `${{ }}`.
    case template(Template)
    case array([TemplateValue])
    case object([String: TemplateValue])

    /// Turns JSON into a template value, parsing every string that holds `${{`.
    /// Throws the first template error, with the key path (`body.service`, `labels[0]`) where it is.
    public init(
        _ value: JSONValue,
        allowedNames: Set<String>? = nil,
        path: String = ""
    ) throws(TemplateValueError) {
        switch value {
        case .string(let text) where text.contains("${{"):
            do {
                self = .template(try Template(parsing: text, allowedNames: allowedNames))
            } catch {
                throw TemplateValueError(path: path, error: error)
            }
        case .array(let elements):
            var converted: [TemplateValue] = []
            for (index, element) in elements.enumerated() {
                converted.append(try TemplateValue(element, allowedNames: allowedNames, path: "\(path)[\(index)]"))
            }
            self = converted.allSatisfy(\.isLiteral) ? .literal(value) : .array(converted)
        case .object(let members):
            var converted: [String: TemplateValue] = [:]
            for (key, member) in members {
                let memberPath = path.isEmpty ? key : "\(path).\(key)"
                converted[key] = try TemplateValue(member, allowedNames: allowedNames, path: memberPath)
            }
            self = converted.values.allSatisfy(\.isLiteral) ? .literal(value) : .object(converted)
        default:
            self = .literal(value)
        }
    }

    /// True for a value with no template in it.
    public var isLiteral: Bool {
        if case .literal = self { return true }
        return false
    }

    /// The value as written: templates keep their text (`"${{ steps.verify.outputs.passed }}"`).
    public var writtenValue: JSONValue {
        switch self {
        case .literal(let value): value
        case .template(let template): .string(template.text)
        case .array(let elements): .array(elements.map(\.writtenValue))
        case .object(let members): .object(JSONObject(members.mapValues(\.writtenValue)))
        }
    }

    /// Every expression in the value, at any depth.
    public var expressions: [Expression] {
        switch self {
        case .literal: []
        case .template(let template): template.expressions
        case .array(let elements): elements.flatMap(\.expressions)
        case .object(let members): members.keys.sorted().flatMap { members[$0]?.expressions ?? [] }
        }
    }

    /// The names the value's expressions use (`event`, `steps`, …).
    public var referencedNames: Set<String> {
        expressions.reduce(into: []) { $0.formUnion($1.referencedNames) }
    }

    /// Renders every template (a value that is exactly one `${{ }}` keeps the expression's type).
    public func render(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        switch self {
        case .literal(let value): return value
        case .template(let template): return try template.render(in: context)
        case .array(let elements):
            var rendered: [JSONValue] = []
            for element in elements { rendered.append(try element.render(in: context)) }
            return .array(rendered)
        case .object(let members):
            var rendered: [String: JSONValue] = [:]
            for (key, member) in members { rendered[key] = try member.render(in: context) }
            return .object(JSONObject(rendered))
        }
    }
}

/// A template error inside a `with:` value, with the key path where it is.
public struct TemplateValueError: Error, Sendable {
    public var path: String
    public var error: ExpressionError
}
