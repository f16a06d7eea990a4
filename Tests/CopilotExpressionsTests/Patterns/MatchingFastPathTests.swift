import Testing

@testable import CopilotExpressions

/// The byte searches that stand in for the regex engine (`LiteralRegex`) and for character-by-character
/// globbing (`ASCIIGlob`) must give exactly their answers, including on the texts they hand back.
@Suite struct MatchingFastPathTests {
    static let texts = [
        "", "Update the README with new information.", "readme", "README", "ReadMe.md", "Update", " Update",
        "[security] fix", "[Security] fix", "refs/heads/main", "refs/heads/main2", "payments-db", "payments-db\n",
        "-db", "x", "line\nnext", "a\r\nb", "x\r", "\r\n", "ab\rc", "é", "e\u{301}", "e", "\u{212A}elvin", "kelvin",
        "café readme", "a*b", "a.b", "abc", "a-b", "[x]", "ac",
    ]

    static let regexes = [
        "(?i)readme", "readme", "^Update ", #"^\[security\]"#, #"(?i)^\[security\]"#, "^(?i)update", "-db$",
        "^refs/heads/main$", "new info", "(?i)kelvin", "k", "e", #"\.md"#, "b", "x$", "^x", "a b", #"a\*b"#,
        #"a\.b"#, "^x$",
    ]

    static let globs = [
        "payments-*", "*-db", "a?c", "a*b*c", "[cp]*", "[!cp]*", "[^a-c]?", "[a-c]hanges", "*ange?", "chang*",
        "*", "", "?", "\\*literal", "a\\*b", "*[x]*", "é*", "e*", "*\r*", "[é]", "[!é]", "[a-é]",
    ]

    @Test("a regex answers as the engine does", arguments: regexes)
    func regex(pattern: String) throws {
        let engine = try Regex(pattern)
        let compiled = try RegexPattern(pattern)
        for text in Self.texts {
            let expected = (try engine.firstMatch(in: text)) != nil
            #expect(compiled.matches(text) == expected, "\(pattern) in \(text.debugDescription)")
        }
    }

    @Test("only plain text, (?i) and the two anchors read as a literal")
    func literalReading() {
        for pattern in ["(?i)readme", "^Update ", #"^\[security\]"#, "(?i)^a", "^(?i)a", "-db$", #"a\$"#] {
            #expect(LiteralRegex(pattern) != nil, "\(pattern)")
        }
        for pattern in [
            "", "^", "(?i)", "new (info|data)", "a.b", "a+", "a?", #"\d"#, "(?m)^a", "a$b", "[ab]", "a|b", "a{2}",
            "(?x) a", "é", #"\w"#, "#a",
        ] {
            #expect(LiteralRegex(pattern) == nil, "\(pattern)")
        }
        #expect(LiteralRegex("(?i)readme")?.search("Update the README") == true)
        #expect(LiteralRegex("readme")?.search("café readme") == nil)
    }

    @Test("a glob matches ASCII as it matches characters", arguments: globs)
    func glob(pattern: String) throws {
        let glob = try GlobPattern(pattern)
        for text in Self.texts {
            #expect(glob.matches(text) == glob.matchesCharacters(text), "\(pattern) on \(text.debugDescription)")
        }
    }
}
