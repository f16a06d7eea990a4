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

    /// The model's plan in the tests of planned runs: the integration suite, as step `integration`.
    static let integrationPlan: ModelStandIn.Answer = .plan([
        "summary": "run the integration suite",
        "steps": [
            ["id": "integration", "uses": "testbench.run", "with": ["test_suite": "integration"], "reason": "r"]
        ],
    ])

    /// `playbook` planned by the model, which may use the Test-Bench only.
    static let plannedPlaybook =
        playbook + """

            agent:
              instructions: Verify the pull request with the suite that fits it.
              allowed: [testbench.run]
            """

    /// The real binary on a fresh directory with `playbook`: `deliver` posts to the first process while
    /// the Test-Bench holds its answers back, which is killed with SIGKILL once `inFlight` steps are in
    /// flight; `resumed` then runs against a second process on the same database.
    static func killMidStepAndRestart(
        playbook: String,
        testBench: TestBenchStandIn,
        testBenchURL: String,
        extraConfiguration: String = "",
        inFlight: Int,
        deliver: (AgentProcess) async throws -> Void,
        resumed: (AgentProcess) async throws -> Void
    ) async throws {
        let directory = try AgentProcess.directory(
            name: "crash",
            playbooks: ["pr-verify.yaml": playbook],
            sections: """
                sources:
                  github: { secrets: [env:CRASH_SECRET] }
                integrations:
                  testbench: { url: "\(testBenchURL)", timeout_seconds: 60 }
                \(extraConfiguration)
                """
        )
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let environment = ["CRASH_SECRET": Self.secret]
        func start(_ name: String) throws -> AgentProcess {
            try AgentProcess(
                config: directory.config,
                directory: directory.url,
                port: directory.port,
                environment: environment,
                name: name
            )
        }

        // The Test-Bench holds its answers back: the steps are in flight when the service dies.
        await testBench.journal.delayResponses(by: .seconds(8))
        let first = try start("first")
        #expect(try await first.waitUntilReady(), "\(first.log)")
        try await deliver(first)
        let sent = try await eventually(timeout: .seconds(30)) {
            await testBench.journal.requests("POST", "/tests/execute").count >= inFlight
        }
        #expect(sent, "\(first.log)")
        first.stop(with: SIGKILL)

        await testBench.journal.delayResponses(by: .zero)
        let second = try start("second")
        defer { second.stop(with: SIGTERM) }
        #expect(try await second.waitUntilReady(), "\(second.log)")
        try await resumed(second)
    }

    /// Posts the corpus pull request as GitHub delivery `id`.
    static func postPullRequest(_ process: AgentProcess, delivery id: String) async throws {
        let body = try Corpus.bytes("github/pull_request.opened.payload.json")
        let headers = WebhookSigner.github(secret: Self.secret, body: body, event: "pull_request", delivery: id)
        #expect(try await process.post("/webhooks/github", headers: headers, body: body).status == .accepted)
    }

    /// Waits until `count` runs succeeded, and answers them.
    static func succeededRuns(_ process: AgentProcess, count: Int) async throws -> [JSONValue] {
        let finished = try await eventually(timeout: .seconds(60)) {
            let page = try await process.getJSON("/api/v1/runs?status=succeeded")
            return page["runs"]?.arrayValue?.count == count
        }
        #expect(finished, "\(process.log)")
        return try await process.getJSON("/api/v1/runs?status=succeeded")["runs"]?.arrayValue ?? []
    }

    @Test("runs killed mid-step are resumed after a restart and each step executes once logically")
    func killMidStepThenResume() async throws {
        let testBench = TestBenchStandIn(mode: .sync)
        let runCount = 4
        try await withStandIn(testBench) { testBenchURL in
            try await Self.killMidStepAndRestart(
                playbook: Self.playbook,
                testBench: testBench,
                testBenchURL: testBenchURL,
                inFlight: runCount
            ) { first in
                for index in 0..<runCount { try await Self.postPullRequest(first, delivery: "crash-\(index)") }
            } resumed: { second in
                let runs = try await Self.succeededRuns(second, count: runCount)
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
    }

    @Test("a planned run killed mid-step resumes its stored plan without asking the model again")
    func plannedRunResumesWithoutSecondModelCall() async throws {
        let testBench = TestBenchStandIn(mode: .sync)
        let model = ModelStandIn(apiKey: nil)
        await model.script([Self.integrationPlan])
        let playbook = Self.plannedPlaybook
        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(model) { modelURL in
                try await Self.killMidStepAndRestart(
                    playbook: playbook,
                    testBench: testBench,
                    testBenchURL: testBenchURL,
                    extraConfiguration: #"agent: { provider: openai, model: local, base_url: "\#(modelURL)" }"#,
                    inFlight: 1
                ) { first in
                    try await Self.postPullRequest(first, delivery: "plan-1")
                } resumed: { second in
                    let run = try await Self.succeededRuns(second, count: 1).first
                    #expect(run?["planner"] == "openai")
                    #expect(run?["steps"]?.arrayValue?.map { $0["id"] } == ["integration"])
                    #expect(
                        run?["steps"]?.arrayValue?.first?["attempts"]?.numberValue ?? 0 >= 2,
                        "sent again after the crash"
                    )
                    #expect(
                        await model.journal.requests.count == 1,
                        "the stored plan is run; the model is not asked again"
                    )
                    let suites = await testBench.journal.requests("POST", "/tests/execute").map {
                        $0.json?["test_suite"]
                    }
                    #expect(suites.allSatisfy { $0 == "integration" })
                }
            }
        }
    }
}
