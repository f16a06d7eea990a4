import Testing

@testable import CopilotExpressions

/// Words whose letter case and Unicode forms try `CaseInsensitive`: ASCII, the Turkish i's, the Greek
/// sigmas, `ß`, the Kelvin sign, composed and decomposed letters, and letters whose upper case is two
/// scalars (`ǰ`, `ᾳ`).
let caseWords = [
    "pull_request", "Pull_Request", "PULL_REQUEST", "sha", "SHA", "ſha", "ı", "I", "i", "İ", "σ", "ς", "Σ",
    "straße", "STRASSE", "K", "k", "\u{212A}", "", "é", "É", "e\u{301}", "E\u{301}", "ǰ", "j\u{30C}", "J\u{30C}",
    "ᾳ", "ᾼ", "1", "_",
]

@Suite struct CaseInsensitiveTests {
    @Test("strings equal ignoring case fold alike, but for two outside ASCII; the pairs kept apart stay apart")
    func folded() {
        for left in caseWords {
            for right in caseWords where CaseInsensitive.equals(left, right) {
                guard CaseInsensitive.isASCII(left) || CaseInsensitive.isASCII(right) else { continue }
                #expect(CaseInsensitive.folded(left) == CaseInsensitive.folded(right), "\(left) \(right)")
            }
        }
        for (left, right) in [("ı", "I"), ("i", "İ"), ("straße", "STRASSE"), ("pull_request", "pull-request")] {
            #expect(CaseInsensitive.folded(left) != CaseInsensitive.folded(right), "\(left) \(right)")
        }
        #expect(CaseInsensitive.folded("pull_request") == "PULL_REQUEST")
        // The exception `JSONProjection` handles: equal, folded apart.
        #expect(CaseInsensitive.equals("ǰ", "j\u{30C}"))
        #expect(CaseInsensitive.folded("ǰ") != CaseInsensitive.folded("j\u{30C}"))
    }
}
