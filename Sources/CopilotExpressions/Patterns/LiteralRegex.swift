/// A `regex:` pattern that is only literal text, optionally `(?i)`, `^`-anchored or `$`-anchored
/// (`(?i)readme`, `^Update `, `^\[security\]`, `-db$`), searched for without the regex engine.
///
/// Swift `Regex` costs a microsecond or more per search even for such patterns (it compares scalar by
/// scalar through Unicode case tables), and they are most of what playbooks write. The search here
/// gives the engine's answer exactly, but only for ASCII text: there every character is one byte, a
/// grapheme boundary falls between every two bytes except inside `\r\n` (which no literal here can
/// match, as it has neither byte), and `(?i)` only pairs the ASCII letters. Other text goes to the
/// engine (`search` returns nil).
struct LiteralRegex: Sendable, Hashable {
    /// The literal, as ASCII bytes; never empty.
    let bytes: [UInt8]
    let ignoresCase: Bool
    /// `^`: the literal must start the text (without `(?m)`, `^` is only the start of the input).
    let anchoredAtStart: Bool
    /// `$`: the literal must end the text (Swift `Regex`'s `$` is only the end of the input, not a
    /// final newline).
    let anchoredAtEnd: Bool

    /// The pattern's literal reading, or nil when it uses anything else (classes, groups, quantifiers,
    /// `.`, alternation, other options, escapes of letters), which the engine must handle.
    init?(_ source: String) {
        var rest = Substring(source).utf8[...]
        var ignoresCase = false
        var anchoredAtStart = false
        // `(?i)` and `^` in either order before the literal.
        for _ in 0..<2 {
            if !ignoresCase, rest.starts(with: "(?i)".utf8) {
                ignoresCase = true
                rest = rest.dropFirst(4)
            } else if !anchoredAtStart, rest.first == UInt8(ascii: "^") {
                anchoredAtStart = true
                rest = rest.dropFirst()
            }
        }
        var bytes: [UInt8] = []
        var anchoredAtEnd = false
        var index = rest.startIndex
        while index != rest.endIndex {
            let byte = rest[index]
            rest.formIndex(after: &index)
            if Self.isPlain(byte) {
                bytes.append(byte)
            } else if byte == UInt8(ascii: "\\"), index != rest.endIndex, Self.isEscapable(rest[index]) {
                bytes.append(rest[index])
                rest.formIndex(after: &index)
            } else if byte == UInt8(ascii: "$"), index == rest.endIndex {
                anchoredAtEnd = true
            } else {
                return nil
            }
        }
        guard !bytes.isEmpty else { return nil }
        self.bytes = bytes
        self.ignoresCase = ignoresCase
        self.anchoredAtStart = anchoredAtStart
        self.anchoredAtEnd = anchoredAtEnd
    }

    /// Whether the literal occurs in `text` as the engine would find it, or nil when `text` is not
    /// ASCII.
    func search(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { utf8 -> Bool? in
            guard !utf8.contains(where: { $0 >= 0x80 }) else { return nil }
            guard utf8.count >= bytes.count else { return false }
            let lastStart = utf8.count - bytes.count
            if anchoredAtStart {
                return (!anchoredAtEnd || lastStart == 0) && occurs(in: utf8, at: 0)
            }
            if anchoredAtEnd { return occurs(in: utf8, at: lastStart) }
            for start in 0...lastStart where occurs(in: utf8, at: start) { return true }
            return false
        }
    }

    private func occurs(in text: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        for offset in 0..<bytes.count {
            let wanted = bytes[offset]
            let found = text[start + offset]
            if wanted == found { continue }
            guard ignoresCase, Self.lowercased(wanted) == Self.lowercased(found) else { return false }
        }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 0x20 : byte
    }

    /// Letters, digits, space and punctuation that the regex syntax reads as itself.
    private static func isPlain(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            " -_/:@,=".utf8.contains(byte)
        }
    }

    /// The metacharacters, which a backslash makes literal.
    private static func isEscapable(_ byte: UInt8) -> Bool {
        #"\.[](){}*+?|^$/"#.utf8.contains(byte)
    }
}
