import CopilotExpressions

/// The Observatory's OTLP/HTTP trace receiver (`POST /v1/traces`), answering as an OpenTelemetry
/// Collector does: 200 with an empty `ExportTraceServiceResponse` in the request's encoding (protobuf,
/// or JSON). It records the requests as they came; the tests decode them with the opentelemetry-proto
/// types swift-otel ships.
public actor ObservatoryStandIn: StandIn {
    public nonisolated let journal = StandInJournal()
    public nonisolated var honoursIdempotencyKey: Bool { false }

    public init() {}

    public func respond(to request: RecordedRequest) async -> StandInResponse {
        guard request.method == "POST", request.path == "/v1/traces" else { return .error(404, "not found") }
        if request.header("Content-Type") == "application/json" { return .json(200, [:]) }
        return StandInResponse(status: 200, headers: [.init(name: "Content-Type", value: "application/x-protobuf")])
    }
}
