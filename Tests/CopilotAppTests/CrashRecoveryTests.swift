import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// CONTRACT §4 and §8: a service killed with SIGKILL while runs are mid-step resumes them after a
/// restart on the same database, and the receiver sees each step's idempotency key as one execution.
@Suite(.timeLimit(.minutes(2)))
struct CrashRecoveryTests {
    static let secret = "crash-test-secret-0123456789abcdef"
    static let playbook = """
        name: pr-verify
        on:
          github:
            types: [pull_request.opened]
        steps:
          - id: verify
            uses: testbench.run
            with: { test_suite: unit }
            timeout_seconds: 60
        """

    @Test("runs killed mid-step are resumed after a restart and each step executes once logically")
    func killMidStepThenResume() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("playbooks"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(Self.playbook.utf8).write(to: directory.appendingPathComponent("playbooks/pr-verify.yaml"))
        let testBench = TestBenchStandIn(mode: .sync)
        let runCount = 4

        try await withStandIn(testBench) { testBenchURL in
            let port = AgentProcess.freePort()
            let config = directory.appendingPathComponent("copilot.yaml").path
            try Data(
                """
                server: { host: 127.0.0.1, port: \(port) }
                storage: { url: "sqlite://\(directory.path)/copilot.db" }
                playbooks: { dir: "\(directory.path)/playbooks", watch: false }
                sources:
                  github: { secrets: [env:CRASH_SECRET] }
                integrations:
                  testbench: { url: "\(testBenchURL)", timeout_seconds: 60 }
                """.utf8
            ).write(to: URL(fileURLWithPath: config))
            let environment = ["CRASH_SECRET": Self.secret]

            // The Test-Bench holds its answers back: every step is in flight when the service dies.
            await testBench.journal.delayResponses(by: .seconds(8))
            let first = try AgentProcess(
                config: config,
                directory: directory,
                port: port,
                environment: environment,
                name: "first"
            )
            #expect(try await first.waitUntilReady(), "\(first.log)")
            let body = try Corpus.bytes("github/pull_request.opened.payload.json")
            for index in 0..<runCount {
                let headers = WebhookSigner.github(
                    secret: Self.secret,
                    body: body,
                    event: "pull_request",
                    delivery: "crash-\(index)"
                )
                let response = try await first.post("/webhooks/github", headers: headers, body: body)
                #expect(response.status == .accepted)
            }
            let inFlight = try await eventually(timeout: .seconds(30)) {
                await testBench.journal.requests("POST", "/tests/execute").count >= runCount
            }
            #expect(inFlight, "\(first.log)")
            first.stop(with: SIGKILL)

            await testBench.journal.delayResponses(by: .zero)
            let second = try AgentProcess(
                config: config,
                directory: directory,
                port: port,
                environment: environment,
                name: "second"
            )
            defer { second.stop(with: SIGTERM) }
            #expect(try await second.waitUntilReady(), "\(second.log)")
            let finished = try await eventually(timeout: .seconds(60)) {
                let page = try await second.getJSON("/api/v1/runs?status=succeeded")
                return page["runs"]?.arrayValue?.count == runCount
            }
            #expect(finished, "\(second.log)")

            let runs = try await second.getJSON("/api/v1/runs")["runs"]?.arrayValue ?? []
            #expect(runs.count == runCount)
            let requests = await testBench.journal.requests("POST", "/tests/execute")
            for run in runs {
                let key = "\(run["id"]?.stringValue ?? ""):verify"
                #expect(await testBench.journal.logicalExecutions(key) == 1, "one logical execution for \(key)")
                #expect(
                    requests.filter { $0.header("Idempotency-Key") == key }.count >= 2,
                    "sent again after the crash"
                )
                #expect(run["steps"]?.arrayValue?.first?["attempts"]?.numberValue ?? 0 >= 2)
            }
        }
    }

    @Test("a planned run killed mid-step resumes its stored plan without asking the model again")
    func plannedRunResumesWithoutSecondModelCall() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("playbooks"),
            withIntermediateDirectories: true
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(
            (Self.playbook + """

                agent:
                  instructions: Verify the pull request with the suite that fits it.
                  allowed: [testbench.run]
                """).utf8
        ).write(to: directory.appendingPathComponent("playbooks/pr-verify.yaml"))
        let testBench = TestBenchStandIn(mode: .sync)
        let model = ModelStandIn(apiKey: nil)
        await model.script([
            .plan([
                "summary": "run the integration suite",
                "steps": [
                    [
                        "id": "integration", "uses": "testbench.run", "with": ["test_suite": "integration"],
                        "reason": "r",
                    ]
                ],
            ])
        ])

        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(model) { modelURL in
                let port = AgentProcess.freePort()
                let config = directory.appendingPathComponent("copilot.yaml").path
                try Data(
                    """
                    server: { host: 127.0.0.1, port: \(port) }
                    storage: { url: "sqlite://\(directory.path)/copilot.db" }
                    playbooks: { dir: "\(directory.path)/playbooks", watch: false }
                    sources:
                      github: { secrets: [env:CRASH_SECRET] }
                    integrations:
                      testbench: { url: "\(testBenchURL)", timeout_seconds: 60 }
                    agent: { provider: openai, model: local, base_url: "\(modelURL)" }
                    """.utf8
                ).write(to: URL(fileURLWithPath: config))
                let environment = ["CRASH_SECRET": Self.secret]

                await testBench.journal.delayResponses(by: .seconds(8))
                let first = try AgentProcess(
                    config: config,
                    directory: directory,
                    port: port,
                    environment: environment,
                    name: "first"
                )
                #expect(try await first.waitUntilReady(), "\(first.log)")
                let body = try Corpus.bytes("github/pull_request.opened.payload.json")
                let headers = WebhookSigner.github(
                    secret: Self.secret,
                    body: body,
                    event: "pull_request",
                    delivery: "plan-1"
                )
                #expect(try await first.post("/webhooks/github", headers: headers, body: body).status == .accepted)
                let inFlight = try await eventually(timeout: .seconds(30)) {
                    await testBench.journal.requests("POST", "/tests/execute").count >= 1
                }
                #expect(inFlight, "\(first.log)")
                first.stop(with: SIGKILL)

                await testBench.journal.delayResponses(by: .zero)
                let second = try AgentProcess(
                    config: config,
                    directory: directory,
                    port: port,
                    environment: environment,
                    name: "second"
                )
                defer { second.stop(with: SIGTERM) }
                #expect(try await second.waitUntilReady(), "\(second.log)")
                let finished = try await eventually(timeout: .seconds(60)) {
                    let page = try await second.getJSON("/api/v1/runs?status=succeeded")
                    return page["runs"]?.arrayValue?.count == 1
                }
                #expect(finished, "\(second.log)")
                let run = try await second.getJSON("/api/v1/runs?status=succeeded")["runs"]?.arrayValue?.first
                #expect(run?["planner"] == "openai")
                #expect(run?["steps"]?.arrayValue?.map { $0["id"] } == ["integration"])
                #expect(
                    run?["steps"]?.arrayValue?.first?["attempts"]?.numberValue ?? 0 >= 2,
                    "sent again after the crash"
                )
                #expect(await model.journal.requests.count == 1, "the stored plan is run; the model is not asked again")
                let suites = await testBench.journal.requests("POST", "/tests/execute").map { $0.json?["test_suite"] }
                #expect(suites.allSatisfy { $0 == "integration" })
            }
        }
    }
}
