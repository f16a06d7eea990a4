import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The whole flow through the shipped example playbooks, the real service and protocol-faithful
/// stand-ins on 127.0.0.1: a signed delivery → a durable run → actions → verification → report.
@Suite(.timeLimit(.minutes(2)))
struct RemediationFlowTests {
    static let incidentSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let githubSecret = "flow-test-github-secret-0123456789"
    static var playbooks: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Playbooks").path
    }

    static func configuration(
        directory: URL,
        testBench: String,
        incidents: String,
        deploy: String,
        github: String
    ) -> String {
        """
        server: { host: 127.0.0.1, port: 0 }
        storage: { url: "sqlite://\(directory.path)/copilot.db" }
        playbooks: { dir: "\(playbooks)", watch: false }
        log: { level: warning }
        sources:
          incident: { secrets: [env:FLOW_INCIDENT_SECRET] }
          github: { secrets: [env:FLOW_GITHUB_SECRET] }
        integrations:
          testbench: { url: "\(testBench)", token: env:FLOW_TESTBENCH_TOKEN }
          incident_manager: { url: "\(incidents)" }
          github: { api_url: "\(github)", token: env:FLOW_GITHUB_TOKEN }
        actions:
          deploy.rollback:
            method: POST
            url: "\(deploy)/rollback/${{ with.service }}"
            headers: { Authorization: "Bearer ${{ secrets.DEPLOY_TOKEN }}" }
            body: { service: "${{ with.service }}" }
            params: [service]
        secrets: { DEPLOY_TOKEN: env:FLOW_DEPLOY_TOKEN }
        """
    }

    static let variables = [
        "FLOW_INCIDENT_SECRET": incidentSecret, "FLOW_GITHUB_SECRET": githubSecret,
        "FLOW_TESTBENCH_TOKEN": "tb-token", "FLOW_GITHUB_TOKEN": "gh-token", "FLOW_DEPLOY_TOKEN": "deploy-token",
    ]

    /// Stand-ins for every integration, the live service on top, then `body` with the service's port.
    /// `extraConfiguration` is appended to the configuration (e.g. an `agent:` section).
    static func withFlow(
        extraConfiguration: String = "",
        extraVariables: [String: String] = [:],
        logger: Logger? = nil,
        _ body:
            @Sendable (Int, TestBenchStandIn, IncidentManagerStandIn, ReceiverStandIn, GitHubStandIn) async throws ->
            Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let incident = try JSONValue(parsing: Corpus.bytes("incident/incident.detected.payments.json"))
        let testBench = TestBenchStandIn(token: "tb-token")
        let incidents = IncidentManagerStandIn(incidentIDs: [incident["incident"]?["id"]?.stringValue ?? ""])
        let deploy = ReceiverStandIn()
        let github = GitHubStandIn()
        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(incidents) { incidentsURL in
                try await withStandIn(deploy) { deployURL in
                    try await withStandIn(github) { githubURL in
                        let yaml = configuration(
                            directory: directory,
                            testBench: testBenchURL,
                            incidents: incidentsURL,
                            deploy: deployURL,
                            github: githubURL
                        )
                        try await withLiveService(
                            configurationYAML: yaml + "\n" + extraConfiguration,
                            variables: variables.merging(extraVariables) { $1 },
                            logger: logger
                        ) { port in
                            try await body(port, testBench, incidents, deploy, github)
                        }
                    }
                }
            }
        }
    }

    static func request(
        _ port: Int,
        _ method: HTTPRequest.Method,
        _ path: String,
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) async throws -> JSONValue {
        // The operator API is called as an admin (LiveService installs the test keys).
        var fields = path.hasPrefix("/api/") ? TestOperators.headers() : HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        let request = fields
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.execute(
                TestClient.Request(path, method: method, headers: request, body: ByteBuffer(bytes: body))
            )
            return try JSONValue(parsing: Array(buffer: response.body ?? ByteBuffer()))
        }
    }

    /// Polls the run until `condition` holds (bounded).
    static func waitForRun(
        _ port: Int,
        _ id: String,
        until condition: @Sendable (JSONValue) -> Bool
    ) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let run = try await request(port, .get, "/api/v1/runs/\(id)")
            if condition(run) { return run }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await request(port, .get, "/api/v1/runs/\(id)")
    }

    /// The id of the run an event started, found through the events API (bounded wait; "" when none).
    static func runID(_ port: Int, event eventID: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let event = try await request(port, .get, "/api/v1/events/\(eventID)")
            if let runID = event["match"]?["runs"]?.arrayValue?.first?.stringValue { return runID }
            try await Task.sleep(for: .milliseconds(50))
        }
        return ""
    }

    /// Posts the payments incident, signed as the Incident-Manager signs it; answers its event id.
    static func postIncident(_ port: Int, webhookID: String) async throws -> String {
        let body = try Corpus.bytes("incident/incident.detected.payments.json")
        let headers = WebhookSigner.standardWebhooks(
            secret: incidentSecret,
            id: webhookID,
            timestamp: Int(Date().timeIntervalSince1970),
            body: body
        )
        let accepted = try await request(port, .post, "/webhooks/incident", headers: headers, body: body)
        return try #require(accepted["event_id"]?.stringValue)
    }

    @Test("a P0 payments incident waits for approval, rolls back, verifies with Test-Bench and resolves the incident")
    func incidentRollbackApproveVerifyResolve() async throws {
        try await Self.withFlow { port, testBench, incidents, deploy, _ in
            let body = try Corpus.bytes("incident/incident.detected.payments.json")
            let eventID = try await Self.postIncident(port, webhookID: "msg_flow_1")

            let runID = try await Self.runID(port, event: eventID)
            let waiting = try await Self.waitForRun(port, runID) { $0["status"] == "awaiting_approval" }
            #expect(waiting["status"] == "awaiting_approval")
            #expect(await deploy.journal.requests.isEmpty, "nothing runs before a person approves")

            // Who approved is the credential's operator; a `by` in the body is ignored.
            let approved = try await Self.request(
                port,
                .post,
                "/api/v1/runs/\(runID)/approve",
                headers: ["Authorization": "Bearer \(TestOperators.key("operator"))"],
                body: Array(#"{"comment":"go","by":"alice"}"#.utf8)
            )
            #expect(approved["steps"]?.arrayValue?.first?["approval"]?["by"] == "test-operator (key_test_operator)")
            let done = try await Self.waitForRun(port, runID) {
                ["succeeded", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            #expect(done["status"] == "succeeded")
            #expect(done["steps"]?.arrayValue?.map { $0["outcome"] } == ["success", "success", "success", "skipped"])

            let rollback = try #require(await deploy.journal.requests.first)
            #expect(rollback.path == "/rollback/payments-api")
            #expect(rollback.header("Authorization") == "Bearer deploy-token")
            #expect(rollback.header("Idempotency-Key") == "\(runID):rollback")
            let execute = try #require(await testBench.journal.requests("POST", "/tests/execute").first)
            #expect(execute.json?["test_suite"] == "payments-smoke")
            #expect(execute.header("Authorization") == "Bearer tb-token")
            #expect(execute.header("traceparent")?.hasPrefix("00-") == true)
            let incidentID = try JSONValue(parsing: body)["incident"]?["id"]?.stringValue ?? ""
            let resolve = await incidents.journal.requests("POST", "/v1/incidents/\(incidentID)/resolve")
            #expect(resolve.count == 1)
            #expect(resolve.first?.json?["notes"]?.stringValue?.contains("2/3 smoke tests passed") == true)

            // The audit log has the approval, by the credential's operator, and every action the run sent.
            let audit = try await Self.request(
                port,
                .get,
                "/api/v1/audit?limit=500",
                headers: ["Authorization": "Bearer \(TestOperators.key("auditor"))"],
                body: []
            )
            let records = try #require(audit["records"]?.arrayValue).filter { $0["target"] == .string("run:\(runID)") }
            #expect(
                records.reversed().map { $0["action"] } == [
                    "run.approved", "action.executed", "action.executed", "action.executed",
                ]
            )
            #expect(records.last?["actor"] == "test-operator (key_test_operator)")
            #expect(records.last?["detail"] == ["comment": "go"])
            let executed = records.dropLast().reversed().map { $0["detail"]?["step"]?.stringValue ?? "" }
            #expect(executed == done["steps"]?.arrayValue?.prefix(3).map { $0["id"]?.stringValue ?? "" })
            #expect(records.dropLast().allSatisfy { $0["detail"]?["outcome"] == "success" })
        }
    }

    @Test("no secret, signature, token or API key is in any log line of a whole incident flow, at trace level")
    func noSecretInLogs() async throws {
        let logs = LogRecorder()
        var logger = logs.logger("live-test")
        logger.logLevel = .trace
        let body = try Corpus.bytes("incident/incident.detected.payments.json")
        let signed = WebhookSigner.standardWebhooks(
            secret: Self.incidentSecret,
            id: "msg_logs_1",
            timestamp: Int(Date().timeIntervalSince1970),
            body: body
        )
        let wrongKey = "cpa_not-a-key-of-ours-0123456789abcdef"
        try await Self.withFlow(logger: logger) { port, _, _, _, _ in
            let accepted = try await Self.request(port, .post, "/webhooks/incident", headers: signed, body: body)
            let runID = try await Self.runID(port, event: accepted["event_id"]?.stringValue ?? "")
            _ = try await Self.waitForRun(port, runID) { $0["status"] == "awaiting_approval" }
            _ = try await Self.request(
                port,
                .post,
                "/api/v1/runs/\(runID)/approve",
                headers: ["Authorization": "Bearer \(TestOperators.key("operator"))"],
                body: Array(#"{"comment":"go"}"#.utf8)
            )
            let done = try await Self.waitForRun(port, runID) {
                ["succeeded", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            #expect(done["status"] == "succeeded")
            // Refusals are logged too: a key we never issued, and a delivery signed with another secret.
            _ = try await Self.request(port, .get, "/api/v1/runs", headers: ["Authorization": "Bearer \(wrongKey)"])
            var forged = signed
            forged["webhook-id"] = "msg_logs_2"
            _ = try await Self.request(port, .post, "/webhooks/incident", headers: forged, body: body)
        }
        #expect(logs.all.contains { $0.level == .trace || $0.level == .debug }, "logged at every level")
        let text = logs.all.map(\.text).joined(separator: "\n")
        let signature = signed["webhook-signature"] ?? "?"
        let secrets = [
            Self.incidentSecret, String(Self.incidentSecret.dropFirst("whsec_".count)), Self.githubSecret, "tb-token",
            "gh-token", "deploy-token", TestOperators.key("operator"), TestOperators.adminKey, wrongKey,
            String(signature.split(separator: ",").last ?? "?"),
        ]
        for secret in secrets {
            #expect(!text.contains(secret), "a log line holds \(secret.prefix(8))…")
        }
    }

    @Test("a rejected approval skips the rollback and reports the failure to the Incident-Manager")
    func rejectedApprovalReports() async throws {
        try await Self.withFlow { port, testBench, incidents, deploy, _ in
            let body = try Corpus.bytes("incident/incident.detected.payments.json")
            let eventID = try await Self.postIncident(port, webhookID: "msg_flow_2")
            let runID = try await Self.runID(port, event: eventID)
            _ = try await Self.waitForRun(port, runID) { $0["status"] == "awaiting_approval" }
            _ = try await Self.request(
                port,
                .post,
                "/api/v1/runs/\(runID)/reject",
                body: Array(#"{"comment":"no"}"#.utf8)
            )
            let done = try await Self.waitForRun(port, runID) { $0["status"] == "rejected" }
            #expect(done["status"] == "rejected")
            #expect(await deploy.journal.requests.isEmpty)
            #expect(await testBench.journal.requests.isEmpty)
            #expect(
                await incidents.journal.requests(
                    "POST",
                    "/v1/incidents/\(try JSONValue(parsing: body)["incident"]?["id"]?.stringValue ?? "")/resolve"
                ).isEmpty
            )
        }
    }

    @Test("a pull request runs the unit suite, then sets a commit status and comments on the PR")
    func pullRequestChecks() async throws {
        try await Self.withFlow { port, testBench, _, _, github in
            let body = try Corpus.bytes("github/pull_request.opened.payload.json")
            let headers = WebhookSigner.github(
                secret: Self.githubSecret,
                body: body,
                event: "pull_request",
                delivery: "flow-pr-1"
            )
            let eventID = try #require(
                try await Self.request(port, .post, "/webhooks/github", headers: headers, body: body)["event_id"]?
                    .stringValue
            )
            let run = try await Self.waitForRun(port, try await Self.runID(port, event: eventID)) {
                ["succeeded", "failed"].contains($0["status"]?.stringValue ?? "")
            }
            #expect(run["status"] == "succeeded")
            #expect(await testBench.journal.requests("POST", "/tests/execute").first?.json?["test_suite"] == "unit")
            let sha = try JSONValue(parsing: body)["pull_request"]?["head"]?["sha"]?.stringValue ?? ""
            let statuses = await github.journal.requests("POST", "/repos/Codertocat/Hello-World/statuses/\(sha)")
            #expect(statuses.first?.json?["state"] == "success")
            let comments = await github.journal.requests("POST", "/repos/Codertocat/Hello-World/issues/2/comments")
            #expect(comments.first?.json?["body"]?.stringValue?.contains("<!-- copilot-agent run=") == true)
        }
    }
}
