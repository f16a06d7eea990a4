import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import GRDB
import Synchronization

/// Issue 13 (c): an alert storm. Alertmanager alerts for one service, a playbook limited to one run per
/// service (`concurrency: {key: "${{ event.subject }}", limit: 1}`) whose one step calls a Test-Bench
/// stand-in that answers at once, through the real service over real HTTP on 127.0.0.1.
///
///     copilot-bench storm [--backlog 20000] [--window 1000] [--small 20] [--cycles 25] [--ingress 3000]
///
/// - Drain rate with `small` waiting: `cycles` times, `small` alerts are sent, and the time from the
///   last one accepted to the last of their runs done is taken; runs / total time.
/// - Drain rate with `backlog` waiting: `backlog` alerts are sent as fast as they are accepted, then the
///   next `window` runs to end are timed (the backlog is still about as large).
/// - Ingress while it drains: `ingress` more alerts as fast as they are accepted (16 connections),
///   against the same on the first service once its runs are done (nothing waits).
struct StormBenchmark {
    let options: Options

    static let playbook = """
        name: checkout-storm
        on:
          alertmanager:
            types: [alert.firing]
        concurrency: { key: "${{ event.subject }}", limit: 1 }
        steps:
          - id: smoke
            uses: testbench.run
            with: { test_suite: smoke }
        """

    func run() async throws {
        let backlog = options.int("backlog", 20_000)
        let window = options.int("window", 1_000)
        let small = options.int("small", 20)
        let cycles = options.int("cycles", 25)
        let ingress = options.int("ingress", 3_000)
        let connections = 16
        let testBench = CompletionCounter()
        let template = try JSONValue(parsing: Corpus.bytes("alertmanager/firing.grouped.json"))
        var next = 0
        func alerts(_ count: Int) -> [DeliverySender.Request] {
            defer { next += count }
            return (next..<next + count).map { Self.alert(template, number: $0) }
        }
        let client = DeliverySender.client(connections: connections)
        defer { _ = client.shutdown() }

        try await withStandIn(testBench) { url in
            // A service with nothing waiting: the drain rate with `small` waiting, then ingress.
            let (smallRate, quiet) = try await BenchService.with(
                playbooks: ["storm.yaml": Self.playbook],
                testBenchURL: url,
                concurrency: 8
            ) { port, _ in
                let sender = DeliverySender(client: client, port: port)
                var draining = Duration.zero
                for _ in 0..<cycles {
                    let target = testBench.count + small
                    _ = try await sender.send(alerts(small), connections: connections)
                    let accepted = ContinuousClock.now
                    try await testBench.wait(for: target)
                    draining += ContinuousClock.now - accepted
                }
                let rate = Double(small * cycles) / draining.seconds
                let quiet = try await sender.send(alerts(ingress), connections: connections)
                return (rate, quiet)
            }
            // A fresh service, and the storm.
            let (filling, pendingAtStart, bigRate, pendingAtEnd, stormy) = try await BenchService.with(
                playbooks: ["storm.yaml": Self.playbook],
                testBenchURL: url,
                concurrency: 8
            ) { port, databasePath in
                let sender = DeliverySender(client: client, port: port)
                let filling = try await sender.send(alerts(backlog), connections: connections)
                let database = try DatabaseQueue(path: databasePath)
                let pending = {
                    try await database.read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runs WHERE status = 'pending'") ?? 0
                    }
                }
                // Matching turns the last deliveries into runs shortly after they are accepted.
                try await Task.sleep(for: .seconds(1))
                let pendingAtStart = try await pending()
                let start = ContinuousClock.now
                try await testBench.wait(for: testBench.count + window)
                let bigRate = Double(window) / (ContinuousClock.now - start).seconds
                let pendingAtEnd = try await pending()
                let stormy = try await sender.send(alerts(ingress), connections: connections)
                return (filling, pendingAtStart, bigRate, pendingAtEnd, stormy)
            }
            print(
                """
                | measure | value |
                |---|---:|
                | drain rate, \(small) waiting (\(cycles) cycles) | \(Int(smallRate)) runs/s |
                | drain rate, \(pendingAtStart) → \(pendingAtEnd) waiting (next \(window) runs) | \(Int(bigRate)) runs/s |
                | **drain ratio** | **\(String(format: "%.2f", bigRate / smallRate))x** |
                | ingress, nothing waiting (\(ingress) alerts, \(connections) connections) | \(Int(quiet.perSecond))/s, p99 \(RunsBenchmark.milliseconds(quiet.quantile(0.99))) |
                | ingress while the storm drains | \(Int(stormy.perSecond))/s, p99 \(RunsBenchmark.milliseconds(stormy.quantile(0.99))) |
                | **ingress ratio** | **\(String(format: "%.2f", stormy.perSecond / quiet.perSecond))x** |
                | filling the backlog (\(backlog) alerts) | \(Int(filling.perSecond))/s, p99 \(RunsBenchmark.milliseconds(filling.quantile(0.99))) |
                """
            )
        }
    }

    /// Alert `number` of the storm: the corpus' grouped alert for `payments-api` under a group key of
    /// its own, so that each is a new delivery (Alertmanager's delivery id hashes the group key).
    static func alert(_ template: JSONValue, number: Int) -> DeliverySender.Request {
        var alert = template
        if case .object(var members) = alert {
            members["groupKey"] = .string("{}/{alertname=\"HighErrorRate\"}:storm-\(number)")
            alert = .object(members)
        }
        return DeliverySender.Request(
            path: "/webhooks/alertmanager",
            headers: ["Content-Type": "application/json", "Authorization": "Bearer \(BenchService.alertmanagerToken)"],
            body: Array(alert.jsonText.utf8)
        )
    }
}

/// A Test-Bench that answers every run at once with a passing suite and counts the calls.
final class CompletionCounter: StandIn, Sendable {
    let journal = StandInJournal()
    var honoursIdempotencyKey: Bool { false }
    private let calls = Mutex(0)

    var count: Int { calls.withLock { $0 } }

    func respond(to request: RecordedRequest) async -> StandInResponse {
        calls.withLock { $0 += 1 }
        return DispatchRecorder.passed
    }

    /// A Test-Bench for `Benchmarks/ingress/run.sh SCENARIO=runs`: answers every run at once, until the
    /// process is stopped.
    static func serve(port: Int) async throws {
        try await withStandIn(CompletionCounter(), port: port) { _ in
            while true { try await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Returns once `target` calls arrived; throws after 10 minutes.
    func wait(for target: Int) async throws {
        for _ in 0..<600_000 where count < target {
            try await Task.sleep(for: .milliseconds(1))
        }
        guard count >= target else { throw BenchmarkError.missingDispatches(expected: target, got: count) }
    }
}
