import AsyncHTTPClient
import CopilotCore
import CopilotEngine
import CopilotExpressions
import CopilotPlanner
import CopilotPlaybooks
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import Logging

/// Issue 11: the planner's overhead per run (prompt, the model call's encoding and stream decoding, the
/// plan's checks, storing the plan and its transcript, and the lease held around the call), through the
/// real service, over real HTTP on 127.0.0.1, with a model stand-in that answers at once.
///
///     swift run -c release copilot-bench planner [--rate 50] [--seconds 10] [--rounds 3] [--paired 1]
///         [--writes whole|event]
///
/// Each round measures event → first outbound action (as `runs` does) on two fresh services side by
/// side: the playbook planned by the model stand-in (`agent.provider: anthropic`), and the same playbook
/// with `provider: playbook`, each sent `rate` deliveries a second, the two streams interleaved. The
/// overhead is the difference of the two, at p50 and at p99. (Until session 10 the two ran one after
/// the other; on this shared machine the state moved between them by more than the planner costs.)
/// The rate is paced well below the service's capacity, so the difference is the planning's work, not
/// a queue. The stand-in is in the same process; its own time (reading the request, building and
/// writing the streamed answer) is the model's, so the last two columns take it out of each planned run
/// before the quantiles (`withoutServiceTimes`).
struct PlannerBenchmark {
    let options: Options

    /// What the benchmark playbook gets with the planner on.
    static let agentBlock = """
        agent:
          instructions: Verify the pull request with the suite that fits it.
          allowed: [testbench.run, github.status, github.comment]
        """

    static let plan: ModelStandIn.Answer = .plan([
        "summary": "Run the unit suite on the pull request.",
        "steps": [
            [
                "id": "unit-suite", "uses": "testbench.run", "with": ["test_suite": "unit"],
                "reason": "A newly opened pull request: the unit suite is the first check.",
            ]
        ],
    ])

    func run() async throws {
        let rate = options.double("rate", 50)
        let seconds = options.double("seconds", 10)
        let rounds = options.int("rounds", 3)
        let count = Int(rate * seconds)
        let runs = RunsBenchmark(options: options)
        let testBench = DispatchRecorder()
        // Answering at once, the stand-in has its whole stream ready: one write (`--writes whole`). With
        // `--writes event`, one write per event, as a model sends them while it writes; each then wakes
        // the client on its own, which a real model's answer spreads over its own time.
        let writes: ModelStandIn.Writes
        switch options.string("writes", "whole") {
        case "whole": writes = .whole
        case "event": writes = .eachEvent
        case let other: throw BenchError("--writes is whole or event, not \(other)")
        }
        let model = ModelStandIn(apiKey: "bench-key", answers: [Self.plan], writes: writes)
        let payload = try JSONValue(parsing: Corpus.bytes("github/pull_request.opened.payload.json"))
        var lines = [
            "| round | planner p50 | playbook p50 | overhead p50 | planner p99 | playbook p99 | overhead p99 "
                + "| overhead p50, stand-in's time out | overhead p99, stand-in's time out |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(model) { modelURL in
                for round in 1...rounds {
                    let answered = await model.journal.serviceTimes.count
                    let (planned, plain) = try await runs.plannedAndPlainLatencies(
                        count: count,
                        rate: rate,
                        payload: payload,
                        testBench: testBench,
                        url: testBenchURL,
                        concurrency: 8,
                        modelURL: modelURL,
                        sideBySide: options.int("paired", 1) == 1
                    )
                    // A call's time is recorded after its last write, which may come after its run.
                    for _ in 0..<100 where await model.journal.serviceTimes.count - answered < count {
                        try await Task.sleep(for: .milliseconds(10))
                    }
                    let unserved = try Self.withoutServiceTimes(
                        planned,
                        await model.journal.serviceTimes.dropFirst(answered)
                    )
                    let cells = [0.5, 0.99].map { q in
                        (
                            planned.quantile(q), plain.quantile(q), planned.quantile(q) - plain.quantile(q),
                            unserved.quantile(q) - plain.quantile(q)
                        )
                    }
                    lines.append(
                        "| \(round) | \(ms(cells[0].0)) | \(ms(cells[0].1)) | **\(ms(cells[0].2))** "
                            + "| \(ms(cells[1].0)) | \(ms(cells[1].1)) | **\(ms(cells[1].2))** "
                            + "| **\(ms(cells[0].3))** | **\(ms(cells[1].3))** |"
                    )
                }
            }
        }
        let asked = await model.journal.requests.count
        let served = await model.journal.serviceTimes.map(\.duration).sorted()
        print(
            "\(count) runs per measurement at \(rate) events/s, the stand-in's stream in "
                + (writes == .whole ? "one write" : "one write per event")
                + "; the model was asked \(asked) times"
        )
        print(lines.joined(separator: "\n"))
        print(
            "the model stand-in's own time per call (request head read off the connection → "
                + "last byte of the streamed answer out): "
                + "p50 \(ms(served[served.count / 2])), p99 \(ms(served[min(served.count - 1, served.count * 99 / 100)]))"
        )
        try await withStandIn(model) { modelURL in
            print(try await planningAlone(modelURL: modelURL, payload: payload))
        }
        print(try await recentRunsRead())
    }

    /// The planned runs' latencies, each less the stand-in's own time on the model call made for it: the
    /// "excluding the model's own time" of the issue, run by run rather than by subtracting quantiles
    /// (which do not subtract). The call is found by the pull request in its prompt's event.
    private static func withoutServiceTimes(
        _ planned: RunsBenchmark.Measurement,
        _ served: some Sequence<StandInJournal.ServiceTime>
    ) throws -> RunsBenchmark.Measurement {
        var own: [Int: Duration] = [:]
        for service in served {
            let content = service.request.json?["messages"]?.arrayValue?.first?["content"]
            guard let prompt = content?.stringValue ?? content?.arrayValue?.first?["text"]?.stringValue,
                let open = prompt.range(of: "```json\n"),
                let close = prompt.range(of: "\n```", range: open.upperBound..<prompt.endIndex),
                let event = try? JSONValue(parsing: Array(prompt[open.upperBound..<close.lowerBound].utf8)),
                let number = event["payload"]?["pull_request"]?["number"]?.numberValue
            else { throw BenchError("a model call without a pull request's event in its prompt") }
            own[Int(number), default: .zero] += service.duration
        }
        guard Set(own.keys) == Set(planned.byNumber.keys) else {
            throw BenchError("\(own.count) runs asked the model, \(planned.byNumber.count) were planned")
        }
        return RunsBenchmark.Measurement(
            byNumber: Dictionary(
                uniqueKeysWithValues: planned.byNumber.map { ($0.key, $0.value - own[$0.key, default: .zero]) }
            ),
            elapsed: planned.elapsed
        )
    }

    /// The read of a subject's last runs on its own, against a SQLite file holding them: what a planning
    /// makes when its claim did not bring them (a claim reads them in its own transaction).
    private func recentRunsRead() async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("recent-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteStore(path: path, logger: Logger(label: "bench"))
        var last = RunID(rawValue: "")
        for index in 0..<20 {
            let delivery = Delivery(
                eventID: EventID(rawValue: "evt-\(index)"),
                source: .github,
                deliveryID: DeliveryID(rawValue: "d-\(index)"),
                type: "pull_request.opened",
                subject: "Codertocat/Hello-World",
                receivedAt: Date(),
                headers: [:],
                body: Array("{}".utf8)
            )
            _ = try await store.enqueue(delivery)
            last = RunID(rawValue: "run-\(index)")
            var run = Run(
                id: last,
                eventID: delivery.eventID,
                playbook: PlaybookName(rawValue: "pr-unit"),
                subject: "Codertocat/Hello-World",
                createdAt: Date(),
                steps: [RunStep(id: StepID(rawValue: "unit"), uses: "testbench.run")]
            )
            run.status = .succeeded
            _ = try await store.recordMatch(
                MatchRecord(
                    eventID: delivery.eventID,
                    at: Date(),
                    runs: [.init(run: run, cooldownSeconds: nil)],
                    notMatched: []
                )
            )
        }
        var times: [Duration] = []
        for _ in 0..<max(1, options.int("calls", 500)) {
            let started = ContinuousClock.now
            let runs = try await store.recentRuns(
                playbook: PlaybookName(rawValue: "pr-unit"),
                subject: "Codertocat/Hello-World",
                before: last,
                limit: 5
            )
            times.append(started.duration(to: .now))
            guard runs.count == 5 else { throw BenchError("expected 5 recent runs, got \(runs.count)") }
        }
        times.sort()
        return "recent runs read (5 of 20 runs of the subject): p50 \(ms(times[times.count / 2])), "
            + "p99 \(ms(times[min(times.count - 1, times.count * 99 / 100)]))"
    }

    /// The planning of one run without the store or the engine around it: offer, prompt, the model call
    /// over HTTP (request body, streamed answer decoded), and the plan's checks, `calls` times in a row.
    private func planningAlone(modelURL: String, payload: JSONValue) async throws -> String {
        let calls = max(1, options.int("calls", 500))
        let loaded = PlaybookLoader().load(file: "pr-unit.yaml", text: RunsBenchmark.playbook(planned: true))
        guard let playbook = loaded.playbook else { throw BenchError("\(loaded.diagnostics)") }
        let event = Event(
            id: EventID(rawValue: "evt-bench"),
            source: .github,
            type: "pull_request.opened",
            receivedAt: Date(),
            deliveryID: DeliveryID(rawValue: "bench"),
            subject: "Codertocat/Hello-World",
            payload: payload
        )
        let planner = RunPlanner(
            client: ModelClient(
                client: .shared,
                configuration: .init(format: .anthropic, baseURL: modelURL, apiKey: "bench-key", model: "bench"),
                logger: Logger(label: "bench")
            ),
            settings: .init(timeout: .seconds(10))
        )
        var times: [Duration] = []
        var building: [Duration] = []
        for _ in 0..<calls {
            let started = ContinuousClock.now
            let session = planner.session(
                for: playbook,
                agent: playbook.agent ?? PlaybookAgent(instructions: "", allowed: []),
                event: planner.eventText(event),
                recentRuns: [],
                serviceAccounts: .unrestricted
            )
            building.append(started.duration(to: .now))
            let result = await planner.plan(session)
            times.append(started.duration(to: .now))
            guard case .planned = result.decision else { throw BenchError("the stand-in's plan was refused") }
        }
        func quantiles(_ values: [Duration]) -> String {
            let sorted = values.sorted()
            return
                "p50 \(ms(sorted[sorted.count / 2])), p99 \(ms(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]))"
        }
        return
            "planning alone (offer, prompt, HTTP call, stream decoding, checks), \(calls) calls: \(quantiles(times)); "
            + "of which the offer and prompt: \(quantiles(building))"
    }

    private func ms(_ duration: Duration) -> String { RunsBenchmark.milliseconds(duration) }
}
