extension Expression {
    /// What evaluating the expression can read of the named value `name` (matched ignoring case, as
    /// evaluation does): the member paths below it, as written. `event.payload.pull_request.number`
    /// reads `["payload", "pull_request", "number"]` below `event`, and whatever that path reaches may be
    /// read whole. A path stops before a step that is not a member name (a computed index, a wildcard)
    /// or that names a list element (`alerts['0']`): everything from there may be read. The empty path
    /// stands for the whole value (`toJSON(event)`).
    public func paths(below name: String) -> [[String]] {
        var paths: [[String]] = []
        Self.collect(root, below: name, into: &paths)
        return paths
    }

    private static func collect(_ node: ExpressionNode, below name: String, into paths: inout [[String]]) {
        switch node {
        case .literal:
            break
        case .namedValue, .property, .index, .wildcard:
            // A chain of accesses: find its base, outermost step first.
            var members: [String?] = []  // nil: a step that is not a member name
            var base = node
            chain: while true {
                switch base {
                case .property(let inner, let member):
                    members.append(member)
                    base = inner
                case .index(let inner, let index):
                    members.append(nil)
                    collect(index, below: name, into: &paths)
                    base = inner
                case .wildcard(let inner):
                    members.append(nil)
                    base = inner
                default:
                    break chain
                }
            }
            guard case .namedValue(let root) = base else {
                collect(base, below: name, into: &paths)  // `fromJSON(…).x`: what the call reads
                return
            }
            guard CaseInsensitive.equals(root, name) else { return }
            var path: [String] = []
            for member in members.reversed() {
                // A name that reads as a number indexes a list, as `ExpressionEvaluator.lookup` does.
                guard let member, JSONValue.string(member).expressionNumber.isNaN else { break }
                path.append(member)
            }
            paths.append(path)
        case .not(let operand):
            collect(operand, below: name, into: &paths)
        case .comparison(_, let left, let right):
            collect(left, below: name, into: &paths)
            collect(right, below: name, into: &paths)
        case .and(let operands), .or(let operands):
            for operand in operands { collect(operand, below: name, into: &paths) }
        case .call(let call):
            for argument in call.arguments { collect(argument, below: name, into: &paths) }
        }
    }
}

extension Template {
    /// What rendering or evaluating the template can read of the named value `name`: every expression's
    /// `paths(below:)`, a bare condition's included.
    public func paths(below name: String) -> [[String]] {
        var paths = expressions.flatMap { $0.paths(below: name) }
        if case .success(let expression)? = bareCondition { paths += expression.paths(below: name) }
        return paths
    }
}
