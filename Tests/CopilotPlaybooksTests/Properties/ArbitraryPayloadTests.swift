import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotTesting
import PropertyBased
import Testing

/// Matching and dry runs never crash and stay consistent, whatever JSON a sender posts.
@Suite struct ArbitraryPayloadTests {
    /// Keys the shipped examples and fixtures read, so that random payloads reach their matchers.
    static let keys = [
        "incident", "severity", "affected_resources", "labels", "environment", "name", "pull_request", "draft",
        "number", "head", "sha", "workflow_run", "conclusion", "head_branch", "alerts", "alertname", "event",
        "data", "urgency", "id", "title", "0", "",
    ]
    static let strings = [
        "P0", "P1", "payments-api", "production", "bug", "main", "failure", "HighErrorRate", "", "7", "0x1f", "é",
    ]

    /// A payload built from a seed: objects, lists, every scalar kind, nested a few levels.
    static func payload(seed: Int) -> JSONValue {
        var generator = SeededGenerator(seed: UInt64(bitPattern: Int64(seed)))
        return value(depth: 0, &generator)
    }

    static func value(depth: Int, _ random: inout SeededGenerator) -> JSONValue {
        let kind = Int(random.next() % (depth > 4 ? 5 : 8))
        switch kind {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .number([0, -1, 7, 0.5, 1e300, -0.0, .infinity, .nan][Int(random.next() % 8)])
        case 3, 4: return .string(strings[Int(random.next() % UInt64(strings.count))])
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in value(depth: depth + 1, &random) })
        default:
            var members = JSONObject()
            for _ in 0..<Int(random.next() % 5) {
                members[keys[Int(random.next() % UInt64(keys.count))]] = value(depth: depth + 1, &random)
            }
            return .object(members)
        }
    }

    static let set: PlaybookSet? = {
        try? ExamplePlaybookTests.set()
    }()

    @Test("matching and dry runs of arbitrary payloads never crash and explain every playbook")
    func neverCrashes() async throws {
        let set = try #require(Self.set)
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            var payload = Self.payload(seed: seed)
            // Often wrap the random value where the examples look, so deep matchers run too.
            if seed % 2 == 0 { payload = ["incident": payload, "pull_request": payload, "alerts": [payload]] }
            for (source, type) in [
                (EventSource.incident, "incident.detected"), (.github, "pull_request.opened"),
                (.github, "workflow_run.completed"), (.alertmanager, "alert.firing"),
                (.pagerduty, "incident.triggered"),
            ] {
                var event = CorpusEvent.make(payload, source: source)
                event.type = type
                let result = set.match(event, scope: .all)
                #expect(result.matched.count + result.notMatched.count == set.count)
                let report = PlaybookDryRun.run(event, against: set)
                #expect(report.matched.count == result.matched.count)
                _ = report.jsonValue.jsonText
            }
        }
    }

    @Test("not holds exactly when its matcher does not, on any payload")
    func negation() async throws {
        let matchers: [FieldMatcher] = [
            .equals("P1"), .oneOf(["main", 7]), .exists(true), .compare(.gte, 0),
            .glob(try GlobPattern("pay*")), .regex(try RegexPattern("^[0-9]+$")),
        ]
        let paths = try ["incident", "incident.labels.name", "alerts.0", "pull_request.number", "x"].map(FieldPath.init)
        await propertyCheck(count: 300, input: Gen.int(in: 0...Int.max)) { seed in
            let payload = Self.payload(seed: seed)
            for matcher in matchers {
                for path in paths {
                    #expect(
                        FieldMatcher.not(matcher).holds(at: path, in: payload) == !matcher.holds(at: path, in: payload)
                    )
                }
            }
        }
    }
}
