import CopilotCore
import CopilotTesting
import CopilotWebhooks

/// The bad-input table: one signed request per case, edited to break exactly one thing.
extension RejectionTests {
    typealias HeaderEdit = @Sendable (inout [String: String]) -> Void

    static let push = Array(#"{"ref":"refs/heads/main","repository":{"full_name":"o/r"}}"#.utf8)
    static let incidentBody = Array(#"{"event_type":"incident.detected","incident":{"id":"i-1"}}"#.utf8)
    static let alertBody = Array(#"{"groupKey":"g","status":"firing","alerts":[]}"#.utf8)
    static let pagerDutyBody = Array(#"{"event":{"id":"E1","event_type":"incident.triggered"}}"#.utf8)
    static let hex64 = String(repeating: "ab", count: 32)
    static let bearerToken = "Bearer \(Fixtures.alertmanagerToken)"

    static func github(
        _ name: String,
        _ expected: WebhookError,
        body: [UInt8] = push,
        _ edit: @escaping HeaderEdit = { _ in }
    )
        -> Case
    {
        Case(name: name, source: .github, expected: expected) {
            var headers = WebhookSigner.github(secret: Fixtures.githubSecret, body: body, event: "push", delivery: "d")
            edit(&headers)
            return WebhookRequest(headers: headers, body: body)
        }
    }

    static func incident(
        _ name: String,
        _ expected: WebhookError,
        body: [UInt8] = incidentBody,
        at offset: Int = 0,
        _ edit: @escaping HeaderEdit = { _ in }
    ) -> Case {
        Case(name: name, source: .incident, expected: expected) {
            let timestamp = Fixtures.nowSeconds + offset
            var headers = WebhookSigner.standardWebhooks(
                secret: Fixtures.incidentSecret,
                id: "msg_1",
                timestamp: timestamp,
                body: body
            )
            edit(&headers)
            return WebhookRequest(headers: headers, body: body)
        }
    }

    static func alertmanager(
        _ name: String,
        _ expected: WebhookError,
        body: [UInt8] = alertBody,
        contentType: String? = "application/json",
        authorization: String?
    ) -> Case {
        Case(name: name, source: .alertmanager, expected: expected) {
            var headers = WebhookSigner.bearer(token: Fixtures.alertmanagerToken)
            headers["authorization"] = authorization
            headers["content-type"] = contentType
            return WebhookRequest(headers: headers, body: body)
        }
    }

    static func pagerDuty(
        _ name: String,
        _ expected: WebhookError,
        body: [UInt8] = pagerDutyBody,
        _ edit: @escaping HeaderEdit = { _ in }
    ) -> Case {
        Case(name: name, source: .pagerduty, expected: expected) {
            var headers = WebhookSigner.pagerDuty(secret: Fixtures.pagerDutySecret, body: body)
            edit(&headers)
            return WebhookRequest(headers: headers, body: body)
        }
    }

    static func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let contentTypeCases: [Case] = [
        github("no content type", .unsupportedMediaType) { $0["content-type"] = nil },
        github("text/plain", .unsupportedMediaType) { $0["content-type"] = "text/plain" },
        github("application/xml", .unsupportedMediaType) { $0["content-type"] = "application/xml" },
        github("application/jsonx", .unsupportedMediaType) { $0["content-type"] = "application/jsonx" },
        github("a bare +json", .unsupportedMediaType) { $0["content-type"] = "application/+json" },
        github("wrong content type before a missing signature", .unsupportedMediaType) {
            $0["content-type"] = "text/plain"
            $0["x-hub-signature-256"] = nil
        },
        alertmanager("no content type", .unsupportedMediaType, contentType: nil, authorization: bearerToken),
    ]

    static let githubCases: [Case] = [
        github("missing signature", .missingSignature) { $0["x-hub-signature-256"] = nil },
        github("empty signature", .missingSignature) { $0["x-hub-signature-256"] = "" },
        github("blank signature", .missingSignature) { $0["x-hub-signature-256"] = "  " },
        github("sha1= prefix", .invalidSignature) { $0["x-hub-signature-256"]!.replace("sha256=", with: "sha1=") },
        github("no prefix", .invalidSignature) { $0["x-hub-signature-256"]!.removeFirst(7) },
        github("truncated signature", .invalidSignature) { $0["x-hub-signature-256"]!.removeLast(2) },
        github("odd-length signature", .invalidSignature) { $0["x-hub-signature-256"]!.removeLast() },
        github("signature with extra bytes", .invalidSignature) { $0["x-hub-signature-256"]! += "00" },
        github("non-hex signature", .invalidSignature) {
            $0["x-hub-signature-256"] = "sha256=" + String(repeating: "zz", count: 32)
        },
        github("wrong secret", .invalidSignature) {
            $0["x-hub-signature-256"] = WebhookSigner.githubSignature(secret: "wrong", body: push)
        },
        github("a bad signature before malformed JSON", .invalidSignature, body: json("{oops")) {
            $0["x-hub-signature-256"] = "sha256=" + hex64
        },
        github("malformed JSON", .invalidJSON, body: json(#"{"a":"#)),
        github("empty body", .invalidJSON, body: []),
        github("body is a list", .invalidPayload, body: json("[1,2]")),
        github("body is a string", .invalidPayload, body: json(#""push""#)),
        github("missing X-GitHub-Event", .invalidPayload) { $0["x-github-event"] = nil },
        github("empty X-GitHub-Event", .invalidPayload) { $0["x-github-event"] = "" },
        github("missing X-GitHub-Delivery", .invalidPayload) { $0["x-github-delivery"] = nil },
        github("ping without X-GitHub-Delivery", .invalidPayload) {
            $0["x-github-event"] = "ping"
            $0["x-github-delivery"] = nil
        },
        github("malformed JSON before missing headers", .invalidJSON, body: json("nope")) {
            $0["x-github-event"] = nil
        },
    ]

    static let incidentCases: [Case] = [
        incident("missing webhook-id", .missingSignature) { $0["webhook-id"] = nil },
        incident("missing webhook-timestamp", .missingSignature) { $0["webhook-timestamp"] = nil },
        incident("missing webhook-signature", .missingSignature) { $0["webhook-signature"] = nil },
        incident("empty webhook-signature", .missingSignature) { $0["webhook-signature"] = "" },
        incident("non-numeric timestamp", .invalidSignature) { $0["webhook-timestamp"] = "yesterday" },
        incident("fractional timestamp", .invalidSignature) { $0["webhook-timestamp"]! += ".5" },
        incident("negative timestamp", .invalidSignature) { $0["webhook-timestamp"] = "-5" },
        incident("stale timestamp", .staleTimestamp, at: -301),
        incident("future timestamp", .staleTimestamp, at: 301),
        incident("stale timestamp with a bad signature", .staleTimestamp, at: -3600) {
            $0["webhook-signature"] = "v1,AAAA"
        },
        incident("signature for another timestamp", .invalidSignature) {
            $0["webhook-timestamp"] = String(Fixtures.nowSeconds + 1)
        },
        incident("non-base64 signature", .invalidSignature) { $0["webhook-signature"] = "v1,@@@@####" },
        incident("empty v1 signature", .invalidSignature) { $0["webhook-signature"] = "v1," },
        incident("truncated signature", .invalidSignature) { $0["webhook-signature"]!.removeLast(4) },
        incident("signature without version", .invalidSignature) { $0["webhook-signature"]!.removeFirst(3) },
        incident("wrong key", .invalidSignature) {
            $0["webhook-signature"] = WebhookSigner.standardWebhooksSignature(
                secret: "whsec_d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZw==",
                id: "msg_1",
                timestamp: String(Fixtures.nowSeconds),
                body: incidentBody
            )
        },
        incident("malformed JSON", .invalidJSON, body: json("{")),
        incident("missing event_type", .invalidPayload, body: json(#"{"incident":{"id":"i-1"}}"#)),
        incident(
            "missing incident.id",
            .invalidPayload,
            body: json(#"{"event_type":"incident.detected","incident":{}}"#)
        ),
        incident("empty incident.id", .invalidPayload, body: json(#"{"event_type":"x","incident":{"id":""}}"#)),
        incident("event_type not a string", .invalidPayload, body: json(#"{"event_type":3,"incident":{"id":"i"}}"#)),
    ]

    static let alertmanagerCases: [Case] = [
        alertmanager("missing Authorization", .missingSignature, authorization: nil),
        alertmanager("empty Authorization", .missingSignature, authorization: ""),
        alertmanager("Basic scheme", .invalidSignature, authorization: "Basic \(Fixtures.alertmanagerToken)"),
        alertmanager("token without scheme", .invalidSignature, authorization: Fixtures.alertmanagerToken),
        alertmanager("scheme without token", .invalidSignature, authorization: "Bearer"),
        alertmanager("scheme and blank token", .invalidSignature, authorization: "Bearer   "),
        alertmanager("wrong token", .invalidSignature, authorization: "Bearer wrong"),
        alertmanager("token prefix", .invalidSignature, authorization: String(bearerToken.dropLast())),
        alertmanager("token with extra characters", .invalidSignature, authorization: bearerToken + "x"),
        alertmanager("token in another case", .invalidSignature, authorization: bearerToken.uppercased()),
        alertmanager("empty body", .invalidJSON, body: [], authorization: bearerToken),
        alertmanager(
            "missing groupKey",
            .invalidPayload,
            body: json(#"{"status":"firing","alerts":[]}"#),
            authorization: bearerToken
        ),
        alertmanager(
            "unknown status",
            .invalidPayload,
            body: json(#"{"groupKey":"g","status":"pending","alerts":[]}"#),
            authorization: bearerToken
        ),
        alertmanager(
            "alerts not a list",
            .invalidPayload,
            body: json(#"{"groupKey":"g","status":"firing","alerts":{}}"#),
            authorization: bearerToken
        ),
        alertmanager(
            "missing alerts",
            .invalidPayload,
            body: json(#"{"groupKey":"g","status":"firing"}"#),
            authorization: bearerToken
        ),
    ]

    static let pagerDutyCases: [Case] = [
        pagerDuty("missing signature", .missingSignature) { $0["x-pagerduty-signature"] = nil },
        pagerDuty("empty signature", .missingSignature) { $0["x-pagerduty-signature"] = "" },
        pagerDuty("non-hex signature", .invalidSignature) {
            $0["x-pagerduty-signature"] = "v1=" + String(repeating: "g", count: 64)
        },
        pagerDuty("truncated signature", .invalidSignature) { $0["x-pagerduty-signature"]!.removeLast(8) },
        pagerDuty("signature without version", .invalidSignature) { $0["x-pagerduty-signature"]!.removeFirst(3) },
        pagerDuty("wrong secret", .invalidSignature) {
            $0["x-pagerduty-signature"] = WebhookSigner.pagerDutySignature(secret: "wrong", body: pagerDutyBody)
        },
        pagerDuty("malformed JSON", .invalidJSON, body: json(#"{"event":"#)),
        pagerDuty("empty object", .invalidPayload, body: json("{}")),
        pagerDuty("missing event.id", .invalidPayload, body: json(#"{"event":{"event_type":"incident.triggered"}}"#)),
        pagerDuty("missing event.event_type", .invalidPayload, body: json(#"{"event":{"id":"E1"}}"#)),
        pagerDuty("body is null", .invalidPayload, body: json("null")),
    ]

    static let cases = contentTypeCases + githubCases + incidentCases + alertmanagerCases + pagerDutyCases
}
