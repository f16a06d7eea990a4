import CopilotCore
import CopilotExpressions
import Testing

@Suite struct FieldMatcherTests {
    static let payload: JSONValue = [
        "incident": [
            "severity": "P1",
            "affected_resources": ["payments-api", "payments-db"],
            "labels": ["environment": "production"],
            "count": 7,
            "ratio": "0.5",
            "resolution": nil,
            "assignees": [],
            "draft": false,
        ],
        "pull_request": [
            "labels": [["name": "bug"], ["name": "ui"]],
            "reviews": [[["state": "approved"]], [["state": "changes_requested"]]],
        ],
        "alerts": [
            ["labels": ["severity": "critical", "alertname": "HighErrorRate"]],
            ["labels": ["severity": "warning", "alertname": "DiskFull"]],
        ],
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        /// The matcher, or why its pattern does not compile: that fails the case's test.
        var matcher: Result<FieldMatcher, PatternError>
        var expected: Bool

        init(path: String, matcher: @autoclosure () throws(PatternError) -> FieldMatcher, expected: Bool) {
            self.path = path
            self.matcher = Result(catching: matcher)
            self.expected = expected
        }

        var testDescription: String {
            switch matcher {
            case .success(let matcher): "\(path): \(matcher) → \(expected)"
            case .failure(let error): "\(path): \(error)"
            }
        }
    }

    static func glob(_ text: String) throws(PatternError) -> FieldMatcher { .glob(try GlobPattern(text)) }
    static func regex(_ text: String) throws(PatternError) -> FieldMatcher { .regex(try RegexPattern(text)) }

    static let cases: [Case] = [
        // equals: loose, case-insensitive for strings, '7' == 7
        Case(path: "incident.severity", matcher: .equals("P1"), expected: true),
        Case(path: "incident.severity", matcher: .equals("p1"), expected: true),
        Case(path: "incident.severity", matcher: .equals("P0"), expected: false),
        Case(path: "incident.count", matcher: .equals("7"), expected: true),
        Case(path: "incident.draft", matcher: .equals(false), expected: true),
        Case(path: "incident.missing", matcher: .equals("x"), expected: false),
        // in
        Case(path: "incident.severity", matcher: .oneOf(["P0", "P1"]), expected: true),
        Case(path: "incident.severity", matcher: .oneOf(["P2", "P3"]), expected: false),
        Case(path: "incident.count", matcher: .oneOf([1, "7"]), expected: true),
        // glob and regex, with lists: any element
        Case(path: "incident.affected_resources", matcher: try glob("payments-*"), expected: true),
        Case(path: "incident.affected_resources", matcher: try glob("orders-*"), expected: false),
        Case(path: "incident.affected_resources", matcher: try regex("-db$"), expected: true),
        Case(path: "incident.severity", matcher: try regex("^P[01]$"), expected: true),
        Case(path: "incident.severity", matcher: try regex("p1"), expected: false),
        Case(path: "incident.count", matcher: try glob("7"), expected: true),
        // exists
        Case(path: "incident.labels.environment", matcher: .exists(true), expected: true),
        Case(path: "incident.resolution", matcher: .exists(true), expected: false),
        Case(path: "incident.missing", matcher: .exists(true), expected: false),
        Case(path: "incident.assignees", matcher: .exists(true), expected: true),
        Case(path: "incident.missing", matcher: .exists(false), expected: true),
        Case(path: "incident.resolution", matcher: .exists(false), expected: true),
        // comparisons: loose, strings as numbers
        Case(path: "incident.count", matcher: .compare(.gt, 5), expected: true),
        Case(path: "incident.count", matcher: .compare(.gt, 7), expected: false),
        Case(path: "incident.count", matcher: .compare(.gte, 7), expected: true),
        Case(path: "incident.count", matcher: .compare(.lt, 7), expected: false),
        Case(path: "incident.count", matcher: .compare(.lte, "7"), expected: true),
        Case(path: "incident.ratio", matcher: .compare(.lt, 1), expected: true),
        Case(path: "incident.severity", matcher: .compare(.lt, "p2"), expected: true),
        Case(path: "incident.missing", matcher: .compare(.lt, 1), expected: false),
        // paths through lists at every level
        Case(path: "pull_request.labels.name", matcher: .equals("bug"), expected: true),
        Case(path: "pull_request.labels.name", matcher: .equals("docs"), expected: false),
        Case(path: "pull_request.reviews.state", matcher: .equals("approved"), expected: true),
        Case(path: "alerts.labels.alertname", matcher: .equals("HighErrorRate"), expected: true),
        Case(path: "alerts.1.labels.alertname", matcher: .equals("HighErrorRate"), expected: false),
        Case(path: "alerts.0.labels.alertname", matcher: .equals("HighErrorRate"), expected: true),
        Case(path: "alerts.labels.severity", matcher: try glob("crit*"), expected: true),
        // not: on a list, holds when no element matches
        Case(path: "pull_request.labels.name", matcher: .not(.equals("bug")), expected: false),
        Case(path: "pull_request.labels.name", matcher: .not(.equals("docs")), expected: true),
        Case(path: "incident.affected_resources", matcher: try .not(glob("orders-*")), expected: true),
        Case(path: "incident.affected_resources", matcher: try .not(glob("*-db")), expected: false),
        Case(path: "incident.severity", matcher: .not(.oneOf(["P0", "P1"])), expected: false),
        Case(path: "incident.missing", matcher: .not(.exists(true)), expected: true),
        Case(path: "incident.severity", matcher: .not(.not(.equals("P1"))), expected: true),
        // several operators in one mapping: each holds
        Case(path: "incident.count", matcher: .all([.compare(.gte, 1), .compare(.lte, 10)]), expected: true),
        Case(path: "incident.count", matcher: .all([.compare(.gte, 1), .compare(.lte, 5)]), expected: false),
    ]

    @Test("a matcher holds or not at a path of the payload", arguments: cases)
    func holds(_ testCase: Case) throws {
        let path = try FieldPath(testCase.path)
        #expect(try testCase.matcher.get().holds(at: path, in: Self.payload) == testCase.expected)
    }

    @Test("a path reaches every element through lists, and nothing through scalars")
    func pathValues() throws {
        #expect(try FieldPath("pull_request.labels.name").values(in: Self.payload) == ["bug", "ui"])
        #expect(try FieldPath("incident.severity.x").values(in: Self.payload) == [])
        #expect(try FieldPath("alerts.5.labels").values(in: Self.payload) == [])
    }

    @Test("rejects an empty path component", arguments: ["", "a..b", ".a", "a."])
    func invalidPath(text: String) {
        #expect(throws: PatternError.self) { try FieldPath(text) }
    }

    @Test("a matcher describes itself as a playbook writes it")
    func descriptions() {
        #expect(FieldMatcher.oneOf(["P0", "P1"]).description == #"{in: ["P0","P1"]}"#)
        #expect(FieldMatcher.not(.exists(true)).description == "{not: {exists: true}}")
        #expect(FieldMatcher.equals("production").description == #""production""#)
    }
}
