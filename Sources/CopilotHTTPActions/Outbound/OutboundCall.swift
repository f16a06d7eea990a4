import CopilotCore
import CopilotExpressions
import NIOCore
import NIOHTTP1

/// One HTTP call an action asks for; `OutboundClient` adds the common headers, the deadline, retries
/// and the circuit breaker.
struct OutboundCall: Sendable {
    /// The integration's name, for the circuit breaker, metrics and failure reasons (`testbench`,
    /// `github`, `incident_manager`, `orchestrator`, `http`, or a preset's name).
    var integration: String
    var method: HTTPMethod
    var url: String
    /// Sent as `Authorization: Bearer <token>` when set.
    var token: String?
    /// Extra headers; they replace the defaults (`Accept`, `Content-Type`, `User-Agent`,
    /// `Authorization`) but never `Idempotency-Key` or `traceparent`.
    var headers: [(String, String)] = []
    var body: [UInt8]?
    /// The longest the call may take, when shorter than what is left of the step.
    var timeout: Duration?

    /// A call whose body is JSON.
    static func json(
        _ method: HTTPMethod,
        _ url: String,
        body: JSONValue?,
        integration: HTTPActionsConfiguration.Integration,
        name: String,
        headers: [(String, String)] = []
    ) -> OutboundCall {
        OutboundCall(
            integration: name,
            method: method,
            url: url,
            token: integration.token,
            headers: headers + (body == nil ? [] : [("Content-Type", "application/json")]),
            body: body.map { Array($0.jsonText.utf8) },
            timeout: integration.requestTimeout
        )
    }
}

/// A response with a 2xx status, its body read in full.
struct OutboundResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    /// The body as JSON, nil when it is not.
    var json: JSONValue? { try? JSONValue(parsing: body) }
}
