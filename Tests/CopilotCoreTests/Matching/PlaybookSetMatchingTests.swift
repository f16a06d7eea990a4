import CopilotCore
import CopilotExpressions
import Foundation
import Testing

@Suite struct PlaybookSetMatchingTests {
    static func playbook(
        _ name: String,
        _ triggers: [Trigger],
        condition: String? = nil
    ) throws -> Playbook {
        Playbook(
            name: PlaybookName(rawValue: name),
            file: "Playbooks/\(name).yaml",
            triggers: triggers,
            condition: try condition.map {
                try Template(parsingCondition: $0, allowedNames: Playbook.playbookContextNames)
            },
            steps: [Step(id: StepID(rawValue: "s"), uses: "testbench.run")]
        )
    }

    static func event(_ source: EventSource, _ type: String, _ payload: JSONValue, subject: String = "") -> Event {
        Event(
            id: EventID(rawValue: "e1"),
            source: source,
            type: type,
            receivedAt: Date(timeIntervalSince1970: 0),
            deliveryID: DeliveryID(rawValue: "d1"),
            subject: subject,
            payload: payload
        )
    }

    static func set() throws -> PlaybookSet {
        PlaybookSet([
            try playbook(
                "payments-rollback",
                [
                    Trigger(
                        source: .incident,
                        types: ["incident.detected"],
                        conditions: [
                            FieldCondition(path: try FieldPath("incident.severity"), matcher: .oneOf(["P0", "P1"]))
                        ]
                    )
                ],
                condition: "${{ event.payload.incident.incident_type != 'Security' }}"
            ),
            try playbook(
                "pr-checks",
                [Trigger(source: .github, types: ["pull_request.opened", "pull_request.synchronize"])]
            ),
            try playbook("all-pr-events", [Trigger(source: .github, types: ["pull_request"])]),
            try playbook("any-github", [Trigger(source: .github)]),
            try playbook(
                "multi",
                [Trigger(source: .alertmanager), Trigger(source: .pagerduty, types: ["incident.triggered"])]
            ),
        ])
    }

    @Test("matches by source and type, an event name covering its actions")
    func sourcesAndTypes() throws {
        let result = try Self.set().match(Self.event(.github, "pull_request.opened", [:]))
        #expect(result.matched.map(\.name.rawValue) == ["all-pr-events", "any-github", "pr-checks"])
        #expect(result.notMatched.isEmpty)
        let push = try Self.set().match(Self.event(.github, "push", [:]), scope: .all)
        #expect(push.matched.map(\.name.rawValue) == ["any-github"])
        #expect(
            push.notMatched == [
                .init(playbook: PlaybookName(rawValue: "all-pr-events"), reason: "on.github.types: type is push"),
                .init(
                    playbook: PlaybookName(rawValue: "multi"),
                    reason: "on.alertmanager, on.pagerduty: source is github"
                ),
                .init(playbook: PlaybookName(rawValue: "payments-rollback"), reason: "on.incident: source is github"),
                .init(playbook: PlaybookName(rawValue: "pr-checks"), reason: "on.github.types: type is push"),
            ]
        )
        #expect(
            try Self.set().reasonsNotListening(source: .github, type: "push") == push.notMatched,
            "without a payload, the same reasons for the playbooks that do not listen"
        )
        #expect(try Self.set().listens(source: .github, type: "push"))
        #expect(try !Self.set().listens(source: .incident, type: "incident.resolved"))
    }

    @Test("matched playbooks read, compare and hash as a list of the same playbooks does")
    func matchedPlaybooks() throws {
        let set = try Self.set()
        let result = set.match(Self.event(.github, "pull_request.opened", [:]))
        let listed = Array(result.matched)
        #expect(listed.map(\.name.rawValue) == ["all-pr-events", "any-github", "pr-checks"])
        #expect(result.matched.first == set[PlaybookName(rawValue: "all-pr-events")])
        #expect(result == MatchResult(matched: listed, notMatched: result.notMatched))
        #expect(result.matched.hashValue == MatchedPlaybooks(listed).hashValue)
        #expect(result.matched != MatchedPlaybooks(listed.reversed()))
    }

    @Test("an event name alone covers only GitHub events' actions")
    func eventNamePrefix() {
        #expect(Trigger(source: .github, types: ["pull_request"]).admits(type: "pull_request.closed"))
        #expect(!Trigger(source: .github, types: ["pull_request"]).admits(type: "pull_request_review.submitted"))
        #expect(!Trigger(source: .incident, types: ["incident"]).admits(type: "incident.detected"))
    }

    @Test("says which matcher or if: failed")
    func reasons() throws {
        let set = try Self.set()
        let low = set.match(Self.event(.incident, "incident.detected", ["incident": ["severity": "P3"]]))
        #expect(low.matched.isEmpty)
        #expect(
            low.notMatched.map(\.reason) == [
                #"on.incident.match.incident.severity: {in: ["P0","P1"]} does not hold (found "P3")"#
            ]
        )
        let security = set.match(
            Self.event(.incident, "incident.detected", ["incident": ["severity": "P0", "incident_type": "security"]])
        )
        #expect(
            security.notMatched.map(\.reason) == [
                "if: ${{ event.payload.incident.incident_type != 'Security' }} is false"
            ]
        )
        let good = set.match(Self.event(.incident, "incident.detected", ["incident": ["severity": "P0"]]))
        #expect(good.matched.map(\.name.rawValue) == ["payments-rollback"])
        let missing = set.match(Self.event(.incident, "incident.detected", [:]))
        #expect(missing.notMatched.first?.reason.hasSuffix("(found nothing)") == true)
    }

    @Test("matching 10,000 playbooks looks only at the ones for the event's source and type")
    func scales() throws {
        var playbooks: [Playbook] = []
        for index in 0..<10_000 {
            // 1% listen to github pull_request.opened; the rest to other types and sources.
            let trigger =
                index % 100 == 0
                ? Trigger(
                    source: .github,
                    types: ["pull_request.opened"],
                    conditions: [
                        FieldCondition(path: try FieldPath("pull_request.number"), matcher: .compare(.gt, 0))
                    ]
                )
                : Trigger(source: EventSource.allCases[index % 4], types: ["type.\(index)"])
            playbooks.append(try Self.playbook("p\(index)", [trigger]))
        }
        let set = PlaybookSet(playbooks)
        let event = Self.event(.github, "pull_request.opened", ["pull_request": ["number": 7]])
        #expect(set.match(event).matched.count == 100)
        let clock = ContinuousClock()
        let rounds = 200
        let elapsed = clock.measure {
            for _ in 0..<rounds { _ = set.match(event) }
        }
        // A debug build is far slower than release; this only guards against a scan of the whole set.
        #expect(elapsed / rounds < .milliseconds(5))
    }
}
