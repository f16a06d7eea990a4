import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotTesting
import CopilotWebhooks
import Foundation

// `PlaybookDirectory` (the reader `serve` uses) is in CopilotPlaybooks at 23501ee and moves to CopilotApp;
// importing both keeps this benchmark building on either side of that move.
#if canImport(CopilotApp)
import CopilotApp
#endif

/// `copilot-bench`: the matching and loading benchmarks of issue 3 and the run benchmark of issue 4
/// (see Benchmarks/README.md).
///
///     swift run -c release copilot-bench match [--sizes 10,100,1000,10000] [--payload FILE] [--seconds 2]
///     swift run -c release copilot-bench load  [--files 1000] [--repeat 5]
///     swift run -c release copilot-bench runs  [--rates 100,1000] [--seconds 5] [--burst 2000] [--concurrency 8]
///     swift run -c release copilot-bench json  [--seconds 1]
///     swift run -c release copilot-bench planner [--rate 50] [--seconds 10] [--rounds 3]
///     swift run -c release copilot-bench auth [--requests 20000] [--rounds 3]
///     swift run -c release copilot-bench storm [--backlog 20000] [--window 1000] [--ingress 3000]
@main
struct CopilotBench {
    static func main() async throws {
        var arguments = Array(CommandLine.arguments.dropFirst())
        guard let mode = arguments.first else { usage() }
        arguments.removeFirst()
        let options = Options(arguments)
        switch mode {
        case "match": try MatchBenchmark(options: options).run()
        case "load": try LoadBenchmark(options: options).run()
        case "runs": try await RunsBenchmark(options: options).run()
        case "planner": try await PlannerBenchmark(options: options).run()
        case "auth": try await AuthBenchmark(options: options).run()
        case "storm": try await StormBenchmark(options: options).run()
        case "testbench": try await CompletionCounter.serve(port: options.int("port", 18090))
        case "otlp-sink": try await OTLPSink.serve(port: options.int("port", 14318))
        case "json": try JSONBenchmark(options: options).run()
        default: usage()
        }
    }

    static func usage() -> Never {
        FileHandle.standardError.write(
            Data(
                """
                usage: copilot-bench match [--sizes 10,100,1000,10000] [--payload FILE] [--seconds S] [--min-iterations N] [--only index]
                       copilot-bench load [--files N] [--repeat R]
                       copilot-bench runs [--rates 100,1000] [--seconds S] [--burst N] [--concurrency N]
                       copilot-bench json [--seconds S]
                       copilot-bench planner [--rate R] [--seconds S] [--rounds N]
                       copilot-bench auth [--requests N] [--rounds N]
                       copilot-bench storm [--backlog N] [--window N] [--small N] [--cycles N] [--ingress N]
                       copilot-bench testbench [--port 18090]
                       copilot-bench otlp-sink [--port 14318]

                """.utf8
            )
        )
        exit(64)
    }
}

/// `--name value` pairs.
struct Options {
    private var values: [String: String] = [:]

    init(_ arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else { CopilotBench.usage() }
            values[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
    }

    func string(_ name: String, _ fallback: String) -> String { values[name] ?? fallback }
    func int(_ name: String, _ fallback: Int) -> Int { values[name].flatMap(Int.init) ?? fallback }
    func double(_ name: String, _ fallback: Double) -> Double { values[name].flatMap(Double.init) ?? fallback }
    func ints(_ name: String, _ fallback: [Int]) -> [Int] {
        values[name].map { $0.split(separator: ",").compactMap { Int($0) } } ?? fallback
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Per-iteration wall-clock times in nanoseconds, and their order statistics.
struct Samples {
    var nanoseconds: [Int64] = []

    var sorted: [Int64] { nanoseconds.sorted() }

    func percentile(_ p: Double) -> Double {
        let values = sorted
        guard !values.isEmpty else { return .nan }
        let rank = Int((p / 100 * Double(values.count)).rounded(.up)) - 1
        return Double(values[max(0, min(values.count - 1, rank))])
    }

    var mean: Double { Double(nanoseconds.reduce(0, +)) / Double(max(1, nanoseconds.count)) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Keeps the optimizer from dropping work whose result is otherwise unused.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

func microseconds(_ nanoseconds: Double) -> String { String(format: "%.2f", nanoseconds / 1000) }

// MARK: - match

struct MatchBenchmark {
    let sizes: [Int]
    let payloadPath: String
    let seconds: Double
    let minIterations: Int
    /// `--only index` skips the two comparisons (for profiling the indexed path alone).
    let onlyIndex: Bool

    init(options: Options) {
        onlyIndex = options.string("only", "") == "index"
        sizes = options.ints("sizes", [10, 100, 1000, 10000])
        payloadPath = options.string(
            "payload",
            Corpus.directory.appendingPathComponent("github/pull_request.opened.payload.json").path
        )
        seconds = options.double("seconds", 2)
        minIterations = options.int("min-iterations", 10_000)
    }

    /// The corpus delivery, signed and put through the real GitHub receiver: the `Event` ingress makes.
    func event() throws -> Event {
        let body = Array(try Data(contentsOf: URL(fileURLWithPath: payloadPath)))
        let secret = "bench-secret-0123456789abcdef0123456789abcdef"
        let receiver = WebhookReceiver(
            configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(secret.utf8)]))
        )
        let headers = WebhookSigner.github(secret: secret, body: body, event: "pull_request", delivery: "bench-1")
        let reception = try receiver.receive(
            WebhookRequest(headers: headers, body: body),
            receivedAt: Date(),
            newEventID: EventID(rawValue: "evt-bench-1")
        )
        guard case .delivery(let delivery) = reception else { throw BenchError("the payload is not a delivery") }
        return try delivery.event()
    }

    /// A naive linear scan: every playbook's trigger, conditions and `if:`, no index, no explanations.
    static func linearScan(_ set: PlaybookSet, _ event: Event) -> Int {
        var matched = 0
        var eventValue: JSONValue?
        for playbook in set.playbooks {
            guard let trigger = playbook.trigger(for: event.source), trigger.admits(type: event.type),
                trigger.conditions.allSatisfy({ $0.holds(in: event.payload) })
            else { continue }
            if let condition = playbook.condition {
                if eventValue == nil { eventValue = event.contextValue }
                let context = EvaluationContext(values: ["event": eventValue!, "playbook": playbook.contextValue])
                guard (try? condition.evaluateCondition(in: context)) == true else { continue }
            }
            matched += 1
        }
        return matched
    }

    /// Times `body` per iteration: warm-up, then at least `minIterations` and at least `seconds`.
    func measure(_ body: () -> Int) -> Samples {
        let clock = ContinuousClock()
        for _ in 0..<max(100, minIterations / 10) { blackHole(body()) }
        var samples = Samples()
        samples.nanoseconds.reserveCapacity(minIterations * 4)
        let deadline = clock.now.advanced(by: .milliseconds(Int64(seconds * 1000)))
        let cap = 20_000_000
        while samples.nanoseconds.count < minIterations || (clock.now < deadline && samples.nanoseconds.count < cap) {
            let start = clock.now
            let result = body()
            let end = clock.now
            blackHole(result)
            samples.nanoseconds.append((end - start).nanoseconds)
        }
        return samples
    }

    func run() throws {
        let event = try event()
        print("event: \(event.source.rawValue) \(event.type), subject \(event.subject), payload \(payloadPath)")
        print(
            "timing: warm-up, then >= \(minIterations) iterations and >= \(seconds) s per row; ContinuousClock per iteration"
        )
        print("")
        print(
            "| playbooks | candidates | matched | index p50 µs | index p99 µs | index mean µs | iterations | p50 ratio vs 10 | `scope: .all` p50 µs | linear scan p50 µs | linear p99 µs | linear/index p50 |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        var baseline: Double?
        for size in sizes {
            let generator = PlaybookGenerator(count: size)
            let sources = generator.files().map { PlaybookSource(path: "/bench/\($0.name)", text: $0.text) }
            let set: PlaybookSet
            switch PlaybookLoader().loadSet(sources) {
            case .success(let loaded): set = loaded
            case .failure(let failure):
                for diagnostic in failure.diagnostics.prefix(10) { print("  \(diagnostic)") }
                throw BenchError("generated playbooks do not validate (\(failure.diagnostics.count) diagnostics)")
            }
            guard set.count == size else { throw BenchError("loaded \(set.count) of \(size) playbooks") }

            let result = set.match(event)
            let candidates = result.matched.count + result.notMatched.count
            guard result.matched.count == generator.expectedMatches, candidates == generator.candidateCount,
                Self.linearScan(set, event) == generator.expectedMatches
            else {
                throw BenchError(
                    "size \(size): matched \(result.matched.count) of \(candidates) candidates, expected "
                        + "\(generator.expectedMatches) of \(generator.candidateCount); reasons: "
                        + result.notMatched.prefix(3).map(\.reason).joined(separator: " | ")
                )
            }

            let indexed = measure { set.match(event).matched.count }
            let all = onlyIndex ? Samples() : measure { set.match(event, scope: .all).matched.count }
            let linear = onlyIndex ? Samples() : measure { Self.linearScan(set, event) }
            let p50 = indexed.percentile(50)
            if baseline == nil { baseline = p50 }
            let ratio = baseline.map { String(format: "%.2f", p50 / $0) } ?? "-"
            print(
                "| \(size) | \(candidates) | \(result.matched.count) | \(microseconds(p50)) | "
                    + "\(microseconds(indexed.percentile(99))) | \(microseconds(indexed.mean)) | "
                    + "\(indexed.nanoseconds.count) | \(ratio) | \(microseconds(all.percentile(50))) | "
                    + "\(microseconds(linear.percentile(50))) | \(microseconds(linear.percentile(99))) | "
                    + String(format: "%.1f", linear.percentile(50) / p50) + " |"
            )
        }
    }
}

// MARK: - load

struct LoadBenchmark {
    let files: Int
    let repetitions: Int

    init(options: Options) {
        files = options.int("files", 1000)
        repetitions = options.int("repeat", 5)
    }

    func run() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("copilot-bench-load-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var bytes = 0
        for file in PlaybookGenerator(count: files).files() {
            let data = Data(file.text.utf8)
            bytes += data.count
            try data.write(to: directory.appendingPathComponent(file.name))
        }
        print(
            "wrote \(files) playbook files (\(bytes) bytes, \(bytes / max(1, files)) bytes each on average) to \(directory.path)"
        )
        print("timed: PlaybookDirectory.read(dir) + PlaybookLoader().loadSet(...) (read + parse + validate + index)")
        print("")
        print("| run | read ms | loadSet ms | total ms | playbooks |")
        print("|---:|---:|---:|---:|---:|")
        let clock = ContinuousClock()
        var totals: [Double] = []
        for run in 1...max(1, repetitions) {
            let start = clock.now
            let sources = try PlaybookDirectory.read(directory.path)
            let read = clock.now
            let result = PlaybookLoader().loadSet(sources)
            let end = clock.now
            guard case .success(let set) = result, set.count == files else {
                throw BenchError("the directory did not load as \(files) valid playbooks")
            }
            let readMs = Double((read - start).nanoseconds) / 1e6
            let loadMs = Double((end - read).nanoseconds) / 1e6
            totals.append(readMs + loadMs)
            let label = run == 1 ? "\(run) (first in process)" : "\(run)"
            print(
                "| \(label) | " + String(format: "%.1f | %.1f | %.1f", readMs, loadMs, readMs + loadMs)
                    + " | \(set.count) |"
            )
        }
        let sorted = totals.sorted()
        print("")
        print(
            String(
                format: "median total: %.1f ms; first run: %.1f ms; target < 1000 ms",
                sorted[sorted.count / 2],
                totals[0]
            )
        )
    }
}
