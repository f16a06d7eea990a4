/// A regular expression of a `regex:` matcher: Swift `Regex` syntax, searched for anywhere in the
/// string (write `^…$` to anchor), case-sensitive unless the pattern says `(?i)`.
public struct RegexPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let source: String
    private let regex: CompiledRegex
    /// The pattern read as plain text, when it is only that: searched without the engine when it can.
    private let literal: LiteralRegex?

    /// Compiles a pattern; throws with the compiler's message when it is not a valid regular expression.
    public init(_ source: String) throws(PatternError) {
        self.source = source
        do {
            self.regex = CompiledRegex(try Regex(source))
        } catch {
            throw PatternError(message: "invalid regular expression: \(error)")
        }
        self.literal = LiteralRegex(source)
    }

    public var description: String { source }

    /// True when the pattern occurs somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        if let found = literal?.search(text) { return found }
        return (try? regex.regex.firstMatch(in: text)) != nil
    }

    public static func == (lhs: RegexPattern, rhs: RegexPattern) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// `Regex<AnyRegexOutput>` is not `Sendable` because its output type could hold anything; this one is
/// compiled once, never mutated, and only asked for matches of `String`s, whose results are not shared.
private struct CompiledRegex: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}
