/// The built-in functions, as GitHub implements them: arguments are evaluated only when needed, and
/// strings the functions build count against the evaluation's memory limit.
extension ExpressionEvaluator {
    /// GitHub's estimate of a string's size: UTF-16 units of 2 bytes plus a fixed object overhead.
    /// (UTF-8 length stands in for UTF-16 length: it is O(1) and equal for ASCII.)
    static func cost(of string: String) -> Int { 26 + 2 * string.utf8.count }

    static let memoryExceeded = "The maximum allowed memory size was exceeded"

    mutating func evaluate(_ call: FunctionCall) throws(ExpressionError) -> Value {
        let mark = liveBytes
        let arguments = call.arguments
        switch call.function {
        case .success: return .json(.bool(context.status.success))
        case .failure: return .json(.bool(context.status.anyStepFailed))
        case .cancelled: return .json(.bool(context.status.cancelled))
        case .always: return .json(.bool(true))
        case .contains:
            let haystack = try evaluate(arguments[0])
            switch haystack {
            case .json(let value) where value.isPrimitive:
                let needle = try evaluate(arguments[1]).json
                guard needle.isPrimitive else { return .json(.bool(false)) }
                return .json(.bool(CaseInsensitive.contains(value.expressionString, needle.expressionString)))
            case .json(.array(let elements)), .filtered(let elements):
                guard !elements.isEmpty else { return .json(.bool(false)) }
                let needle = try evaluate(arguments[1]).json
                return .json(.bool(elements.contains { LooseComparison.equals($0, needle) }))
            default:
                return .json(.bool(false))
            }
        case .startsWith, .endsWith:
            let subject = try evaluate(arguments[0]).json
            guard subject.isPrimitive else { return .json(.bool(false)) }
            let affix = try evaluate(arguments[1]).json
            guard affix.isPrimitive else { return .json(.bool(false)) }
            let (text, part) = (subject.expressionString, affix.expressionString)
            let found =
                call.function == .startsWith
                ? CaseInsensitive.hasPrefix(text, part) : CaseInsensitive.hasSuffix(text, part)
            return .json(.bool(found))
        case .format:
            return try built(format(call), since: mark, at: call.offset)
        case .join:
            return try built(join(arguments, at: call.offset), since: mark, at: call.offset)
        case .toJSON:
            let value = try evaluate(arguments[0]).json
            let room = (context.memoryLimit - liveBytes - 26) / 2
            guard let text = value.prettyJSONText(limit: max(room, 0)) else {
                throw .evaluation(ExpressionEvaluator.memoryExceeded, at: call.offset)
            }
            return try built(text, since: mark, at: call.offset)
        case .fromJSON:
            let text = try evaluate(arguments[0]).json.expressionString
            liveBytes = mark
            do {
                return .json(try JSONValue(parsing: text))
            } catch {
                throw .evaluation("Error parsing fromJson: the text is not valid JSON", at: call.offset)
            }
        case .case:
            var pair = 0
            while pair + 1 < arguments.count {
                guard case .bool(let holds) = try evaluate(arguments[pair]).json else {
                    throw .evaluation("case predicate must evaluate to a boolean value", at: call.offset)
                }
                if holds { return try evaluate(arguments[pair + 1]) }
                pair += 2
            }
            return try evaluate(arguments[arguments.count - 1])
        }
    }

    /// Records a built string as held in place of its arguments' strings.
    private mutating func built(_ text: String, since mark: Int, at offset: Int) throws(ExpressionError) -> Value {
        liveBytes = mark + ExpressionEvaluator.cost(of: text)
        guard liveBytes <= context.memoryLimit else {
            throw .evaluation(ExpressionEvaluator.memoryExceeded, at: offset)
        }
        return .json(.string(text))
    }

    /// Fails once a string under construction would push the evaluation past its memory limit.
    private func reserve(_ partial: String, at offset: Int) throws(ExpressionError) {
        if liveBytes + ExpressionEvaluator.cost(of: partial) > context.memoryLimit {
            throw .evaluation(ExpressionEvaluator.memoryExceeded, at: offset)
        }
    }

    private mutating func format(_ call: FunctionCall) throws(ExpressionError) -> String {
        let compiled: FormatString
        if let precompiled = call.compiledFormat {
            compiled = precompiled
        } else {
            compiled = FormatString(try evaluate(call.arguments[0]).json.expressionString)
        }
        let supplied = call.arguments.count - 1
        var cache = [String?](repeating: nil, count: supplied)
        var output = ""
        for segment in compiled.segments {
            switch segment {
            case .text(let text):
                output += text
            case .argument(let index):
                guard index < supplied else {
                    throw .evaluation(
                        "The following format string references more arguments than were supplied: \(compiled.source)",
                        at: call.offset
                    )
                }
                if cache[index] == nil {
                    cache[index] = try evaluate(call.arguments[index + 1]).json.expressionString
                }
                output += cache[index] ?? ""
            case .invalid:
                throw .evaluation("The following format string is invalid: \(compiled.source)", at: call.offset)
            }
            try reserve(output, at: call.offset)
        }
        return output
    }

    private mutating func join(_ arguments: [ExpressionNode], at offset: Int) throws(ExpressionError) -> String {
        let items: [JSONValue]
        switch try evaluate(arguments[0]) {
        case .json(.array(let elements)), .filtered(let elements):
            items = elements
        case .json(let value):
            return value.isPrimitive ? value.expressionString : ""
        }
        guard let first = items.first else { return "" }
        var output = first.expressionString
        guard items.count > 1 else { return output }
        var separator = ","
        if arguments.count > 1 {
            let chosen = try evaluate(arguments[1]).json
            if chosen.isPrimitive { separator = chosen.expressionString }
        }
        for item in items.dropFirst() {
            output += separator
            output += item.expressionString
            try reserve(output, at: offset)
        }
        return output
    }
}
