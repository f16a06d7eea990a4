/// A glob compiled to bytes, for ASCII text: the same matching as `GlobPattern.matches`, without
/// splitting the text into an array of `Character`s (which allocated and cost about as much as the
/// rest of a condition).
///
/// In ASCII text with no carriage return every byte is one character (only `\r\n` joins two bytes into
/// one grapheme), so matching bytes is matching characters. Other text goes to `GlobPattern`'s
/// character matching (`matches` returns nil).
struct ASCIIGlob: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case byte(UInt8)
        case anyOne
        case anyRun
        /// A character class as the set of ASCII bytes it admits: bit `b` of `low` for `b < 64`, bit
        /// `b - 64` of `high` otherwise.
        case byteClass(low: UInt64, high: UInt64)
    }

    let tokens: [Token]

    /// The byte form of a glob's tokens, or nil when a literal is not a one-byte ASCII character (it
    /// could only match other text).
    init?(_ tokens: [GlobPattern.Token]) {
        var compiled: [Token] = []
        compiled.reserveCapacity(tokens.count)
        for token in tokens {
            switch token {
            case .literal(let character):
                // `utf8`, not `asciiValue`: `"\r\n"` is ASCII and its `asciiValue` is that of `\n`.
                guard character.utf8.count == 1, let byte = character.utf8.first, byte < 0x80 else { return nil }
                compiled.append(.byte(byte))
            case .anyOne: compiled.append(.anyOne)
            case .anyRun: compiled.append(.anyRun)
            case .characterClass(let characterClass):
                // The class's own answer for each ASCII character, so ranges and negation mean the same.
                var (low, high): (UInt64, UInt64) = (0, 0)
                for byte in UInt8(0)..<0x80 where characterClass.contains(Character(Unicode.Scalar(byte))) {
                    if byte < 64 { low |= 1 << byte } else { high |= 1 << (byte - 64) }
                }
                compiled.append(.byteClass(low: low, high: high))
            }
        }
        self.tokens = compiled
    }

    /// True when the whole of `text` matches; nil when `text` is not ASCII or holds a carriage return.
    func matches(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            guard !bytes.contains(where: { $0 >= 0x80 || $0 == UInt8(ascii: "\r") }) else { return nil }
            return matches(bytes)
        }
    }

    /// `GlobPattern.matches(tokens:text:isAnyRun:accepts:)` on bytes.
    private func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        GlobPattern.matches(
            tokens: tokens.count,
            text: text.count,
            isAnyRun: { tokens[$0] == .anyRun },
            accepts: { token, index in
                switch tokens[token] {
                case .anyRun: false
                case .anyOne: true
                case .byte(let byte): byte == text[index]
                case .byteClass(let low, let high): Self.admits(low, high, text[index])
                }
            }
        )
    }

    private static func admits(_ low: UInt64, _ high: UInt64, _ byte: UInt8) -> Bool {
        byte < 64 ? low & (1 << byte) != 0 : high & (1 << (byte - 64)) != 0
    }
}
