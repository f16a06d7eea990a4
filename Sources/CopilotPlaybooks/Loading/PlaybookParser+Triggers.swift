import CopilotCore
import CopilotExpressions

extension PlaybookParser {
    /// The operators a matcher mapping may hold.
    static let matcherOperators = ["in", "glob", "regex", "exists", "gt", "gte", "lt", "lte", "not"]

    /// `on:`: a mapping of source → `{types, match}` (or nothing, for any event of the source).
    func parseTriggers(_ node: YAMLNode) -> [Trigger] {
        guard let on = context.mapping(node, path: "on") else { return [] }
        let sourceNames = EventSource.allCases.map(\.rawValue)
        var triggers: [Trigger] = []
        for pair in on.pairs {
            guard let key = pair.keyText else { continue }
            _ = on.pair(key)  // known from here on: an unknown source is reported below, once
            guard let source = EventSource(rawValue: key) else {
                context.error(
                    "unknown source '\(key)': expected one of \(sourceNames.joined(separator: ", "))"
                        + Suggestion.didYouMean(key, among: sourceNames),
                    at: pair.key
                )
                continue
            }
            triggers.append(parseTrigger(source, pair.value))
        }
        on.finish()
        if on.pairs.isEmpty {
            context.error("'on' must name at least one source (\(sourceNames.joined(separator: ", ")))", at: node)
        }
        return triggers
    }

    private func parseTrigger(_ source: EventSource, _ node: YAMLNode) -> Trigger {
        let path = "on.\(source.rawValue)"
        if node.isNull { return Trigger(source: source) }
        guard let reader = context.mapping(node, path: path) else { return Trigger(source: source) }
        var types: [String] = []
        if let typesNode = reader.value("types") {
            let list = context.stringList(typesNode, path: "\(path).types", allowSingle: true) ?? []
            for (index, type) in list.enumerated() where type.isEmpty {
                context.error("an event type cannot be empty", at: typesNode.elements?[index] ?? typesNode)
            }
            types = list
        }
        var conditions: [FieldCondition] = []
        if let match = reader.mapping("match") {
            for pair in match.pairs {
                guard let key = pair.keyText else {
                    context.error("a path under 'match' must be a string", at: pair.key)
                    continue
                }
                let fieldPath: FieldPath
                do {
                    fieldPath = try FieldPath(key)
                } catch {
                    context.error("invalid path '\(key)': \(error.message)", at: pair.key)
                    continue
                }
                if let matcher = parseMatcher(pair.value, path: "\(path).match.\(key)") {
                    conditions.append(FieldCondition(path: fieldPath, matcher: matcher))
                }
            }
        }
        reader.finish()
        return Trigger(source: source, types: types, conditions: conditions)
    }

    /// A matcher: a bare scalar (equals), or a mapping of operators (all must hold).
    func parseMatcher(_ node: YAMLNode, path: String) -> FieldMatcher? {
        switch node.kind {
        case .scalar(let scalar):
            return .equals(scalar.jsonValue)
        case .sequence:
            context.error(
                "a list is not a matcher for '\(path)': write {in: [...]} for any of several values",
                at: node
            )
            return nil
        case .mapping(let pairs):
            guard !pairs.isEmpty else {
                context.error(
                    "empty matcher for '\(path)': expected one of \(Self.matcherOperators.joined(separator: ", "))",
                    at: node
                )
                return nil
            }
            let reader = YAMLMappingReader(node, path: path, context: context)
            var matchers: [FieldMatcher] = []
            var valid = true
            for pair in pairs {
                guard let key = pair.keyText, Self.matcherOperators.contains(key) else { continue }
                _ = reader.pair(key)
                if let matcher = parseOperator(key, pair.value, path: "\(path).\(key)") {
                    matchers.append(matcher)
                } else {
                    valid = false
                }
            }
            reader.declare(contentsOf: Self.matcherOperators)
            reader.finish()
            guard valid, !matchers.isEmpty else { return nil }
            return matchers.count == 1 ? matchers[0] : .all(matchers)
        }
    }

    private func parseOperator(_ name: String, _ node: YAMLNode, path: String) -> FieldMatcher? {
        switch name {
        case "in":
            guard let elements = context.list(node, path: path) else { return nil }
            var values: [JSONValue] = []
            for element in elements {
                guard element.scalar != nil else {
                    context.typeMismatch("a string, number, boolean or null", path: path, found: element)
                    return nil
                }
                values.append(element.jsonValue)
            }
            return .oneOf(values)
        case "glob":
            guard let text = patternText(node, path: path) else { return nil }
            do {
                return .glob(try GlobPattern(text))
            } catch {
                let position = context.position(in: node, characterOffset: error.offset ?? 0)
                context.error("invalid glob '\(text)': \(error.message)", at: position)
                return nil
            }
        case "regex":
            guard let text = patternText(node, path: path) else { return nil }
            do {
                return .regex(try RegexPattern(text))
            } catch {
                context.error("invalid regex '\(text)': \(error.message)", at: node)
                return nil
            }
        case "exists":
            return context.bool(node, path: path).map(FieldMatcher.exists)
        case "not":
            return parseMatcher(node, path: path).map(FieldMatcher.not)
        default:
            guard let comparison = FieldMatcher.ComparisonOperator(rawValue: name) else { return nil }
            guard let scalar = node.scalar, !scalar.isNull, scalar.boolValue == nil else {
                context.typeMismatch("a number or a string", path: path, found: node)
                return nil
            }
            return .compare(comparison, scalar.jsonValue)
        }
    }

    private func patternText(_ node: YAMLNode, path: String) -> String? {
        guard let scalar = node.scalar, case .string(let text) = scalar.jsonValue else {
            context.typeMismatch("a string", path: path, found: node)
            return nil
        }
        return text
    }
}
