import CopilotExpressions
import Testing

@Suite struct GlobPatternTests {
    @Test(
        "matches the whole string, case-sensitively",
        arguments: [
            ("payments-*", "payments-api", true),
            ("payments-*", "payments-", true),
            ("payments-*", "my-payments-api", false),
            ("payments-*", "Payments-api", false),
            ("*-api", "payments-api", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("[cp]*", "critical", true),
            ("[cp]*", "warning", false),
            ("[!cp]*", "warning", true),
            ("[^cp]*", "critical", false),
            ("v[0-9].[0-9]", "v1.2", true),
            ("v[0-9].[0-9]", "v1.x", false),
            ("\\*literal", "*literal", true),
            ("\\*literal", "xliteral", false),
            ("", "", true),
            ("*", "", true),
            ("**", "anything", true),
            ("é*", "éclair", true),
        ]
    )
    func matches(pattern: String, text: String, expected: Bool) throws {
        #expect(try GlobPattern(pattern).matches(text) == expected)
    }

    @Test(
        "rejects a broken glob, pointing inside it",
        arguments: [
            ("fix-[", 4),
            ("a[]", 1),
            ("x[z-a]", 2),
            ("trailing\\", 8),
        ]
    )
    func invalid(pattern: String, offset: Int) {
        #expect(throws: PatternError.self) { try GlobPattern(pattern) }
        do {
            _ = try GlobPattern(pattern)
        } catch {
            #expect(error.offset == offset)
        }
    }

    @Test("does not take exponential time on many stars")
    func noBacktrackingBlowUp() throws {
        let pattern = try GlobPattern(String(repeating: "a*", count: 30) + "b")
        #expect(!pattern.matches(String(repeating: "a", count: 200)))
    }
}
