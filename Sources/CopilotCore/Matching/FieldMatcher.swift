public import CopilotExpressions

/// What must hold at a path of the payload (CONTRACT §3, "Matchers").
///
/// Every positive matcher holds when *some* value the path reaches satisfies it, and a list satisfies
/// it when some element (at any depth) does. `not` holds when its matcher does not (on a list: when no
/// element matches). Equality and order are the expression language's loose `==` and `<`.
public indirect enum FieldMatcher: Sendable, Hashable {
    /// A bare value.
    case equals(JSONValue)
    /// `{in: [...]}`.
    case oneOf([JSONValue])
    /// `{glob: "..."}`, on strings (numbers and booleans by their JSON text).
    case glob(GlobPattern)
    /// `{regex: "..."}`, a search in strings (numbers and booleans by their JSON text).
    case regex(RegexPattern)
    /// `{exists: true}`: the path reaches something other than null (an empty list exists);
    /// `{exists: false}`: it does not.
    case exists(Bool)
    /// `{gt|gte|lt|lte: n}`.
    case compare(ComparisonOperator, JSONValue)
    /// `{not: matcher}`.
    case not(FieldMatcher)
    /// Several operators in one mapping (`{gte: 1, lte: 5}`): each must hold.
    case all([FieldMatcher])

    /// `gt`, `gte`, `lt`, `lte`.
    public enum ComparisonOperator: String, Sendable, Hashable, CaseIterable {
        case gt, gte, lt, lte

        /// `value > bound` etc., with the expression language's loose comparison (`>=` is `>` or `==`,
        /// as in GitHub Actions).
        public func holds(_ value: JSONValue, _ bound: JSONValue) -> Bool {
            switch self {
            case .gt: LooseComparison.greaterThan(value, bound)
            case .gte: LooseComparison.greaterThan(value, bound) || LooseComparison.equals(value, bound)
            case .lt: LooseComparison.lessThan(value, bound)
            case .lte: LooseComparison.lessThan(value, bound) || LooseComparison.equals(value, bound)
            }
        }
    }

    /// True when the matcher holds at `path` in `payload`.
    public func holds(at path: FieldPath, in payload: JSONValue) -> Bool {
        switch self {
        case .exists(let expected):
            let found = path.anyValue(in: payload) { !$0.isNull }
            return found == expected
        case .not(let inner):
            return !inner.holds(at: path, in: payload)
        case .all(let matchers):
            return matchers.allSatisfy { $0.holds(at: path, in: payload) }
        default:
            return path.anyValue(in: payload) { self.holdsForElements(of: $0) }
        }
    }

    /// True when the matcher holds given every value a path reached (`FieldPath.values(in:)`): the same
    /// answer as `holds(at:in:)`, for a caller that reads a path once for several matchers.
    func holds(amongReached values: [JSONValue]) -> Bool {
        switch self {
        case .exists(let expected):
            return values.contains { !$0.isNull } == expected
        case .not(let inner):
            return !inner.holds(amongReached: values)
        case .all(let matchers):
            return matchers.allSatisfy { $0.holds(amongReached: values) }
        default:
            return values.contains { holdsForElements(of: $0) }
        }
    }

    /// True when the matcher holds for a value the path reached, or for some element of it.
    func holdsForElements(of value: JSONValue) -> Bool {
        if case .array(let elements) = value {
            return elements.contains { holdsForElements(of: $0) }
        }
        return holds(for: value)
    }

    /// A positive matcher on one value that is not a list.
    func holds(for value: JSONValue) -> Bool {
        switch self {
        case .equals(let expected): return LooseComparison.equals(value, expected)
        case .oneOf(let candidates): return candidates.contains { LooseComparison.equals(value, $0) }
        case .glob(let pattern): return Self.text(of: value).map(pattern.matches) ?? false
        case .regex(let pattern): return Self.text(of: value).map(pattern.matches) ?? false
        case .compare(let comparison, let bound): return comparison.holds(value, bound)
        case .exists(let expected): return !value.isNull == expected
        case .not(let inner): return !inner.holdsForElements(of: value)
        case .all(let matchers): return matchers.allSatisfy { $0.holdsForElements(of: value) }
        }
    }

    private static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .number, .bool: value.jsonText
        default: nil
        }
    }
}

extension FieldMatcher: CustomStringConvertible {
    /// The matcher as a playbook writes it, compactly: `"production"`, `{in: ["P0","P1"]}`, `{not: {exists: true}}`.
    public var description: String {
        switch self {
        case .equals(let value): value.jsonText
        case .oneOf(let values): "{in: \(JSONValue.array(values).jsonText)}"
        case .glob(let pattern): "{glob: \(JSONValue.string(pattern.source).jsonText)}"
        case .regex(let pattern): "{regex: \(JSONValue.string(pattern.source).jsonText)}"
        case .exists(let expected): "{exists: \(expected)}"
        case .compare(let comparison, let bound): "{\(comparison.rawValue): \(bound.jsonText)}"
        case .not(let inner): "{not: \(inner)}"
        case .all(let matchers): matchers.map(\.description).joined(separator: " and ")
        }
    }
}
