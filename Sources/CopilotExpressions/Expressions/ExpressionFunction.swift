/// The functions an expression may call. Names are case-insensitive; arity is checked at parse time.
enum ExpressionFunction: Sendable, Hashable {
    case contains, startsWith, endsWith, format, join, toJSON, fromJSON, `case`
    case success, failure, always, cancelled

    /// The function called `name` in any letter case, or nil.
    init?(name: String) {
        switch name.lowercased() {
        case "contains": self = .contains
        case "startswith": self = .startsWith
        case "endswith": self = .endsWith
        case "format": self = .format
        case "join": self = .join
        case "tojson": self = .toJSON
        case "fromjson": self = .fromJSON
        case "case": self = .case
        case "success": self = .success
        case "failure": self = .failure
        case "always": self = .always
        case "cancelled": self = .cancelled
        default: return nil
        }
    }

    /// The least and most arguments accepted (GitHub caps variadic functions at 255).
    var arity: ClosedRange<Int> {
        switch self {
        case .contains, .startsWith, .endsWith: 2...2
        case .format: 1...255
        case .join: 1...2
        case .toJSON, .fromJSON: 1...1
        case .case: 3...255
        case .success, .failure, .always, .cancelled: 0...0
        }
    }

    /// True for the functions that read the run's status rather than values.
    var isStatusFunction: Bool {
        switch self {
        case .success, .failure, .always, .cancelled: true
        default: false
        }
    }
}

/// One call in the syntax tree.
struct FunctionCall: Sendable, Equatable {
    var function: ExpressionFunction
    var arguments: [ExpressionNode]
    /// Offset of the function name, reported with evaluation errors.
    var offset: Int
    /// `format`'s first argument compiled once at load time when it is a string literal, which it
    /// almost always is, so evaluation does not rescan it for every event.
    var compiledFormat: FormatString?
}
