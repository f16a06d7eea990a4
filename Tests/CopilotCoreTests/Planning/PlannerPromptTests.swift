import CopilotCore
import CopilotExpressions
import Foundation
import Testing

@Suite struct PlannerPromptTests {
    static let agent = PlaybookAgent(instructions: "Roll back the last deploy if the error rate rose.", allowed: [])
    static let playbook = Playbook(
        name: PlaybookName(rawValue: "payments-rollback"),
        file: "p.yaml",
        triggers: [],
        agent: agent,
        steps: []
    )

    static func event(_ payload: JSONValue, subject: String = "payments-api") -> Event {
        Event(
            id: EventID(rawValue: "evt-1"),
            source: .incident,
            type: "incident.detected",
            receivedAt: Date(timeIntervalSince1970: 0),
            deliveryID: DeliveryID(rawValue: "d-1"),
            subject: subject,
            payload: payload
        )
    }

    @Test("the prompt holds the instructions, the event, the payload as JSON and the last runs")
    func content() {
        let run = PastRun(
            id: RunID(rawValue: "run-9"),
            status: .failed,
            steps: [.init(uses: "testbench.run", outcome: .failure)]
        )
        let prompt = PlannerPrompt(
            playbook: Self.playbook,
            agent: Self.agent,
            event: Self.event(["incident": ["severity": "P1"]]),
            recentRuns: [run],
            secrets: []
        )
        #expect(
            prompt.system.contains("Roll back the last deploy if the error rate rose."),
            "trusted: with the system text"
        )
        #expect(!prompt.user.contains("Roll back the last deploy"))
        #expect(
            prompt.user.contains(
                #"{"source":"incident","type":"incident.detected","subject":"payments-api","payload":{"incident":{"severity":"P1"}}}"#
            ),
            "everything the sender wrote is inside the JSON block"
        )
        #expect(prompt.user.contains("- run-9: failed; testbench.run=failure"))
        #expect(prompt.system.contains("submit_plan"))
    }

    @Test("configured secret values are redacted from the payload, its keys and the subject")
    func redaction() {
        let secret = "s3cr3t-token-value"
        let prompt = PlannerPrompt(
            playbook: Self.playbook,
            agent: Self.agent,
            event: Self.event(
                ["note": .string("token=\(secret)!"), secret: [.string(secret)]],
                subject: "x-\(secret)"
            ),
            recentRuns: [],
            secrets: [secret, ""]
        )
        #expect(!prompt.user.contains(secret))
        #expect(prompt.user.contains(#""payload":{"note":"token=[redacted]!","[redacted]":["[redacted]"]}"#))
        #expect(prompt.user.contains(#""subject":"x-[redacted]""#))
        #expect(
            PlannerPrompt.redacted("key abcdef here", ["abc", "abcdef"]) == "key [redacted] here",
            "a secret that holds another is redacted whole"
        )
    }

    @Test("a payload over the budget is shortened, saying so, and stays under it")
    func budget() {
        let payload: JSONValue = [
            "log": .string(String(repeating: "x", count: 50_000)),
            "alerts": .array((0..<500).map { .number(Double($0)) }),
        ]
        let (text, trimmed) = PlannerPrompt.payloadText(payload, secrets: [], budget: 2_048)
        #expect(trimmed)
        #expect(text.utf8.count <= 2_048)
        #expect(text.contains("more bytes]"))
        #expect(text.contains("more items]"))
        let small = PlannerPrompt.payloadText(["a": 1], secrets: [], budget: 2_048)
        #expect(small.text == #"{"a":1}"# && !small.trimmed)
        let tiny = PlannerPrompt.payloadText(payload, secrets: [], budget: 40)
        #expect(tiny.text.utf8.count <= 40 && tiny.text.hasSuffix("…[truncated]"))
        // A cut never splits a character's bytes.
        let accents = PlannerPrompt.payloadText(
            ["s": .string(String(repeating: "é", count: 2_000))],
            secrets: [],
            budget: 1_024
        )
        #expect(accents.trimmed && !accents.text.contains("\u{FFFD}"))
        #expect(accents.text.contains("é…[3488 more bytes]"))
    }

    @Test("a secret is redacted wherever it occurs, also one that JSON escapes, and before any cut")
    func escapedSecret() {
        let secret = #"pa"ss\word-0123456789"#
        let payload: JSONValue = [
            "note": .string("token=\(secret); " + String(repeating: "y", count: 600)),
            secret: "as a key",
        ]
        for budget in [100_000, 400] {
            let (text, _) = PlannerPrompt.payloadText(payload, secrets: [secret], budget: budget)
            #expect(!text.contains("pa\\\"ss"), "escaped form absent at budget \(budget): \(text)")
            #expect(!text.contains("word-0123456789"))
            #expect(text.contains("[redacted]"))
        }
    }
}
