/// Splits an expression into tokens the way GitHub's lexer does.
///
/// Works on Characters so that offsets are Character offsets, which is what diagnostics report. A run
/// of characters that forms no token is read up to the next token boundary and reported whole
/// (`Unexpected symbol: '=2'`), as GitHub does.
struct ExpressionLexer {
    private let characters: [Character]
    private var index = 0
    private var tokens: [ExpressionToken] = []

    private init(_ source: String) {
        characters = Array(source)
    }

    /// All tokens of `source`; throws a lexing error at the first character run that is no token.
    static func tokens(of source: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(source)
        try lexer.run()
        return lexer.tokens
    }

    private mutating func run() throws(ExpressionError) {
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
                continue
            }
            let numberMayStart = tokens.last?.allowsNumberAfter ?? true
            switch character {
            case "(": single(.startGroup)
            case ")": single(.endGroup)
            case "[": single(.startIndex)
            case "]": single(.endIndex)
            case ",": single(.separator)
            case "*":
                guard tokens.last?.kind == .startIndex || tokens.last?.kind == .dereference else {
                    throw unexpected(from: index, to: index + 1)
                }
                single(.wildcard)
            case ".":
                if numberMayStart { try readNumber() } else { single(.dereference) }
            case "-", "+":
                guard numberMayStart else { throw unexpected(from: index, to: index + 1) }
                try readNumber()
            case "!": pair(ifNext: "=", .comparison(.notEqual), else: .not)
            case "<": pair(ifNext: "=", .comparison(.lessOrEqual), else: .comparison(.less))
            case ">": pair(ifNext: "=", .comparison(.greaterOrEqual), else: .comparison(.greater))
            case "=": try doubled(.comparison(.equal))
            case "&": try doubled(.and)
            case "|": try doubled(.or)
            case "'": try readString()
            case "0"..."9": try readNumber()
            default: try readKeyword()
            }
        }
    }

    private static func isBoundary(_ character: Character) -> Bool {
        switch character {
        case "(", "[", ")", "]", ",", ".", "!", ">", "<", "=", "&", "|": true
        default: character.isWhitespace
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(characters[start..<end])
    }

    private func unexpected(from start: Int, to end: Int) -> ExpressionError {
        .lexing("Unexpected symbol: '\(text(start, end))'", at: start)
    }

    private mutating func single(_ kind: ExpressionToken.Kind) {
        tokens.append(ExpressionToken(kind: kind, offset: index, text: String(characters[index])))
        index += 1
    }

    private mutating func pair(ifNext next: Character, _ paired: ExpressionToken.Kind, else alone: ExpressionToken.Kind)
    {
        if index + 1 < characters.count, characters[index + 1] == next {
            tokens.append(ExpressionToken(kind: paired, offset: index, text: text(index, index + 2)))
            index += 2
        } else {
            single(alone)
        }
    }

    /// `==`, `&&`, `||`: the character must be doubled; alone it starts an unknown run.
    private mutating func doubled(_ kind: ExpressionToken.Kind) throws(ExpressionError) {
        if index + 1 < characters.count, characters[index + 1] == characters[index] {
            tokens.append(ExpressionToken(kind: kind, offset: index, text: text(index, index + 2)))
            index += 2
            return
        }
        throw unexpected(from: index, to: endOfRun(from: index, allowingDots: false))
    }

    /// The end of a run that starts at `start`: up to the next boundary (dots included for numbers).
    private func endOfRun(from start: Int, allowingDots: Bool) -> Int {
        var end = start + 1
        while end < characters.count {
            let character = characters[end]
            if ExpressionLexer.isBoundary(character), !(allowingDots && character == ".") { break }
            end += 1
        }
        return end
    }

    private mutating func readNumber() throws(ExpressionError) {
        let start = index
        let end = endOfRun(from: start, allowingDots: true)
        let written = text(start, end)
        let value = JSONValue.expressionNumber(parsing: written)
        guard !value.isNaN else { throw unexpected(from: start, to: end) }
        tokens.append(ExpressionToken(kind: .number(value), offset: start, text: written))
        index = end
    }

    private mutating func readString() throws(ExpressionError) {
        let start = index
        var value = ""
        var cursor = start + 1
        while cursor < characters.count {
            let character = characters[cursor]
            if character == "'" {
                // `''` is an escaped quote; a single quote ends the string.
                if cursor + 1 < characters.count, characters[cursor + 1] == "'" {
                    value.append("'")
                    cursor += 2
                    continue
                }
                tokens.append(ExpressionToken(kind: .string(value), offset: start, text: text(start, cursor + 1)))
                index = cursor + 1
                return
            }
            value.append(character)
            cursor += 1
        }
        throw unexpected(from: start, to: characters.count)
    }

    private mutating func readKeyword() throws(ExpressionError) {
        let start = index
        let end = endOfRun(from: start, allowingDots: false)
        let word = text(start, end)
        guard ExpressionLexer.isLegalKeyword(characters[start..<end]) else { throw unexpected(from: start, to: end) }
        index = end
        let kind: ExpressionToken.Kind
        if tokens.last?.kind == .dereference {
            kind = .propertyName(word)
        } else {
            switch word {
            case "null": kind = .null
            case "true": kind = .boolean(true)
            case "false": kind = .boolean(false)
            case "NaN": kind = .number(.nan)
            case "Infinity": kind = .number(.infinity)
            default:
                // A keyword followed (after optional whitespace) by `(` names a function.
                var lookahead = end
                while lookahead < characters.count, characters[lookahead].isWhitespace { lookahead += 1 }
                let isCall = lookahead < characters.count && characters[lookahead] == "("
                kind = isCall ? .function(word) : .namedValue(word)
            }
        }
        tokens.append(ExpressionToken(kind: kind, offset: start, text: word))
    }

    /// A letter or `_`, then letters, digits, `_` and `-`.
    private static func isLegalKeyword(_ word: ArraySlice<Character>) -> Bool {
        guard let first = word.first, first.isLetter || first == "_" else { return false }
        return word.dropFirst().allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
