import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Logging
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct ResilienceTests {
    @Test("a server that fails twice then succeeds: three calls, same key, exponential waits")
    func retriesThenSucceeds() async throws {
        let manager = IncidentManagerStandIn(incidentIDs: ["inc-1"])
        await manager.journal.failNext(2, status: 503)
        let clock = ImmediateClock()
        try await withStandIn(manager) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration {
                    $0.incidentManager = .init(baseURL: baseURL)
                    $0.retryPolicy = .exponential(maxAttempts: 3, initialDelay: .milliseconds(100), jitter: 0)
                },
                clock: clock
            )
            let outcome = await executor.execute(Fixtures.request("incident.update", event: Fixtures.incident))
            #expect(outcome.isSuccess)
            let requests = await manager.journal.requests
            #expect(requests.count == 3)
            #expect(Set(requests.compactMap(\.idempotencyKey)) == ["run-1:verify"])
            #expect(clock.sleeps == [.milliseconds(100), .milliseconds(200)])
            #expect(await manager.journal.logicalExecutions("run-1:verify") == 1)
        }
    }

    @Test("gives up after the policy's attempts with the last status as the reason, retryable")
    func givesUp() async throws {
        let testBench = TestBenchStandIn()
        await testBench.journal.failNext(5, status: 502)
        try await withStandIn(testBench) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.testBench = .init(baseURL: baseURL) })
            let outcome = await executor.execute(Fixtures.request("testbench.run", with: ["test_suite": "x"]))
            #expect(outcome == .failed(retryable: true, reason: "http 502 from testbench"))
            #expect(await testBench.journal.requests.count == 3)
        }
    }

    @Test("429 with Retry-After waits what the server asked")
    func retryAfter() async throws {
        let gitHub = GitHubStandIn()
        await gitHub.journal.failNext(1, status: 429, retryAfter: "7")
        let clock = ImmediateClock()
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration { $0.gitHub = .init(baseURL: baseURL) },
                clock: clock
            )
            let outcome = await executor.execute(Fixtures.request("github.status", with: ["state": "pending"]))
            #expect(outcome.isSuccess)
            #expect(clock.sleeps == [.seconds(7)])
            #expect(await gitHub.journal.requests.count == 2)
        }
    }

    @Test("a Retry-After beyond the step's time ends the attempt with retryAfter set")
    func retryAfterTooLong() async throws {
        let gitHub = GitHubStandIn()
        await gitHub.journal.failNext(1, status: 429, retryAfter: "45")
        try await withStandIn(gitHub) { baseURL in
            let executor = Fixtures.executor(Fixtures.configuration { $0.gitHub = .init(baseURL: baseURL) })
            let outcome = await executor.execute(
                Fixtures.request("github.status", with: ["state": "pending"], timeout: .seconds(30))
            )
            #expect(
                outcome.failure
                    == ActionFailure(retryable: true, reason: "http 429 from github", retryAfter: .seconds(45))
            )
            #expect(await gitHub.journal.requests.count == 1)
        }
    }

    @Test("a slow server times the step out: retryable, `timeout after <n>s`")
    func timeout() async throws {
        let manager = IncidentManagerStandIn(incidentIDs: ["inc-1"])
        // Far beyond the step's timeout, so a loaded machine cannot blur which of the two ended it.
        await manager.journal.delayResponses(by: .seconds(3))
        try await withStandIn(manager) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration { $0.incidentManager = .init(baseURL: baseURL) },
                clock: ContinuousClock()
            )
            let started = ContinuousClock.now
            let outcome = await executor.execute(
                Fixtures.request("incident.update", event: Fixtures.incident, timeout: .milliseconds(200))
            )
            #expect(outcome == .failed(retryable: true, reason: "timeout after 1s"))
            #expect(ContinuousClock.now - started < .milliseconds(2500))
        }
    }

    @Test("the circuit opens after consecutive failures, fails fast, and half-opens after the cool-down")
    func circuitBreaker() async throws {
        let orchestrator = OrchestratorStandIn(pollsBeforeDone: 0)
        await orchestrator.journal.failNext(2, status: 500)
        let clock = ImmediateClock()
        let metrics = TestMetrics()
        try await withStandIn(orchestrator) { baseURL in
            let executor = HTTPActionExecutor(
                client: .shared,
                configuration: Fixtures.configuration {
                    $0.orchestrator = .init(baseURL: baseURL)
                    $0.retryPolicy = .none
                    $0.circuitBreaker = .init(failureThreshold: 2, coolDown: .seconds(30))
                },
                logger: Logger(label: "test"),
                clock: clock,
                metricsFactory: metrics
            )
            let request = Fixtures.request("orchestrator.execute", with: ["workflow_id": "w"])
            #expect(await executor.execute(request).failure?.reason == "http 500 from orchestrator")
            #expect(await executor.execute(request).failure?.reason == "http 500 from orchestrator")
            #expect(executor.isCircuitOpen("orchestrator"))
            let fast = await executor.execute(request)
            #expect(fast == .failed(retryable: true, reason: "circuit_open", retryAfter: .seconds(30)))
            #expect(await orchestrator.journal.requests.count == 2)
            let gauge = try metrics.expectGauge("copilot_circuit_breaker_open", [("integration", "orchestrator")])
            #expect(gauge.lastValue == 1)

            clock.advance(by: .seconds(30))
            #expect(await executor.execute(request).isSuccess)
            #expect(!executor.isCircuitOpen("orchestrator"))
            #expect(gauge.lastValue == 0)
            let failures = metrics.counterTotal(
                label: "copilot_outbound_requests_total",
                dimensions: [("integration", "orchestrator"), ("status", "500")]
            )
            #expect(failures == 2)
        }
    }

    /// AsyncHTTPClient keeps retrying a refused connection until the call's deadline, so the step's
    /// timeout is kept short here.
    @Test("an unreachable server is a retryable connection error")
    func connectionRefused() async {
        let executor = Fixtures.executor(
            Fixtures.configuration {
                $0.testBench = .init(baseURL: "http://127.0.0.1:9")
                $0.retryPolicy = .none
            }
        )
        let outcome = await executor.execute(
            Fixtures.request("testbench.run", with: ["test_suite": "x"], timeout: .milliseconds(300))
        )
        #expect(outcome == .failed(retryable: true, reason: "connection error to testbench"))
    }

    @Test("calls carry the step's trace id with a fresh parent id")
    func traceparent() async throws {
        let receiver = ReceiverStandIn()
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        try await withStandIn(receiver) { baseURL in
            let executor = Fixtures.executor(try Fixtures.configuration { $0.httpAllow = [try GlobPattern("*")] })
            _ = await executor.execute(
                Fixtures.request("http.request", with: ["url": .string(baseURL + "/x")], traceparent: incoming)
            )
            _ = await executor.execute(Fixtures.request("http.request", with: ["url": .string(baseURL + "/y")]))
            let requests = await receiver.journal.requests
            let first = try #require(TraceParent(requests.first?.header("traceparent") ?? ""))
            #expect(first.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
            #expect(first.parentID != "00f067aa0ba902b7")
            let second = try #require(TraceParent(requests.last?.header("traceparent") ?? ""))
            #expect(second.traceID != first.traceID)
        }
    }
}
