/// A parsed `${{ }}` expression (the text inside the braces). Parsed once, evaluated many times.
///
/// The GitHub Actions expression language, exactly (CONTRACT §3); GitHub's conformance corpus is the
/// test. Two expressions are equal when their source text is, since the text determines the tree.
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    public let source: String
    /// Top-level named values referenced, lower-cased, e.g. ["event", "steps"].
    public let referencedNames: Set<String>
    /// Step ids referenced as `steps.<id>` / `steps['<id>']`, as written.
    public let referencedStepIDs: Set<String>
    /// True when the expression calls `success()`, `failure()`, `always()` or `cancelled()`; GitHub
    /// adds an implicit `success() &&` to a step's `if:` that calls none of them.
    public let referencesStatusFunction: Bool
    let root: ExpressionNode

    /// `allowedNames`: the named values (top-level contexts) the expression may use, in any letter
    /// case; nil = any name. A name not allowed is a parse error "unrecognized named-value 'env'" at
    /// the name's offset. Function names are case-insensitive; an unknown function or a wrong number
    /// of arguments is a parse error.
    public init(parsing source: String, allowedNames: Set<String>? = nil) throws(ExpressionError) {
        let allowed = allowedNames.map { Set($0.map { $0.lowercased() }) }
        let root = try ExpressionParser.parse(source, allowedNames: allowed)
        var names: Set<String> = []
        var stepIDs: Set<String> = []
        var usesStatus = false
        root.walk { node in
            switch node {
            case .namedValue(let name):
                names.insert(name.lowercased())
            case .property(.namedValue(let name), let id) where name.lowercased() == "steps":
                stepIDs.insert(id)
            case .call(let call) where call.function.isStatusFunction:
                usesStatus = true
            default:
                break
            }
        }
        self.source = source
        self.root = root
        self.referencedNames = names
        self.referencedStepIDs = stepIDs
        self.referencesStatusFunction = usesStatus
    }

    /// The value of the expression. Missing properties are null; only misuse of a function
    /// (`case` with a non-boolean predicate, a bad `format` string, invalid JSON for `fromJSON`) or
    /// exceeding the memory limit throws, with kind `evaluation`.
    public func evaluate(in context: EvaluationContext) throws(ExpressionError) -> JSONValue {
        var evaluator = ExpressionEvaluator(context: context)
        return try evaluator.evaluate(root).json
    }

    public var description: String { source }

    public static func == (lhs: Expression, rhs: Expression) -> Bool { lhs.source == rhs.source }

    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}
