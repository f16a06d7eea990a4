import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct TestBenchRunActionTests {
    @Test("sync run: exact request, success when nothing failed")
    func syncPass() async throws {
        let testBench = TestBenchStandIn(token: Fixtures.token)
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration { $0.testBench = Fixtures.integration(baseURL + "/") }
            )
            let outcome = await executor.execute(
                Fixtures.request("testbench.run", with: ["test_suite": "payments-smoke"])
            )
            #expect(outcome == .succeeded(outputs: ["passed": 2, "failed": 0, "total": 3, "status": "passed"]))
            let requests = await testBench.journal.requests
            let request = try #require(requests.first)
            #expect(requests.count == 1)
            #expect(request.method == "POST")
            #expect(request.path == "/tests/execute")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("Accept") == "application/json")
            Fixtures.expectCommonHeaders(request)
            #expect(
                request.json
                    == [
                        "test_suite": "payments-smoke", "filters": [], "timeout_seconds": 600, "run_id": "run-1",
                        "target": ["repository": "octo/repo", "ref": "abc123", "pull_request": 42],
                    ]
            )
        }
    }

    @Test("sync run with failed tests fails, not retryable, and keeps its outputs")
    func syncFail() async throws {
        let testBench = TestBenchStandIn(results: [.init("a", "passed"), .init("b", "failed"), .init("c", "failed")])
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration { $0.testBench = .init(baseURL: baseURL) }
            )
            let outcome = await executor.execute(
                Fixtures.request(
                    "testbench.run",
                    with: ["test_suite": "unit", "filters": ["fast"], "timeout_seconds": 30, "target": ["ref": "x"]]
                )
            )
            #expect(
                outcome
                    == .failed(
                        retryable: false,
                        reason: "tests failed: 2 of 3",
                        outputs: ["passed": 1, "failed": 2, "total": 3, "status": "failed"]
                    )
            )
            let request = try #require(await testBench.journal.requests.first)
            #expect(request.header("Authorization") == nil)
            #expect(request.json?["filters"] == ["fast"])
            #expect(request.json?["timeout_seconds"] == 30)
            #expect(request.json?["target"] == ["ref": "x"])
        }
    }

    @Test("a result with status error fails the step even when none failed")
    func errorResult() async throws {
        let testBench = TestBenchStandIn(results: [.init("a", "passed"), .init("b", "error")])
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.testBench = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("testbench.run", with: ["test_suite": "unit"]))
            #expect(outcome.failure?.reason == "test errors: 1 of 2")
            #expect(outcome.outputs["status"] == "failed")
        }
    }

    @Test("async run: 202, then polls GET /tests/executions/{id} until completed")
    func asyncPass() async throws {
        let testBench = TestBenchStandIn(mode: .async(pollsBeforeDone: 2), token: Fixtures.token)
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.testBench = Fixtures.integration(baseURL) })
            let outcome = await executor.execute(Fixtures.request("testbench.run", with: ["test_suite": "e2e"]))
            #expect(outcome == .succeeded(outputs: ["passed": 2, "failed": 0, "total": 3, "status": "passed"]))
            let requests = await testBench.journal.requests
            #expect(
                requests.map { "\($0.method) \($0.path)" } == [
                    "POST /tests/execute", "GET /tests/executions/exec-1", "GET /tests/executions/exec-1",
                    "GET /tests/executions/exec-1",
                ]
            )
            for request in requests { Fixtures.expectCommonHeaders(request) }
        }
    }

    @Test("async run that ends failed fails the step")
    func asyncFail() async throws {
        let testBench = TestBenchStandIn(mode: .async(pollsBeforeDone: 0), results: [.init("a", "failed")])
        await testBench.script(finalStatus: "failed")
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.testBench = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("testbench.run", with: ["test_suite": "e2e"]))
            #expect(
                outcome.failure
                    == ActionFailure(
                        retryable: false,
                        reason: "tests failed: 1 of 1",
                        outputs: ["passed": 0, "failed": 1, "total": 1, "status": "failed"]
                    )
            )
        }
    }

    @Test("polling is bounded by the step's timeout")
    func pollingTimeout() async throws {
        let testBench = TestBenchStandIn(mode: .async(pollsBeforeDone: 1_000))
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration {
                    $0.testBench = .init(baseURL: baseURL)
                    $0.pollInterval = .seconds(10)
                }
            )
            let outcome = await executor.execute(
                Fixtures.request("testbench.run", with: ["test_suite": "e2e"], timeout: .seconds(35))
            )
            #expect(outcome.failure == .timeout(after: .seconds(35)))
            #expect(await testBench.journal.requests.count == 4)
        }
    }

    @Test("without the integration: not_configured, nothing sent")
    func notConfigured() async {
        let executor = Fixtures.executor(Fixtures.configuration { _ in })
        let outcome = await executor.execute(Fixtures.request("testbench.run", with: ["test_suite": "e2e"]))
        #expect(outcome == .failed(retryable: false, reason: "not_configured"))
    }
}
