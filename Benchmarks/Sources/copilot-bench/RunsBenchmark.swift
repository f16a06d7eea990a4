import AsyncHTTPClient
import CopilotApp
import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import GRDB
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Issue 4: event → first outbound action dispatched (p50/p99 at fixed rates), and runs completed per
/// second, through the real service (`buildServiceGroup`, SQLite file with synchronous=FULL, the
/// playbook planner) over real HTTP on 127.0.0.1, with a Test-Bench stand-in that answers at once.
///
///     swift run -c release copilot-bench runs [--rates 100,1000] [--seconds 5] [--burst 2000]
///
/// Latency of event `i` = arrival of its `POST /tests/execute` at the stand-in − the moment the load
/// generator started sending delivery `i`: it covers ingress, the durable commit, matching, the run's
/// creation and claim, and the dispatch. Delivery `i` carries `pull_request.number` = i + 1, which
/// Test-Bench receives as `target.pull_request`.
struct RunsBenchmark {
    let options: Options
    static let secret = "runs-benchmark-secret-0123456789abcdef"

    func run() async throws {
        let rates = options.ints("rates", [100, 1000])
        let seconds = options.double("seconds", 5)
        let burst = options.int("burst", 2000)
        let concurrency = options.int("concurrency", 8)
        let testBench = DispatchRecorder()
        try await withStandIn(testBench) { testBenchURL in
            let payload = try JSONValue(parsing: Corpus.bytes("github/pull_request.opened.payload.json"))
            var table = ["| load | events | p50 | p99 | max | runs completed/s |", "|---|---|---|---|---|---|"]
            for rate in rates {
                let count = Int(Double(rate) * seconds)
                let result = try await measure(
                    count: count,
                    rate: Double(rate),
                    payload: payload,
                    testBench: testBench,
                    url: testBenchURL,
                    concurrency: concurrency
                )
                table.append(
                    "| \(rate) events/s | \(count) | \(result.p50) | \(result.p99) | \(result.max) | \(result.completedPerSecond) |"
                )
            }
            if burst > 0 {  // `--burst 0`: the paced rates only
                let result = try await measure(
                    count: burst,
                    rate: nil,
                    payload: payload,
                    testBench: testBench,
                    url: testBenchURL,
                    concurrency: concurrency
                )
                table.append(
                    "| burst (64 connections, unpaced) | \(burst) | \(result.p50) | \(result.p99) | \(result.max) | \(result.completedPerSecond) |"
                )
            }
            print(table.joined(separator: "\n"))
        }
    }

    struct Result {
        var p50: String
        var p99: String
        var max: String
        var completedPerSecond: String
    }

    func measure(
        count: Int,
        rate: Double?,
        payload: JSONValue,
        testBench: DispatchRecorder,
        url: String,
        concurrency: Int
    ) async throws -> Result {
        let measured = try await latencies(
            count: count,
            rate: rate,
            payload: payload,
            testBench: testBench,
            url: url,
            concurrency: concurrency
        )
        return Result(
            p50: Self.milliseconds(measured.quantile(0.5)),
            p99: Self.milliseconds(measured.quantile(0.99)),
            max: Self.milliseconds(measured.quantile(1)),
            completedPerSecond: String(format: "%.0f", Double(count) / measured.elapsed.seconds)
        )
    }

    /// The one playbook the run benchmarks load: `pull_request.opened` → `testbench.run`, with
    /// `PlannerBenchmark.agentBlock` when the planner plans it.
    static func playbook(planned: Bool) -> String {
        PlaybookFixtures.prUnit + (planned ? "\n" + PlannerBenchmark.agentBlock : "")
    }

    /// Event → first outbound action of each delivery, sorted, and the time until every run succeeded.
    struct Measurement {
        var sorted: [Duration]
        var elapsed: Duration

        func quantile(_ q: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
    }

    /// One fresh service and database per load level, so levels do not share a warm cache or a backlog.
    /// With `modelURL`, the playbook has `agent:` and the service plans its runs with that model.
    func latencies(
        count: Int,
        rate: Double?,
        payload: JSONValue,
        testBench: DispatchRecorder,
        url: String,
        concurrency: Int,
        modelURL: String? = nil
    ) async throws -> Measurement {
        await testBench.reset()
        // Bodies and signatures are made before the clock starts: the generator only sends.
        let requests: [DeliverySender.Request] = (0..<count).map { index in
            var event = payload
            if case .object(var members) = event, case .object(var pullRequest)? = members["pull_request"] {
                pullRequest["number"] = .number(Double(index + 1))  // PR numbers start at 1
                members["pull_request"] = .object(pullRequest)
                event = .object(members)
            }
            let body = Array(event.jsonText.utf8)
            let headers = WebhookSigner.github(
                secret: Self.secret,
                body: body,
                event: "pull_request",
                delivery: "bench-\(index)"
            )
            return DeliverySender.Request(path: "/webhooks/github", headers: headers, body: body)
        }
        let agent = modelURL.map {
            "\nagent: { provider: anthropic, model: bench, base_url: \"\($0)\", api_key: env:BENCH_MODEL_KEY }"
        }
        // 64 connections, as wrk uses for ingress.
        let client = DeliverySender.client(connections: 64)
        defer { _ = client.shutdown() }
        return try await BenchService.with(
            playbooks: ["pr-unit.yaml": Self.playbook(planned: modelURL != nil)],
            testBenchURL: url,
            concurrency: concurrency,
            agentYAML: agent ?? "",
            variables: ["BENCH_MODEL_KEY": "bench-key"]
        ) { port, databasePath in
            let start = ContinuousClock.now
            let sent = try await DeliverySender(client: client, port: port).send(requests, connections: 64, rate: rate)
            let database = try DatabaseQueue(path: databasePath)
            var finished = start
            for _ in 0..<1200 {  // at most 120 s
                let done = try await database.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE status = 'succeeded'") ?? 0
                }
                finished = ContinuousClock.now
                if done >= count { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let arrivals = await testBench.arrivals
            var latencies: [Duration] = []
            for (index, sentAt) in sent.sentAt.enumerated() {
                if let arrived = arrivals[index] { latencies.append(arrived - sentAt) }
            }
            latencies.sort()
            guard latencies.count == count else {
                throw BenchmarkError.missingDispatches(expected: count, got: latencies.count)
            }
            return Measurement(sorted: latencies, elapsed: finished - start)
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        String(format: "%.2f ms", duration.seconds * 1000)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

enum BenchmarkError: Error {
    case notAccepted(Int)
    case missingDispatches(expected: Int, got: Int)
}

/// A Test-Bench that answers every run at once with a passing suite and notes when each arrived.
actor DispatchRecorder: StandIn {
    nonisolated let journal = StandInJournal()
    nonisolated var honoursIdempotencyKey: Bool { false }
    private(set) var arrivals: [Int: ContinuousClock.Instant] = [:]

    func reset() { arrivals = [:] }

    /// A passing one-test suite, answered at once: what every benchmark's Test-Bench says.
    static let passed = StandInResponse.json(
        200,
        ["summary": ["total": 1, "passed": 1, "failed": 0, "skipped": 0, "duration_ms": 1], "results": []]
    )

    func respond(to request: RecordedRequest) async -> StandInResponse {
        let now = ContinuousClock.now
        if let number = request.json?["target"]?["pull_request"]?.numberValue, arrivals[Int(number) - 1] == nil {
            arrivals[Int(number) - 1] = now
        }
        return Self.passed
    }
}
