import CopilotCore
import Foundation
import Testing

@Suite struct RetryAfterTests {
    static let now = Date(timeIntervalSince1970: 1_445_412_470)  // 2015-10-21T07:27:50Z

    @Test(
        "reads delay-seconds and IMF-fixdate",
        arguments: [
            ("120", Duration.seconds(120)), (" 0 ", .seconds(0)),
            ("Wed, 21 Oct 2015 07:28:00 GMT", .seconds(10)),
            ("Wed, 21 Oct 2015 07:00:00 GMT", .seconds(0)),
        ]
    )
    func parses(text: String, expected: Duration) {
        #expect(RetryAfter.parse(text, now: Self.now) == expected)
    }

    @Test("rejects anything else", arguments: ["", "-1", "1.5", "soon", "Wed, 21 Oct 2015 07:28:00 PST"])
    func rejects(text: String) {
        #expect(RetryAfter.parse(text, now: Self.now) == nil)
    }

    @Test("GitHub's exhausted rate limit waits until the reset")
    func gitHub() {
        #expect(RetryAfter.gitHubRateLimit(remaining: "0", reset: "1445412500", now: Self.now) == .seconds(30))
        #expect(RetryAfter.gitHubRateLimit(remaining: "12", reset: "1445412500", now: Self.now) == nil)
        #expect(RetryAfter.gitHubRateLimit(remaining: nil, reset: nil, now: Self.now) == nil)
    }
}
