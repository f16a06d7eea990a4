/// One token of an expression, with its 0-based Character offset into the source.
struct ExpressionToken: Sendable {
    enum Kind: Sendable, Equatable {
        case startGroup, endGroup, startIndex, endIndex, separator, dereference, wildcard
        case not, and, or
        case comparison(ComparisonOperator)
        case null
        case boolean(Bool)
        case number(Double)
        case string(String)
        case propertyName(String)
        case function(String)
        case namedValue(String)
    }

    var kind: Kind
    var offset: Int
    /// The token as written, for error messages.
    var text: String

    /// True for the tokens after which `.`, `-` and `+` start a number rather than being an operator
    /// (GitHub's lexer decides this from the previous token, so `foo.bar` dereferences while `(.5)`
    /// and `!-1` are numbers).
    var allowsNumberAfter: Bool {
        switch kind {
        case .separator, .startGroup, .startIndex, .not, .and, .or, .comparison: true
        default: false
        }
    }
}

/// The comparison operators, all binary and left-associative.
enum ComparisonOperator: Sendable, Equatable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual

    /// `==` and `!=` bind less tightly than `<`, `<=`, `>` and `>=`.
    var isEquality: Bool { self == .equal || self == .notEqual }
}
