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
        /// Each event's latency by the number of its pull request, when the caller needs them apart.
        var byNumber: [Int: Duration] = [:]

        init(sorted: [Duration], elapsed: Duration) {
            self.sorted = sorted
            self.elapsed = elapsed
        }

        init(byNumber: [Int: Duration], elapsed: Duration) {
            self.init(sorted: byNumber.values.sorted(), elapsed: elapsed)
            self.byNumber = byNumber
        }

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
        let requests = Self.requests(count: count, payload: payload)
        // 64 connections, as wrk uses for ingress.
        let client = DeliverySender.client(connections: 64)
        defer { _ = client.shutdown() }
        return try await withService(testBench: url, concurrency: concurrency, modelURL: modelURL) { port, database in
            let start = ContinuousClock.now
            let sent = try await DeliverySender(client: client, port: port).send(requests, connections: 64, rate: rate)
            let finished = try await Self.waitUntilSucceeded(count, in: database)
            let latencies = try Self.latencies(of: sent, numbers: 1, arrivals: await testBench.arrivals)
            return Measurement(byNumber: latencies, elapsed: finished - start)
        }
    }

    /// The planned and the plain service, each sent `count` deliveries at `rate`. Side by side, the two
    /// streams interleaved (half a period apart): both see the same machine at the same moments, which on
    /// a shared machine moves more between two consecutive measurements than the planner costs.
    /// Otherwise one after the other, as until session 10.
    func plannedAndPlainLatencies(
        count: Int,
        rate: Double,
        payload: JSONValue,
        testBench: DispatchRecorder,
        url: String,
        concurrency: Int,
        modelURL: String,
        sideBySide: Bool
    ) async throws -> (planned: Measurement, plain: Measurement) {
        guard sideBySide else {
            let measure = { (model: String?) in
                try await latencies(
                    count: count,
                    rate: rate,
                    payload: payload,
                    testBench: testBench,
                    url: url,
                    concurrency: concurrency,
                    modelURL: model
                )
            }
            return (try await measure(modelURL), try await measure(nil))
        }
        await testBench.reset()
        let planned = Self.requests(count: count, payload: payload)
        let plain = Self.requests(count: count, payload: payload, firstNumber: count + 1)
        let client = DeliverySender.client(connections: 64)
        defer { _ = client.shutdown() }
        return try await withService(testBench: url, concurrency: concurrency, modelURL: modelURL) { port, database in
            try await withService(testBench: url, concurrency: concurrency, modelURL: nil) { plainPort, plainDatabase in
                let start = ContinuousClock.now + .milliseconds(10)
                async let sentPlanned = DeliverySender(client: client, port: port)
                    .send(planned, connections: 64, rate: rate, start: start)
                async let sentPlain = DeliverySender(client: client, port: plainPort)
                    .send(plain, connections: 64, rate: rate, start: start + .seconds(0.5 / rate))
                let sent = try await (planned: sentPlanned, plain: sentPlain)
                let finished = (
                    planned: try await Self.waitUntilSucceeded(count, in: database),
                    plain: try await Self.waitUntilSucceeded(count, in: plainDatabase)
                )
                let arrivals = await testBench.arrivals
                return (
                    Measurement(
                        byNumber: try Self.latencies(of: sent.planned, numbers: 1, arrivals: arrivals),
                        elapsed: finished.planned - start
                    ),
                    Measurement(
                        byNumber: try Self.latencies(of: sent.plain, numbers: count + 1, arrivals: arrivals),
                        elapsed: finished.plain - start
                    )
                )
            }
        }
    }

    /// A fresh service on its own database, loading the one playbook; with `modelURL`, the playbook has
    /// `agent:` and the service plans its runs with that model.
    private func withService<Value: Sendable>(
        testBench url: String,
        concurrency: Int,
        modelURL: String?,
        _ body: (_ port: Int, _ database: DatabaseQueue) async throws -> Value
    ) async throws -> Value {
        let agent = modelURL.map {
            "\nagent: { provider: anthropic, model: bench, base_url: \"\($0)\", api_key: env:BENCH_MODEL_KEY }"
        }
        return try await BenchService.with(
            playbooks: ["pr-unit.yaml": Self.playbook(planned: modelURL != nil)],
            testBenchURL: url,
            concurrency: concurrency,
            agentYAML: agent ?? "",
            variables: ["BENCH_MODEL_KEY": "bench-key"]
        ) { port, databasePath in
            try await body(port, try DatabaseQueue(path: databasePath))
        }
    }

    /// Signed `pull_request.opened` deliveries whose pull requests are numbered from `firstNumber`. Bodies
    /// and signatures are made before the clock starts: the generator only sends.
    private static func requests(count: Int, payload: JSONValue, firstNumber: Int = 1) -> [DeliverySender.Request] {
        (0..<count).map { index in
            var event = payload
            if case .object(var members) = event, case .object(var pullRequest)? = members["pull_request"] {
                pullRequest["number"] = .number(Double(firstNumber + index))
                members["pull_request"] = .object(pullRequest)
                event = .object(members)
            }
            let body = event.jsonBytes
            let headers = WebhookSigner.github(
                secret: Self.secret,
                body: body,
                event: "pull_request",
                delivery: "bench-\(firstNumber + index)"
            )
            return DeliverySender.Request(path: "/webhooks/github", headers: headers, body: body)
        }
    }

    /// When `count` runs had succeeded in `database` (polled every 100 ms, at most 120 s).
    private static func waitUntilSucceeded(
        _ count: Int,
        in database: DatabaseQueue
    ) async throws
        -> ContinuousClock.Instant
    {
        for _ in 0..<1200 {
            let done = try await database.read { db in
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE status = 'succeeded'") ?? 0
            }
            if done >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return ContinuousClock.now
    }

    /// Sent → arrival at Test-Bench of each delivery, by its pull request's number; the deliveries' pull
    /// requests are numbered from `numbers`. Throws when one never arrived.
    private static func latencies(
        of sent: DeliverySender.Sent,
        numbers: Int,
        arrivals: [Int: ContinuousClock.Instant]
    ) throws -> [Int: Duration] {
        var latencies: [Int: Duration] = [:]
        for (index, sentAt) in sent.sentAt.enumerated() {
            if let arrived = arrivals[numbers - 1 + index] { latencies[numbers + index] = arrived - sentAt }
        }
        guard latencies.count == sent.sentAt.count else {
            throw BenchmarkError.missingDispatches(expected: sent.sentAt.count, got: latencies.count)
        }
        return latencies
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
