import AsyncHTTPClient
import CopilotApp
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A fresh service for one measurement: the real one (`buildServiceGroup`, a SQLite file with
/// synchronous=FULL), on a port of its own on 127.0.0.1, with the given playbooks and its Test-Bench at
/// `testBenchURL`. GitHub deliveries are signed with `RunsBenchmark.secret`; Alertmanager sends
/// `BenchService.alertmanagerToken`.
enum BenchService {
    static let alertmanagerToken = "bench-alertmanager-token"

    static func with<Value: Sendable>(
        playbooks: [String: String],
        testBenchURL: String,
        concurrency: Int,
        agentYAML: String = "",
        variables extra: [String: String] = [:],
        _ body: (_ port: Int, _ databasePath: String) async throws -> Value
    ) async throws -> Value {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString)")
        let playbookDirectory = directory.appendingPathComponent("playbooks")
        try FileManager.default.createDirectory(at: playbookDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in playbooks {
            try Data(text.utf8).write(to: playbookDirectory.appendingPathComponent(name))
        }
        let yaml = """
            server: { host: 127.0.0.1, port: 0 }
            storage: { url: "sqlite://\(directory.path)/copilot.db" }
            playbooks: { dir: "\(playbookDirectory.path)", watch: false }
            log: { level: error }
            workers: { concurrency: \(concurrency) }
            sources:
              github: { secrets: [env:BENCH_SECRET] }
              alertmanager: { bearer_token: env:BENCH_ALERTMANAGER_TOKEN }
            integrations:
              testbench: { url: "\(testBenchURL)" }
            """ + agentYAML
        let variables = ["BENCH_SECRET": RunsBenchmark.secret, "BENCH_ALERTMANAGER_TOKEN": alertmanagerToken]
            .merging(extra) { $1 }
        let configuration = try ConfigurationLoader.load(
            file: "bench.yaml",
            bytes: Array(yaml.utf8),
            environment: variables
        )
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        return try await configuration.storage.withStore(environment: variables, logger: logger) { store in
            let group = try await buildServiceGroup(
                configuration: configuration,
                environment: ServeEnvironment(variables: variables, onServerRunning: { portContinuation.yield($0) }),
                store: store,
                logger: logger
            )
            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next() else { throw CancellationError() }
                do {
                    let value = try await body(port, directory.path + "/copilot.db")
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                    return value
                } catch {
                    await group.triggerGracefulShutdown()
                    try? await tasks.waitForAll()
                    throw error
                }
            }
        }
    }
}

/// Sends prepared deliveries over `connections` keep-alive connections, as fast as they are answered
/// or at `rate` a second, and notes when each was sent and how long its answer took.
struct DeliverySender {
    struct Request: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
    }

    struct Sent {
        var sentAt: [ContinuousClock.Instant]
        /// Send → answer, per delivery, in sending order.
        var latencies: [Duration]
        var elapsed: Duration

        var perSecond: Double { Double(latencies.count) / elapsed.seconds }

        func quantile(_ q: Double) -> Duration {
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))]
        }
    }

    let client: HTTPClient
    let port: Int

    /// A client with `connections` connections to one host: AsyncHTTPClient's default of 8 made the
    /// load generator queue deliveries in front of the service, which then showed as its latency.
    static func client(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: connections
        )
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Paced at `rate` from `start` (now when nil), or unpaced on `connections` at a time.
    func send(
        _ requests: [Request],
        connections: Int,
        rate: Double? = nil,
        start: ContinuousClock.Instant? = nil
    ) async throws -> Sent {
        let start = start ?? ContinuousClock.now
        var sentAt: [ContinuousClock.Instant] = []
        sentAt.reserveCapacity(requests.count)
        var latencies = [Duration](repeating: .zero, count: requests.count)
        try await withThrowingTaskGroup(of: (Int, Duration).self) { senders in
            for (index, request) in requests.enumerated() {
                if let rate {
                    try await Task.sleep(until: start + .seconds(Double(index) / rate), clock: .continuous)
                } else if index >= connections, let (done, latency) = try await senders.next() {
                    latencies[done] = latency
                }
                let sent = ContinuousClock.now
                sentAt.append(sent)
                senders.addTask { [client, port] in
                    var http = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(request.path)")
                    http.method = .POST
                    for (name, value) in request.headers { http.headers.add(name: name, value: value) }
                    http.body = .bytes(ByteBuffer(bytes: request.body))
                    let response = try await client.execute(http, timeout: .seconds(30))
                    guard response.status == .accepted else {
                        throw BenchmarkError.notAccepted(Int(response.status.code))
                    }
                    _ = try await response.body.collect(upTo: 1 << 16)
                    return (index, ContinuousClock.now - sent)
                }
            }
            for try await (done, latency) in senders { latencies[done] = latency }
        }
        return Sent(sentAt: sentAt, latencies: latencies, elapsed: ContinuousClock.now - start)
    }
}
