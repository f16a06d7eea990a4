import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SwiftProtobuf
import Testing

@testable import OTel

#if canImport(Glibc)
import Glibc
#endif

/// CONTRACT §7 on the real binary: the spans the Observatory receives over OTLP/HTTP (decoded with the
/// opentelemetry-proto types swift-otel ships), their tree, names, attributes and parent links; and
/// ingest while the Observatory is down. The tracer is bootstrapped once per process, by `serve`, so
/// these tests run the binary rather than the service in-process.
@Suite(.timeLimit(.minutes(2)))
struct TelemetryTests {
    static let secret = "telemetry-test-secret-0123456789"
    /// The sender's trace context: the event's spans join its trace.
    static let senderTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let senderSpan = "00f067aa0ba902b7"

    static let playbook = CrashRecoveryTests.playbook

    /// A fresh directory with `playbook`, the GitHub source, and `sections` (the caller removes it).
    static func directory(
        _ name: String,
        playbook: String = Self.playbook,
        _ sections: String
    ) throws
        -> AgentProcess.Directory
    {
        try AgentProcess.directory(
            name: name,
            playbooks: ["pr-verify.yaml": playbook],
            sections: """
                sources:
                  github: { secrets: [env:TELEMETRY_SECRET] }
                \(sections)
                """
        )
    }

    /// The binary on `directory`; spans are exported every 100 ms (`OTEL_BSP_SCHEDULE_DELAY`, honoured).
    static func start(
        _ name: String,
        in directory: AgentProcess.Directory,
        environment: [String: String] = [:]
    ) throws -> AgentProcess {
        try AgentProcess(
            config: directory.config,
            directory: directory.url,
            port: directory.port,
            environment: ["TELEMETRY_SECRET": secret, "OTEL_BSP_SCHEDULE_DELAY": "100"].merging(environment) { $1 },
            name: name
        )
    }

    /// Posts the corpus pull request as delivery `id`, in the sender's trace; answers the event id.
    static func postPullRequest(_ agent: AgentProcess, delivery id: String) async throws -> String {
        let body = try Corpus.bytes("github/pull_request.opened.payload.json")
        var headers = WebhookSigner.github(secret: secret, body: body, event: "pull_request", delivery: id)
        headers["traceparent"] = "00-\(senderTrace)-\(senderSpan)-01"
        let response = try await agent.post("/webhooks/github", headers: headers, body: body)
        #expect(response.status == .accepted)
        let answer = try JSONValue(parsing: Array(buffer: response.body ?? ByteBuffer()))
        return try #require(answer["event_id"]?.stringValue)
    }

    /// Waits until the Observatory has spans with every name of `names`, and answers all it has.
    static func spans(in observatory: ObservatoryStandIn, named names: Set<String>) async throws -> [ExportedSpan] {
        var spans: [ExportedSpan] = []
        _ = try await eventually(timeout: .seconds(20)) {
            spans = try await ExportedSpan.all(in: observatory)
            return names.isSubset(of: Set(spans.map(\.name)))
        }
        return spans
    }

    @Test("a planned run's spans form one tree in the sender's trace, as CONTRACT §7 names them")
    func plannedRunSpanTree() async throws {
        let testBench = TestBenchStandIn(mode: .sync)
        let observatory = ObservatoryStandIn()
        let model = ModelStandIn(apiKey: nil)
        await model.script([CrashRecoveryTests.integrationPlan])
        let playbook = CrashRecoveryTests.plannedPlaybook
        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(observatory) { observatoryURL in
                try await withStandIn(model) { modelURL in
                    let directory = try Self.directory(
                        "telemetry-tree",
                        playbook: playbook,
                        """
                        integrations:
                          testbench: { url: "\(testBenchURL)", timeout_seconds: 60 }
                          observatory: { otlp_endpoint: "\(observatoryURL)" }
                        agent: { provider: openai, model: local, base_url: "\(modelURL)" }
                        """
                    )
                    // The file's `integrations.observatory` wins over the variable (CONTRACT §1).
                    let agent = try Self.start(
                        "tree",
                        in: directory,
                        environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"]
                    )
                    defer {
                        agent.stop(with: SIGTERM)
                        try? FileManager.default.removeItem(at: directory.url)
                    }
                    #expect(try await agent.waitUntilReady(), "\(agent.log)")
                    let eventID = try await Self.postPullRequest(agent, delivery: "trace-1")
                    let spans = try await Self.spans(
                        in: observatory,
                        named: ["webhook.receive", "playbook.match", "run", "run.plan", "step integration", "POST"]
                    )
                    let tree = try SpanTree(spans)

                    let receive = try tree.one("webhook.receive")
                    #expect(receive.kind == .server)
                    #expect(receive.traceID == Self.senderTrace, "the sender's trace is honoured")
                    #expect(receive.parentSpanID == Self.senderSpan)
                    #expect(receive.attributes["copilot.event.source"] == "github")
                    #expect(receive.attributes["copilot.event.type"] == "pull_request.opened")
                    #expect(receive.attributes["copilot.event.id"] == eventID)
                    #expect(receive.resource["service.name"] == "copilot-agent")
                    #expect(receive.resource["service.version"]?.isEmpty == false)
                    #expect(receive.resource["service.instance.id"]?.isEmpty == false)

                    let match = try tree.one("playbook.match")
                    #expect(match.parentSpanID == receive.spanID)
                    #expect(match.attributes["copilot.event.id"] == eventID)
                    let run = try tree.one("run")
                    #expect(run.parentSpanID == match.spanID)
                    #expect(run.attributes["copilot.playbook"] == "pr-verify")
                    #expect(run.attributes["copilot.run.status"] == "succeeded")
                    let runID = try #require(run.attributes["copilot.run.id"])

                    let plan = try tree.one("run.plan")
                    #expect(plan.parentSpanID == run.spanID)
                    #expect(plan.attributes["gen_ai.system"] == "openai")
                    #expect(plan.attributes["gen_ai.request.model"] == "local")
                    #expect(plan.attributes["llm.provider"] == "openai")
                    #expect(plan.attributes["gen_ai.usage.input_tokens"] != nil)
                    #expect(plan.attributes["llm.usage.completion_tokens"] != nil)
                    let chat = try tree.one("chat local")
                    #expect(chat.kind == .client)
                    #expect(chat.parentSpanID == plan.spanID)
                    #expect(chat.attributes["gen_ai.request.model"] == "local")

                    let step = try tree.one("step integration")
                    #expect(step.parentSpanID == run.spanID)
                    #expect(step.attributes["copilot.step.id"] == "integration")
                    #expect(step.attributes["copilot.action"] == "testbench.run")
                    let call = try tree.one("POST")
                    #expect(call.kind == .client)
                    #expect(call.parentSpanID == step.spanID)
                    #expect(call.attributes["http.response.status_code"] == "200")
                    #expect(spans.allSatisfy { $0.traceID == Self.senderTrace }, "one trace per event")

                    // What the Test-Bench received names the client span.
                    let sent = await testBench.journal.requests("POST", "/tests/execute")
                    #expect(sent.first?.header("traceparent") == "00-\(Self.senderTrace)-\(call.spanID)-01")
                    #expect(sent.first?.header("Idempotency-Key") == "\(runID):integration")
                    // The run's log lines name the trace and the span they were written in.
                    let planned = agent.log.split(separator: "\n").first { $0.contains("run planned") } ?? ""
                    #expect(planned.contains("trace_id=\(Self.senderTrace)"), "\(planned)")
                    #expect(planned.contains("span_id=\(run.spanID)"), "\(planned)")
                }
            }
        }
    }

    @Test("a run resumed after SIGKILL joins the event's trace from the stored ids; http/json is spoken")
    func resumedRunJoinsTheTrace() async throws {
        let testBench = TestBenchStandIn(mode: .sync)
        let observatory = ObservatoryStandIn()
        try await withStandIn(testBench) { testBenchURL in
            try await withStandIn(observatory) { observatoryURL in
                let directory = try Self.directory(
                    "telemetry-resume",
                    """
                    integrations:
                      testbench: { url: "\(testBenchURL)", timeout_seconds: 60 }
                      observatory: { otlp_endpoint: "\(observatoryURL)/", protocol: http/json }
                    """
                )
                defer { try? FileManager.default.removeItem(at: directory.url) }
                await testBench.journal.delayResponses(by: .seconds(8))
                let first = try Self.start("first", in: directory)
                #expect(try await first.waitUntilReady(), "\(first.log)")
                _ = try await Self.postPullRequest(first, delivery: "resume-1")
                let inFlight = try await eventually(timeout: .seconds(20)) {
                    await !testBench.journal.requests("POST", "/tests/execute").isEmpty
                }
                #expect(inFlight, "\(first.log)")
                let before = try await Self.spans(in: observatory, named: ["webhook.receive", "playbook.match"])
                first.stop(with: SIGKILL)

                await testBench.journal.delayResponses(by: .zero)
                let second = try Self.start("second", in: directory)
                defer { second.stop(with: SIGTERM) }
                #expect(try await second.waitUntilReady(), "\(second.log)")
                let spans = try await Self.spans(in: observatory, named: ["run", "step verify", "POST"])
                #expect(
                    await observatory.journal.requests("POST", "/v1/traces").allSatisfy {
                        $0.header("Content-Type") == "application/json"
                    }
                )
                let tree = try SpanTree(spans)
                let match = try SpanTree(before).one("playbook.match")
                let run = try tree.one("run")
                #expect(run.traceID == Self.senderTrace)
                #expect(run.parentSpanID == match.spanID, "the resumed run continues the stored context")
                #expect(run.attributes["copilot.run.status"] == "succeeded")
                #expect(run.resource["service.instance.id"] != match.resource["service.instance.id"])
                let step = try tree.one("step verify")
                #expect(step.parentSpanID == run.spanID)
                #expect(step.attributes["copilot.step.attempt"] == "2")
            }
        }
    }

    @Test("with the Observatory down every delivery is still accepted, and dropped spans are counted")
    func observatoryDown() async throws {
        let directory = try Self.directory(
            "telemetry-down",
            """
            integrations:
              observatory: { otlp_endpoint: "http://127.0.0.1:\(AgentProcess.freePort())" }
            """
        )
        defer { try? FileManager.default.removeItem(at: directory.url) }
        let agent = try Self.start("down", in: directory)
        defer { agent.stop(with: SIGTERM) }
        #expect(try await agent.waitUntilReady(), "\(agent.log)")
        for index in 0..<20 {
            // The runs fail (no Test-Bench is configured); their spans are dropped too.
            _ = try await Self.postPullRequest(agent, delivery: "down-\(index)")
        }
        var dropped = 0.0
        let counted = try await eventually(timeout: .seconds(20)) {
            let text = (try await agent.get("/metrics").body).map { String(buffer: $0) } ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("copilot_telemetry_spans_dropped_total ") }
            dropped = line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            return dropped >= 20
        }
        #expect(counted, "dropped: \(dropped)\n\(agent.log)")
    }
}

/// A span as the Observatory received it, decoded from OTLP (protobuf or JSON).
struct ExportedSpan: Sendable {
    typealias Kind = Opentelemetry_Proto_Trace_V1_Span.SpanKind

    var name: String
    var kind: Kind
    var traceID: String
    var spanID: String
    var parentSpanID: String
    var attributes: [String: String]
    var resource: [String: String]

    /// Every span of every export request the stand-in received.
    static func all(in observatory: ObservatoryStandIn) async throws -> [ExportedSpan] {
        try await observatory.journal.requests("POST", "/v1/traces").flatMap { request in
            let message =
                request.header("Content-Type") == "application/json"
                ? try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(jsonUTF8Bytes: request.body)
                : try Opentelemetry_Proto_Collector_Trace_V1_ExportTraceServiceRequest(serializedBytes: request.body)
            return message.resourceSpans.flatMap { resourceSpans in
                let resource = texts(resourceSpans.resource.attributes)
                return resourceSpans.scopeSpans.flatMap(\.spans).map { span in
                    ExportedSpan(
                        name: span.name,
                        kind: span.kind,
                        traceID: hex(span.traceID),
                        spanID: hex(span.spanID),
                        parentSpanID: hex(span.parentSpanID),
                        attributes: texts(span.attributes),
                        resource: resource
                    )
                }
            }
        }
    }

    private static func texts(_ attributes: [Opentelemetry_Proto_Common_V1_KeyValue]) -> [String: String] {
        var texts: [String: String] = [:]
        for attribute in attributes {
            texts[attribute.key] =
                switch attribute.value.value {
                case .stringValue(let text): text
                case .intValue(let number): "\(number)"
                case .boolValue(let flag): "\(flag)"
                case .doubleValue(let number): "\(number)"
                default: "\(attribute.value)"
                }
        }
        return texts
    }

    private static func hex(_ bytes: Data) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Spans by name, each expected once.
struct SpanTree {
    let spans: [ExportedSpan]

    init(_ spans: [ExportedSpan]) throws {
        self.spans = spans
    }

    func one(_ name: String) throws -> ExportedSpan {
        let named = spans.filter { $0.name == name }
        #expect(named.count == 1, "\(named.count) spans named \(name): \(spans.map(\.name))")
        return try #require(named.first)
    }
}
