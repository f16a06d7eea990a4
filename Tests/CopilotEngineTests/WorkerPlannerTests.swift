import AsyncHTTPClient
import CopilotCore
import CopilotEngine
import CopilotExpressions
import CopilotPlanner
import CopilotTesting
import Foundation
import Logging
import MetricsTestKit
import Testing

/// The worker with a planner (CONTRACT §4a): the production model client over real HTTP to the model
/// stand-in on 127.0.0.1, the engine's own store port in memory.
@Suite(.timeLimit(.minutes(1)))
struct WorkerPlannerTests {
    static func playbook() -> Playbook {
        var playbook = Playbooks.playbook(steps: [Playbooks.step("note")])
        playbook.agent = PlaybookAgent(instructions: "Note what happened.", allowed: ["incident.update"])
        return playbook
    }

    static func planner(_ url: String, apiKey: String = "test-api-key") -> RunPlanner {
        RunPlanner(
            client: ModelClient(
                client: .shared,
                configuration: .init(format: .anthropic, baseURL: url, apiKey: apiKey, model: "m"),
                logger: EngineHarness.logger
            ),
            settings: .init(timeout: .seconds(10))
        )
    }

    static let plan: ModelStandIn.Answer = .plan([
        "summary": "note it",
        "steps": [["id": "planned-note", "uses": "incident.update", "with": ["notes": "seen"], "reason": "r"]],
    ])

    @Test("a planned run runs the plan; the next run of the subject is shown it; tokens are counted")
    func plannedRunsAndHistory() async throws {
        let model = ModelStandIn()
        await model.script([Self.plan])
        let metrics = TestMetrics()
        try await withStandIn(model) { url in
            let harness = EngineHarness(Self.playbook())
            let worker = harness.worker(concurrency: 1, planner: Self.planner(url), metricsFactory: metrics)
            let (firstRun, _) = try await harness.running(worker) {
                let first = try await harness.enqueue("evt-1")
                let firstRun = try await harness.waitForRun(of: first) { $0.status.isFinal }
                let second = try await harness.enqueue("evt-2")
                return (firstRun, try await harness.waitForRun(of: second) { $0.status.isFinal })
            }
            #expect(firstRun.status == .succeeded)
            #expect(firstRun.planner == "anthropic")
            #expect(firstRun.plan?.status == .planned)
            #expect(firstRun.steps.map(\.id.rawValue) == ["planned-note"])
            #expect(harness.executor.requests.first?.with["notes"] == "seen")

            let prompt = await model.journal.requests.last?.json?["messages"]?.arrayValue?.first?["content"]
            let text = prompt?.stringValue ?? prompt?.arrayValue?.first?["text"]?.stringValue ?? ""
            #expect(text.contains(firstRun.id.rawValue), "the last runs of the playbook and subject are shown")
            #expect(text.contains("incident.update=success"))
        }
        let input = try metrics.expectCounter(
            "copilot_planner_tokens_total",
            [("provider", "anthropic"), ("model", ModelStandIn.model), ("kind", "input")]
        )
        #expect(input.totalValue > 0)
        let planned = try metrics.expectCounter(
            "copilot_planner_requests_total",
            [("provider", "anthropic"), ("outcome", "planned")]
        )
        #expect(planned.totalValue == 2)
    }

    @Test("after 5 planning failures in a row the provider is skipped (circuit_open) and runs fall back at once")
    func circuitOpens() async throws {
        // A wrong API key: every planning fails fast with 401.
        let model = ModelStandIn(apiKey: "the-right-key")
        try await withStandIn(model) { url in
            let harness = EngineHarness(Self.playbook())
            let metrics = TestMetrics()
            let worker = harness.worker(
                concurrency: 1,
                planner: Self.planner(url, apiKey: "a-wrong-key"),
                metricsFactory: metrics
            )
            let runs = try await harness.running(worker) {
                var runs: [Run] = []
                for index in 1...6 {
                    let event = try await harness.enqueue("evt-\(index)", subject: "svc-\(index)")
                    runs.append(try await harness.waitForRun(of: event) { $0.status.isFinal })
                }
                return runs
            }
            #expect(runs.allSatisfy { $0.status == .succeeded && $0.planner == Run.playbookPlanner })
            #expect(runs.prefix(5).allSatisfy { $0.plan?.reason == "http 401 from anthropic" })
            #expect(runs.last?.plan?.reason == "circuit_open")
            #expect(runs.last?.plan?.status == .fallback)
            #expect(await model.journal.requests.count == 5, "the open circuit makes no call")
            // The outcome label is bounded: the provider's status is not in it.
            let failed = [("provider", "anthropic"), ("outcome", "http_error")]
            #expect(try metrics.expectCounter("copilot_planner_requests_total", failed).totalValue == 5)
            let skipped = [("provider", "anthropic"), ("outcome", "circuit_open")]
            #expect(try metrics.expectCounter("copilot_planner_requests_total", skipped).totalValue == 1)
        }
    }

    @Test("a model slower than a lease: the planning worker renews it, so no other worker asks the model again")
    func slowModelKeepsTheRun() async throws {
        let model = ModelStandIn()
        await model.script([Self.plan])
        await model.journal.delayResponses(by: .milliseconds(800))
        try await withStandIn(model) { url in
            let harness = EngineHarness(Self.playbook())
            // Leases of 1 s on the test's wall clock, renewed every 100 ms of real time.
            let lease = (duration: Duration.seconds(1), renewal: Duration.milliseconds(100))
            let planning = harness.worker(node: "node-a", concurrency: 1, lease: lease, planner: Self.planner(url))
            let other = harness.worker(node: "node-b", concurrency: 1, lease: lease, planner: Self.planner(url))
            let run = try await harness.running(planning) {
                let event = try await harness.enqueue("evt-slow")
                try await eventually(within: .seconds(5)) { await model.journal.requests.isEmpty ? nil : true }
                // Twice 0.7 s: past the claim's lease, not past a renewed one.
                for _ in 1...2 {
                    try await Task.sleep(for: .milliseconds(250))
                    harness.time.advance(by: 0.7)
                }
                return try await harness.running(other) {
                    try await harness.waitForRun(of: event) { $0.status.isFinal }
                }
            }
            #expect(run.status == .succeeded)
            #expect(run.plan?.status == .planned)
            #expect(await model.journal.requests.count == 1, "the model is asked once")
        }
    }
}
