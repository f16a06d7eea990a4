/// The syntax tree of a parsed expression. Built once at load time; the evaluator walks it per event.
indirect enum ExpressionNode: Sendable, Equatable {
    case literal(JSONValue)
    /// A top-level named value (`event`), as written.
    case namedValue(String)
    /// `base.name` or `base['name']` with a literal name.
    case property(ExpressionNode, String)
    /// `base[index]` with a computed index.
    case index(ExpressionNode, ExpressionNode)
    /// `base.*` or `base[*]`: every element of an array or every value of an object.
    case wildcard(ExpressionNode)
    case not(ExpressionNode)
    case comparison(ComparisonOperator, ExpressionNode, ExpressionNode)
    /// `a && b && …` kept flat, as GitHub does, so long chains do not count against the depth limit.
    case and([ExpressionNode])
    case or([ExpressionNode])
    case call(FunctionCall)

    /// Calls `visit` on this node and every node below it.
    func walk(_ visit: (ExpressionNode) -> Void) {
        visit(self)
        switch self {
        case .literal, .namedValue: break
        case .property(let base, _), .wildcard(let base), .not(let base): base.walk(visit)
        case .index(let base, let index):
            base.walk(visit)
            index.walk(visit)
        case .comparison(_, let left, let right):
            left.walk(visit)
            right.walk(visit)
        case .and(let operands), .or(let operands): for operand in operands { operand.walk(visit) }
        case .call(let call): for argument in call.arguments { argument.walk(visit) }
        }
    }
}
