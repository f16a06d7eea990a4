import Foundation
import Logging
import Metrics
import OTel
import ServiceLifecycle

/// The tracer of `serve` (CONTRACT §7): the spans of every event go to the Observatory over OTLP/HTTP
/// through swift-otel's batch span processor, whose queue is bounded: when the Observatory is slow or
/// down, spans wait in it up to its size (`OTEL_BSP_MAX_QUEUE_SIZE`, 2,048), then are dropped, and ingest
/// never waits. Dropped spans are counted in `copilot_telemetry_spans_dropped_total`.
enum TracingBackend {
    /// The variables `integrations.observatory` replaces: CONTRACT §1 says configuration keys win over
    /// `OTEL_*`.
    static let replacedVariables = [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    ]

    /// Bootstraps the process's tracer when spans have somewhere to go (`integrations.observatory`, or
    /// the standard `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), and answers the
    /// service that exports them. Nil otherwise: then no span is recorded, and outbound calls still carry
    /// a `traceparent` of the event's trace made by the worker (decision: spans nobody receives would
    /// cost every delivery for nothing; README, "Traces").
    ///
    /// `environment` is the process's: swift-otel applies the `OTEL_*` variables in it over the
    /// configuration, except those `integrations.observatory` replaces, which are left out (the file
    /// wins, CONTRACT §1).
    static func bootstrap(
        observatory: IntegrationsConfiguration.Observatory?,
        environment: [String: String],
        nodeID: String,
        shutdownGrace: Duration,
        logger: Logger
    ) throws -> (any Service)? {
        // The family exists from start-up (CONTRACT §7), exporting or not.
        Counter(label: SpanDropCounter.metric).increment(by: 0)
        let endpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]
        guard observatory != nil || endpointVariables.contains(where: { environment[$0]?.isEmpty == false }) else {
            return nil
        }
        if environment["OTEL_SDK_DISABLED"]?.lowercased() == "true"
            || environment["OTEL_TRACES_EXPORTER"]?.lowercased() == "none"
        {
            logger.notice("trace export turned off by OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER")
            return nil
        }
        var configuration = OTel.Configuration.default
        configuration.serviceName = "copilot-agent"
        configuration.resourceAttributes = ["service.version": CopilotVersion.current, "service.instance.id": nodeID]
        configuration.logs.enabled = false  // standard error has them
        configuration.metrics.enabled = false  // `/metrics` serves them (Prometheus)
        configuration.propagators = [.traceContext]
        configuration.diagnosticLogger = .custom(Logger(label: "copilot-agent.otel", factory: SpanDropCounter.factory))
        configuration.diagnosticLogLevel = .warning
        // A flush at shutdown, and a batch sent to an Observatory that does not answer, end well within the
        // grace period (the other services use the first part of it), unless OTEL_BSP_EXPORT_TIMEOUT or
        // OTEL_EXPORTER_OTLP_TIMEOUT say otherwise.
        let exportTimeout = min(.seconds(10), shutdownGrace / 4)
        configuration.traces.batchSpanProcessor.exportTimeout = exportTimeout
        configuration.traces.otlpExporter.timeout = exportTimeout
        var variables = environment
        if let observatory {
            configuration.traces.otlpExporter.endpoint = tracesURL(observatory.otlpEndpoint)
            configuration.traces.otlpExporter.protocol =
                switch observatory.wireProtocol {
                case .protobuf: .httpProtobuf
                case .json: .httpJSON
                }
            for variable in replacedVariables where variables.removeValue(forKey: variable) != nil {
                logger.notice(
                    "OTEL variable ignored: integrations.observatory replaces it",
                    metadata: ["copilot.config.variable": .string(variable)]
                )
            }
        }
        // Traces only (logs and metrics are off above): this bootstraps the instrumentation system alone.
        let service = try OTel.bootstrap(configuration: configuration, environment: variables)
        // The host only: an endpoint may carry credentials.
        let host = observatory.flatMap { URLComponents(string: $0.otlpEndpoint)?.host } ?? "from OTEL_*"
        logger.info("spans exported over OTLP/HTTP", metadata: ["copilot.observatory.host": .string(host)])
        return service
    }

    /// `otlp_endpoint` is the collector's base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT` is: traces go to its
    /// `/v1/traces`.
    static func tracesURL(_ base: String) -> String {
        base.hasSuffix("/") ? base + "v1/traces" : base + "/v1/traces"
    }
}

/// swift-otel's batch span processor drops spans in two cases, and tells only its diagnostic log: when
/// its queue is full, and when a batch cannot be exported (the Observatory is down, or still answers
/// 429/5xx after the retries). This handler passes those lines on to the service's log, and counts the
/// spans they name in `copilot_telemetry_spans_dropped_total`: the processor exposes no counter of its
/// own. Its messages are pinned by the test that stops the Observatory (`TelemetryTests`). It sees them
/// at `warning`: `OTEL_LOG_LEVEL=error` hides them from it, and the counter then stays at zero.
struct SpanDropCounter: LogHandler {
    static let queueFull = "Spans were dropped this iteration because queue was full"
    static let exportFailed = "Failed to export batch."
    static let metric = "copilot_telemetry_spans_dropped_total"

    static func factory(_ label: String) -> any LogHandler {
        SpanDropCounter(wrapped: Logger(label: label).handler)
    }

    var wrapped: any LogHandler
    let dropped = Counter(label: Self.metric)

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        switch event.message.description {
        case Self.queueFull: dropped.increment(by: count(event.metadata?["dropped_count"]))
        case Self.exportFailed: dropped.increment(by: count(self[metadataKey: "batch_size"]))
        default: break
        }
        wrapped.log(event: event)
    }

    private func count(_ value: Logger.Metadata.Value?) -> Int {
        value.flatMap { Int("\($0)") } ?? 0
    }
}
