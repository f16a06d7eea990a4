/// Walks a syntax tree against an `EvaluationContext`.
///
/// A value type created per evaluation: its only state is the count of string bytes built so far,
/// which enforces GitHub's memory limit without any shared state.
struct ExpressionEvaluator {
    /// An intermediate value. `filtered` is the result of `.*`: GitHub applies a following `.name` or
    /// `[i]` to each element instead of to the array itself, so it must stay distinct from an array
    /// until the evaluation ends.
    enum Value {
        case json(JSONValue)
        case filtered([JSONValue])

        var json: JSONValue {
            switch self {
            case .json(let value): value
            case .filtered(let elements): .array(elements)
            }
        }

        var isTruthy: Bool {
            switch self {
            case .json(let value): value.isTruthy
            case .filtered: true
            }
        }
    }

    /// One step from a named value to a nested value: how GitHub's reference identity of arrays and
    /// objects is reproduced on value types (two collections are "the same" when reached by the same
    /// resolved path).
    enum PathStep: Equatable {
        case key(String)
        case index(Int)
    }

    let context: EvaluationContext
    /// Bytes of strings built by functions that are still held by the evaluation.
    var liveBytes = 0

    init(context: EvaluationContext) {
        self.context = context
    }

    mutating func evaluate(_ node: ExpressionNode) throws(ExpressionError) -> Value {
        switch node {
        case .literal(let value):
            return .json(value)
        case .namedValue(let name):
            return .json(context.value(named: name) ?? .null)
        case .property(let base, let name):
            return ExpressionEvaluator.member(of: try evaluate(base), key: .string(name))
        case .index(let base, let index):
            let container = try evaluate(base)
            return ExpressionEvaluator.member(of: container, key: try evaluate(index).json)
        case .wildcard(let base):
            return .filtered(ExpressionEvaluator.expand(try evaluate(base)))
        case .not(let operand):
            return .json(.bool(!(try evaluate(operand).isTruthy)))
        case .comparison(let op, let leftNode, let rightNode):
            let left = try evaluate(leftNode).json
            let right = try evaluate(rightNode).json
            return .json(.bool(try compare(op, left, right, leftNode, rightNode)))
        case .and(let operands):
            var result = Value.json(.null)
            for operand in operands {
                result = try evaluate(operand)
                if !result.isTruthy { return result }
            }
            return result
        case .or(let operands):
            var result = Value.json(.null)
            for operand in operands {
                result = try evaluate(operand)
                if result.isTruthy { return result }
            }
            return result
        case .call(let call):
            return try evaluate(call)
        }
    }

    private mutating func compare(
        _ op: ComparisonOperator,
        _ left: JSONValue,
        _ right: JSONValue,
        _ leftNode: ExpressionNode,
        _ rightNode: ExpressionNode
    ) throws(ExpressionError) -> Bool {
        switch op {
        case .equal, .notEqual, .greaterOrEqual, .lessOrEqual:
            var same = false
            // Only two collections of one kind need the (rare, slower) identity check.
            switch (left, right) {
            case (.array, .array), (.object, .object):
                if let leftPath = try path(of: leftNode) {
                    let rightPath = try path(of: rightNode)
                    same = leftPath == rightPath
                }
            default: break
            }
            let equal = LooseComparison.equals(left, right, sameCollection: same)
            switch op {
            case .equal: return equal
            case .notEqual: return !equal
            case .greaterOrEqual: return equal || LooseComparison.greaterThan(left, right)
            default: return equal || LooseComparison.lessThan(left, right)
            }
        case .greater: return LooseComparison.greaterThan(left, right)
        case .less: return LooseComparison.lessThan(left, right)
        }
    }

    /// `container[key]`: an array element by (floored) number, an object member by text ignoring
    /// case, applied to each element of a filtered array; anything else is null, never an error.
    static func member(of container: Value, key: JSONValue) -> Value {
        switch container {
        case .json(let value):
            return .json(lookup(in: value, key: key)?.value ?? .null)
        case .filtered(let elements):
            return .filtered(elements.compactMap { lookup(in: $0, key: key)?.value })
        }
    }

    /// The member of one value and the path step that reached it, or nil when there is none.
    static func lookup(in container: JSONValue, key: JSONValue) -> (value: JSONValue, step: PathStep)? {
        switch container {
        case .array(let elements):
            let number = key.expressionNumber
            guard !number.isNaN, number >= 0 else { return nil }
            let floored = number.rounded(.down)
            guard floored < Double(elements.count) else { return nil }
            let position = Int(floored)
            return (elements[position], .index(position))
        case .object(let members):
            guard key.isPrimitive, let found = CaseInsensitive.member(key.expressionString, in: members)
            else {
                return nil
            }
            return (found.value, .key(found.key))
        default:
            return nil
        }
    }

    /// `.*`: the elements of an array, the values of an object in member order, nothing for anything
    /// else; on a filtered array, all of that for each element.
    static func expand(_ value: Value) -> [JSONValue] {
        switch value {
        case .json(let json): children(of: json)
        case .filtered(let elements): elements.flatMap(children(of:))
        }
    }

    private static func children(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .array(let elements): elements
        case .object(let members): members.values
        default: []
        }
    }

    /// Where a collection came from, when it came from the context: GitHub compares arrays and
    /// objects by reference, so `a == a` holds but two distinct empty objects are not equal. Values
    /// built during evaluation (`fromJSON`, `.*`) have no path and equal nothing.
    private mutating func path(of node: ExpressionNode) throws(ExpressionError) -> [PathStep]? {
        switch node {
        case .namedValue(let name):
            if context.values[name] != nil { return [.key(name)] }
            return CaseInsensitive.lookup(name, in: context.values).map { [.key($0.key)] }
        case .property(let base, let name):
            return try extend(path(of: base), base, key: .string(name))
        case .index(let base, let index):
            let key = try evaluate(index).json
            return try extend(path(of: base), base, key: key)
        case .and(let operands), .or(let operands):
            let isAnd = if case .and = node { true } else { false }
            for operand in operands.dropLast() where try evaluate(operand).isTruthy != isAnd {
                return try path(of: operand)
            }
            guard let last = operands.last else { return nil }
            return try path(of: last)
        case .call(let call) where call.function == .case:
            var pair = 0
            while pair + 1 < call.arguments.count {
                if try evaluate(call.arguments[pair]).json == .bool(true) {
                    return try path(of: call.arguments[pair + 1])
                }
                pair += 2
            }
            guard let last = call.arguments.last else { return nil }
            return try path(of: last)
        default:
            return nil
        }
    }

    private mutating func extend(
        _ basePath: [PathStep]?,
        _ base: ExpressionNode,
        key: JSONValue
    ) throws(ExpressionError) -> [PathStep]? {
        guard var basePath, case .json(let container) = try evaluate(base),
            let step = ExpressionEvaluator.lookup(in: container, key: key)?.step
        else { return nil }
        basePath.append(step)
        return basePath
    }
}
