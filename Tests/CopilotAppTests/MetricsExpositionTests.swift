import CopilotExpressions
import CopilotTesting
import Foundation
import HummingbirdTesting
import NIOCore
import Testing

/// `GET /metrics` of the real binary (CONTRACT §7): every family is there from start-up.
@Suite(.timeLimit(.minutes(1)))
struct MetricsExpositionTests {
    /// Every family `/metrics` serves.
    static let families: Set<String> = [
        "copilot_webhook_deliveries_total", "copilot_webhook_rejections_total", "copilot_inbox_commit_seconds",
        "copilot_inbox_pending", "copilot_inbox_lag_seconds", "copilot_runs_total", "copilot_runs_active",
        "copilot_step_duration_seconds", "copilot_outbound_requests_total", "copilot_circuit_breaker_open",
        "copilot_playbooks_loaded", "copilot_playbooks_load_errors_total", "copilot_planner_tokens_total",
        "copilot_planner_requests_total", "copilot_telemetry_spans_dropped_total",
    ]

    @Test("the shipped Grafana dashboard queries only families the service serves, and covers the main ones")
    func dashboard() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try Data(contentsOf: root.appendingPathComponent("Deploy/grafana/copilot-agent.json"))
        let dashboard = try JSONValue(parsing: Array(text))
        let expressions = (dashboard["panels"]?.arrayValue ?? []).flatMap { panel in
            (panel["targets"]?.arrayValue ?? []).compactMap { $0["expr"]?.stringValue }
        }
        #expect(expressions.count >= 10)
        var named: Set<String> = []
        for expression in expressions {
            for match in expression.matches(of: /copilot_[a-z_]+/) {
                var name = String(match.output)
                for suffix in ["_bucket", "_count", "_sum"]
                where name.hasSuffix(suffix) && !Self.families.contains(name) {
                    name = String(name.dropLast(suffix.count))
                }
                named.insert(name)
            }
        }
        #expect(named.subtracting(Self.families).isEmpty, "not served: \(named.subtracting(Self.families).sorted())")
        let main: Set = [
            "copilot_webhook_deliveries_total", "copilot_webhook_rejections_total", "copilot_runs_total",
            "copilot_runs_active", "copilot_step_duration_seconds", "copilot_planner_tokens_total",
        ]
        #expect(main.isSubset(of: named), "missing: \(main.subtracting(named).sorted())")
    }

    @Test("every metric family of CONTRACT §7 exists at start-up, before any delivery, run or model call")
    func familiesAtStartUp() async throws {
        let directory = try AgentProcess.directory(
            name: "metrics",
            playbooks: ["pr-unit.yaml": PlaybookFixtures.prUnit],
            sections: """
                sources:
                  github: { secrets: [env:GITHUB_TEST_SECRET] }
                integrations:
                  testbench: { url: "http://127.0.0.1:9" }
                agent: { provider: anthropic, model: claude-test, base_url: "http://127.0.0.1:9", api_key: env:MODEL_KEY }
                """
        )
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let agent = try AgentProcess(
            config: directory.config,
            directory: directory.url,
            port: directory.port,
            environment: ["GITHUB_TEST_SECRET": "metrics-secret", "MODEL_KEY": "k"],
            name: "metrics"
        )
        defer { agent.stop(with: SIGTERM) }
        try #require(try await agent.waitUntilReady(), "\(agent.log)")
        // The backlog gauges are counted by the worker's first tick, just after start-up.
        var text = ""
        _ = try await eventually(timeout: .seconds(10)) {
            text = (try await agent.get("/metrics").body).map { String(buffer: $0) } ?? ""
            return text.contains("# TYPE copilot_inbox_pending")
        }
        for family in Self.families {
            #expect(text.contains("# TYPE \(family) "), "\(family) missing from:\n\(text)")
        }
        #expect(text.contains(#"copilot_runs_total{playbook="pr-unit",status="failed"} 0"#))
        // Histograms as the dashboard reads them.
        #expect(text.contains("copilot_step_duration_seconds_bucket{"), "\(text)")
        #expect(text.contains("copilot_inbox_commit_seconds_bucket{"), "\(text)")
        #expect(text.contains(#"copilot_planner_requests_total{provider="anthropic",outcome="planned"} 0"#))
        try Self.expectPromtoolClean(text)
    }

    /// CONTRACT §7: `promtool check metrics` finds nothing to say. `.ci/run` installs promtool (Debian's
    /// `prometheus`); elsewhere the check is skipped, and the test says so on its output.
    static func expectPromtoolClean(_ text: String) throws {
        guard
            let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            print("promtool not installed: `promtool check metrics` skipped (apt-get install prometheus)")
            return
        }
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool check metrics: \(said)")
        #expect(said.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool check metrics: \(said)")
    }
}
