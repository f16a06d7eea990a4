/// A glob as playbook matchers use it: `*` any run of characters (including none), `?` one character,
/// `[abc]`, `[a-z]`, `[!a-z]` or `[^a-z]` one character of (or not of) a class, `\x` the character `x`.
/// It matches the whole string, case-sensitively, character by character (grapheme clusters).
public struct GlobPattern: Sendable, Hashable, CustomStringConvertible {
    enum Token: Sendable, Hashable {
        case literal(Character)
        case anyOne
        case anyRun
        case characterClass(CharacterClass)
    }

    struct CharacterClass: Sendable, Hashable {
        var negated: Bool
        var singles: Set<Character>
        var ranges: [ClosedRange<Character>]

        func contains(_ character: Character) -> Bool {
            let member = singles.contains(character) || ranges.contains { $0.contains(character) }
            return member != negated
        }
    }

    /// The pattern as written.
    public let source: String
    let tokens: [Token]
    /// The same tokens as bytes, for ASCII text (nil when a literal is not ASCII).
    private let asciiTokens: ASCIIGlob?

    /// Compiles a pattern; throws for an unclosed `[`, an empty class, a reversed range or a trailing `\`.
    public init(_ source: String) throws(PatternError) {
        self.source = source
        self.tokens = try Self.compile(Array(source))
        self.asciiTokens = ASCIIGlob(tokens)
    }

    public var description: String { source }

    /// True when the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        asciiTokens?.matches(text) ?? matchesCharacters(text)
    }

    /// `matches` character by character, for any text (`ASCIIGlob` gives the same answers on ASCII).
    func matchesCharacters(_ text: String) -> Bool {
        let characters = Array(text)
        return Self.matches(
            tokens: tokens.count,
            text: characters.count,
            isAnyRun: { tokens[$0] == .anyRun },
            accepts: { token, index in
                switch tokens[token] {
                case .anyRun: false
                case .anyOne: true
                case .literal(let character): character == characters[index]
                case .characterClass(let characterClass): characterClass.contains(characters[index])
                }
            }
        )
    }

    /// The matching algorithm, for characters and for bytes (`ASCIIGlob`): iterative, with one
    /// backtrack point for the last `*`, so linear for most patterns and never exponential.
    /// `accepts(token, index)` tells whether a token other than `*` takes the text's element `index`.
    @inline(__always)
    static func matches(
        tokens tokenCount: Int,
        text textCount: Int,
        isAnyRun: (Int) -> Bool,
        accepts: (Int, Int) -> Bool
    ) -> Bool {
        var tokenIndex = 0
        var textIndex = 0
        var starToken: Int?
        var starText = 0
        while textIndex < textCount {
            if tokenIndex < tokenCount {
                if isAnyRun(tokenIndex) {
                    starToken = tokenIndex
                    starText = textIndex
                    tokenIndex += 1
                    continue
                }
                if accepts(tokenIndex, textIndex) {
                    tokenIndex += 1
                    textIndex += 1
                    continue
                }
            }
            guard let star = starToken else { return false }
            tokenIndex = star + 1
            starText += 1
            textIndex = starText
        }
        while tokenIndex < tokenCount, isAnyRun(tokenIndex) { tokenIndex += 1 }
        return tokenIndex == tokenCount
    }

    private static func compile(_ pattern: [Character]) throws(PatternError) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < pattern.count {
            let character = pattern[index]
            switch character {
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyOne)
                index += 1
            case "\\":
                guard index + 1 < pattern.count else {
                    throw PatternError(message: "the glob ends with an unfinished escape '\\'", offset: index)
                }
                tokens.append(.literal(pattern[index + 1]))
                index += 2
            case "[":
                let (characterClass, next) = try compileClass(pattern, openingAt: index)
                tokens.append(.characterClass(characterClass))
                index = next
            default:
                tokens.append(.literal(character))
                index += 1
            }
        }
        return tokens
    }

    /// Reads `[...]` starting at `start`; returns the class and the index after `]`.
    private static func compileClass(
        _ pattern: [Character],
        openingAt start: Int
    ) throws(PatternError) -> (CharacterClass, Int) {
        var index = start + 1
        var characterClass = CharacterClass(negated: false, singles: [], ranges: [])
        if index < pattern.count, pattern[index] == "!" || pattern[index] == "^" {
            characterClass.negated = true
            index += 1
        }
        var members = 0
        while index < pattern.count, pattern[index] != "]" {
            var low = pattern[index]
            if low == "\\", index + 1 < pattern.count {
                index += 1
                low = pattern[index]
            }
            if index + 2 < pattern.count, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                let high = pattern[index + 2]
                guard low <= high else {
                    throw PatternError(message: "the glob has a reversed range '\(low)-\(high)'", offset: index)
                }
                characterClass.ranges.append(low...high)
                index += 3
            } else {
                characterClass.singles.insert(low)
                index += 1
            }
            members += 1
        }
        guard index < pattern.count else {
            throw PatternError(message: "the glob has a '[' that is never closed", offset: start)
        }
        guard members > 0 else {
            throw PatternError(message: "the glob has an empty character class '[]'", offset: start)
        }
        return (characterClass, index + 1)
    }
}

/// Why a glob or regular expression could not be compiled; `offset` is a character offset into it.
public struct PatternError: Error, Sendable, Hashable {
    public var message: String
    public var offset: Int?

    public init(message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }
}
