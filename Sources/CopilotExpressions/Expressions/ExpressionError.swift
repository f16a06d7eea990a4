/// Why an expression could not be read or evaluated.
///
/// A plain struct rather than an enum because callers (the playbook validator, the dry run, the step
/// runner) only branch on `kind` and show `message`; the wording follows GitHub's where GitHub has one.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The phase that failed.
    public enum Kind: String, Sendable {
        /// A character sequence that is no token (`1 = 2`, `'unterminated`).
        case lexing
        /// Tokens in an order the grammar does not allow, an unknown function or named value, a limit.
        case parsing
        /// A value of the wrong kind at run time (`case(1, 'a', 'b')`, a bad `format` string).
        case evaluation
    }

    public var kind: Kind
    public var message: String
    /// 0-based offset in Characters into the expression source where the problem is, when known
    /// (always set for lexing/parsing).
    public var offset: Int?

    public init(kind: Kind, message: String, offset: Int?) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String {
        guard let offset else { return "\(kind.rawValue) error: \(message)" }
        return "\(kind.rawValue) error at offset \(offset): \(message)"
    }

    /// The same error with its offset moved by `distance`, for an expression embedded in a larger text.
    func shifted(by distance: Int) -> ExpressionError {
        var copy = self
        copy.offset = offset.map { $0 + distance }
        return copy
    }

    static func lexing(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(kind: .lexing, message: message, offset: offset)
    }

    static func parsing(_ message: String, at offset: Int) -> ExpressionError {
        ExpressionError(kind: .parsing, message: message, offset: offset)
    }

    static func evaluation(_ message: String, at offset: Int? = nil) -> ExpressionError {
        ExpressionError(kind: .evaluation, message: message, offset: offset)
    }
}
