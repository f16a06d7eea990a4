/// A string that may hold `${{ expr }}` parts, e.g. a `with:` value or an `if:` value.
///
/// Parsed once at load time into text and expressions; rendering walks the parts without re-reading
/// the text.
public struct Template: Sendable, Hashable {
    enum Part: Sendable, Hashable {
        case text(String)
        /// The index into `expressions`.
        case expression(Int)
    }

    public let text: String
    public let expressions: [Expression]
    /// True when the whole text is exactly one `${{ expr }}` (surrounding whitespace allowed): then
    /// `render` keeps the expression's JSON type.
    public let isSingleExpression: Bool
    let parts: [Part]
    /// Character offset of each expression's source in `text`, to place evaluation errors.
    let expressionOffsets: [Int]
    /// For a text without `${{`: the whole text read as an expression, which is how GitHub reads an
    /// `if:` written without braces. Nil for blank text.
    let bareCondition: Result<Expression, ExpressionError>?

    /// The named values the template uses (lower-cased), a bare condition's included.
    public var referencedNames: Set<String> {
        var names = expressions.reduce(into: Set<String>()) { $0.formUnion($1.referencedNames) }
        if case .success(let expression)? = bareCondition { names.formUnion(expression.referencedNames) }
        return names
    }

    /// Throws the first ExpressionError with `offset` relative to the start of `text` (so a caller that
    /// knows where the YAML scalar starts can compute line:col of the error inside the `${{ }}`).
    /// An unclosed `${{` is a parse error.
    public init(parsing text: String, allowedNames: Set<String>? = nil) throws(ExpressionError) {
        try self.init(text, allowedNames: allowedNames, condition: false)
    }

    /// For an `if:` value: like `init(parsing:)`, but a text without `${{ }}` must itself be a valid
    /// expression (GitHub allows `if: success()`), and an error in it is thrown here, at load time.
    public init(parsingCondition text: String, allowedNames: Set<String>? = nil) throws(ExpressionError) {
        try self.init(text, allowedNames: allowedNames, condition: true)
    }

    private init(_ text: String, allowedNames: Set<String>?, condition: Bool) throws(ExpressionError) {
        let characters = Array(text)
        var parts: [Part] = []
        var expressions: [Expression] = []
        var offsets: [Int] = []
        var literal = ""
        var index = 0
        while index < characters.count {
            guard Template.opens(characters, at: index) else {
                literal.append(characters[index])
                index += 1
                continue
            }
            guard let close = Template.closing(characters, from: index + 3) else {
                throw .parsing("unclosed '${{' (no matching '}}')", at: index)
            }
            var start = index + 3
            var end = close
            while start < end, characters[start].isWhitespace { start += 1 }
            while end > start, characters[end - 1].isWhitespace { end -= 1 }
            let expression: Expression
            do {
                expression = try Expression(parsing: String(characters[start..<end]), allowedNames: allowedNames)
            } catch {
                throw error.shifted(by: start)
            }
            if !literal.isEmpty { parts.append(.text(literal)) }
            literal = ""
            parts.append(.expression(expressions.count))
            expressions.append(expression)
            offsets.append(start)
            index = close + 2
        }
        if !literal.isEmpty { parts.append(.text(literal)) }

        var bare: Result<Expression, ExpressionError>?
        if expressions.isEmpty, text.contains(where: { !$0.isWhitespace }) {
            do {
                bare = .success(try Expression(parsing: text, allowedNames: allowedNames))
            } catch {
                if condition { throw error }
                bare = .failure(error)
            }
        }
        self.text = text
        self.parts = parts
        self.expressions = expressions
        self.expressionOffsets = offsets
        self.bareCondition = bare
        self.isSingleExpression =
            expressions.count == 1
            && parts.allSatisfy { part in
                if case .text(let text) = part { return text.allSatisfy(\.isWhitespace) }
                return true
            }
    }

    /// True when `${{` starts at `index`.
    private static func opens(_ characters: [Character], at index: Int) -> Bool {
        index + 2 < characters.count && characters[index] == "$" && characters[index + 1] == "{"
            && characters[index + 2] == "{"
    }

    /// The index of the `}}` that closes an expression starting at `start`; a `}}` inside a
    /// single-quoted string literal (`format('{{0}}')`) does not close it.
    private static func closing(_ characters: [Character], from start: Int) -> Int? {
        var inString = false
        var index = start
        while index < characters.count {
            let character = characters[index]
            if character == "'" {
                inString.toggle()  // `''` toggles twice, so escaped quotes need no special case
            } else if !inString, character == "}", index + 1 < characters.count, characters[index + 1] == "}" {
                return index
            }
            index += 1
        }
        return nil
    }

    /// CONTRACT §3 "Evaluation rules": single expression → its value (any JSON type); otherwise a
    /// string with each expression rendered as text (numbers as GitHub writes them, `7` not `7.0`, null → "",
    /// bool → true/false, objects/arrays → compact JSON). No `${{` → the text as a string.
    /// Evaluation errors carry offsets relative to the start of `text`.
    public func render(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        if expressions.isEmpty { return .string(text) }
        if isSingleExpression { return try evaluate(0, in: context) }
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .expression(let index): output += try evaluate(index, in: context).templateText
            }
        }
        return .string(output)
    }

    /// Renders as text, passing each expression's text through `escape` and the text around it as
    /// written: a URL template escapes what values put into it, so that `a/../b?x=1` stays one path
    /// segment. A template that is one expression and nothing else is the whole value, not a part of
    /// one, and is not escaped.
    public func renderText(
        in context: EvaluationContext,
        escaping escape: (String) -> String
    ) throws(ExpressionError) -> String {
        if isSingleExpression { return try evaluate(0, in: context).templateText }
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .expression(let index): output += escape(try evaluate(index, in: context).templateText)
            }
        }
        return expressions.isEmpty ? text : output
    }

    /// An `if:` condition's answer: the value coerced to a boolean by truthiness, whether or not the
    /// text uses `${{ }}`. A blank condition means `success()`, as an absent one does.
    ///
    /// `implicitStatusCheck`: GitHub runs a step's `if:` as `success() && (…)` unless it calls a status
    /// function itself; pass true to get that (step conditions), false for a plain truth test.
    public func evaluateCondition(
        in context: EvaluationContext,
        implicitStatusCheck: Bool = false
    ) throws(ExpressionError) -> Bool {
        let usesStatus: Bool
        let holds: Bool
        if expressions.isEmpty {
            guard let bareCondition else { return context.status.success }
            let expression = try bareCondition.get()
            usesStatus = expression.referencesStatusFunction
            holds = try expression.evaluate(in: context).isTruthy
        } else {
            usesStatus = expressions.contains(where: \.referencesStatusFunction)
            holds = try render(in: context).isTruthy
        }
        if implicitStatusCheck, !usesStatus, !context.status.success { return false }
        return holds
    }

    private func evaluate(_ index: Int, in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        do {
            return try expressions[index].evaluate(in: context)
        } catch {
            throw error.shifted(by: expressionOffsets[index])
        }
    }
}
