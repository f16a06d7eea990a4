import CopilotCore
import CopilotExpressions
import CopilotServer
import CopilotTesting
import CopilotWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Every source through the production router over real HTTP on 127.0.0.1.
@Suite(.timeLimit(.minutes(1)))
struct WebhookSourceRouteTests {
    static let githubSecret = "route-github-secret-0123456789abcdef"
    static let pagerDutySecret = "route-pagerduty-secret-0123456789ab"
    static let incidentSecret = WebhookSigner.standardWebhooksSecret(
        key: Array("route-incident-key-0123456789abc".utf8)
    )
    static let alertmanagerToken = "route-alertmanager-token-0123456789"
    /// The server's clock, fixed so that Standard Webhooks timestamps are checked against a known time.
    static let nowSeconds = 1_764_000_000

    static func receivers() throws -> [EventSource: WebhookReceiver] {
        [
            .github: WebhookReceiver(
                configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(githubSecret.utf8)]))
            ),
            .incident: WebhookReceiver(
                configuration: .init(
                    source: .incident,
                    verification: .standardWebhooks(
                        keys: [try WebhookSourceConfiguration.standardWebhooksKey(incidentSecret)],
                        toleranceSeconds: 300
                    )
                )
            ),
            .alertmanager: WebhookReceiver(
                configuration: .init(source: .alertmanager, verification: .bearer(token: alertmanagerToken))
            ),
            .pagerduty: WebhookReceiver(
                configuration: .init(
                    source: .pagerduty,
                    verification: .hmacSHA256(secrets: [Array(pagerDutySecret.utf8)])
                )
            ),
        ]
    }

    static func application(
        inbox: MemoryInbox,
        runs: MemoryRunStore? = nil,
        rateLimits: RateLimitsConfiguration = RateLimitsConfiguration(),
        monotonicNow: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        metricsText: (@Sendable () -> String)? = nil
    ) throws -> some ApplicationProtocol {
        let readiness = Readiness()
        readiness.storeOpened()
        readiness.playbooksLoaded()
        return Application(
            router: buildRouter(
                configuration: ServerConfiguration(maxBodyBytes: 1 << 20, rateLimits: rateLimits),
                dependencies: ServerDependencies(
                    inbox: inbox,
                    receivers: try receivers(),
                    readiness: readiness,
                    runs: runs,
                    operators: runs.map(TestOperators.access),
                    metricsText: metricsText,
                    now: { Date(timeIntervalSince1970: TimeInterval(nowSeconds)) },
                    monotonicNow: monotonicNow
                )
            )
        )
    }

    /// A correctly signed request for `body` from `source`, as its sender writes it.
    static func signed(
        _ source: EventSource,
        body: [UInt8],
        id: String,
        timestamp: Int = nowSeconds
    ) -> [String: String] {
        switch source {
        case .github: WebhookSigner.github(secret: githubSecret, body: body, event: "push", delivery: id)
        case .incident: WebhookSigner.standardWebhooks(secret: incidentSecret, id: id, timestamp: timestamp, body: body)
        case .alertmanager: WebhookSigner.bearer(token: alertmanagerToken, scheme: "bearer")
        case .pagerduty: WebhookSigner.pagerDuty(secret: pagerDutySecret, body: body)
        }
    }

    static let samples: [EventSource: String] = [
        .github: "github/push.payload.json",
        .incident: "incident/incident.detected.P0.json",
        .alertmanager: "alertmanager/firing.grouped.json",
        .pagerduty: "pagerduty/incident.acknowledged.json",
    ]

    static func post(
        _ client: some TestClientProtocol,
        _ source: EventSource,
        headers: [String: String],
        body: [UInt8]
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/webhooks/\(source.rawValue)",
            method: .post,
            headers: WebhookRouteTests.fields(headers),
            body: ByteBuffer(bytes: body)
        )
    }

    /// `source`'s corpus sample, correctly signed, with delivery id `id`.
    static func postSample(
        _ client: some TestClientProtocol,
        _ source: EventSource,
        id: String
    ) async throws -> TestResponse {
        let body = try Corpus.bytes(try #require(samples[source]))
        return try await post(client, source, headers: signed(source, body: body, id: id), body: body)
    }

    @Test("a signed delivery from each source is accepted over HTTP, and its repeat answers duplicate")
    func everySourceAccepted() async throws {
        let inbox = MemoryInbox()
        try await Self.application(inbox: inbox).test(.live) { client in
            for source in EventSource.allCases {
                let first = try await Self.postSample(client, source, id: "live-\(source.rawValue)")
                #expect(first.status == .accepted, "\(source)")
                let second = try await Self.postSample(client, source, id: "live-\(source.rawValue)")
                #expect(second.status == .ok, "\(source)")
                #expect(
                    try WebhookRouteTests.json(second.body)["event_id"]
                        == WebhookRouteTests.json(first.body)["event_id"],
                    "\(source)"
                )
            }
        }
        #expect(try await inbox.count() == EventSource.allCases.count)
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        var name: String
        var source: EventSource
        var headers: [String: String]
        var body: [UInt8]
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { "\(source): \(name)" }
    }

    /// The bad inputs of each source that `WebhookRouteTests` does not send (it covers GitHub's).
    static let rejections: [Rejection] = {
        let incident = Array(#"{"event_type":"incident.detected","incident":{"id":"INC-1"}}"#.utf8)
        let pagerDuty = Array(#"{"event":{"id":"E1","event_type":"incident.triggered"}}"#.utf8)
        let alert = Array(#"{"groupKey":"g","status":"firing","alerts":[]}"#.utf8)
        var noID = signed(.incident, body: incident, id: "i-1")
        noID["webhook-id"] = nil
        var notBase64 = signed(.incident, body: incident, id: "i-1")
        notBase64["webhook-signature"] = "v1,!!!not-base64!!!"
        let pagerDutySignature = WebhookSigner.pagerDutySignature(secret: pagerDutySecret, body: pagerDuty)
        var truncated = signed(.pagerduty, body: pagerDuty, id: "p-1")
        truncated["x-pagerduty-signature"] = String(pagerDutySignature.dropLast(2))
        var notHex = signed(.pagerduty, body: pagerDuty, id: "p-1")
        notHex["x-pagerduty-signature"] = "v1=" + String(repeating: "zz", count: 32)
        var noToken = signed(.alertmanager, body: alert, id: "a-1")
        noToken["authorization"] = nil
        return [
            Rejection(
                name: "stale timestamp",
                source: .incident,
                headers: signed(.incident, body: incident, id: "i-1", timestamp: nowSeconds - 301),
                body: incident,
                status: .unauthorized,
                code: "stale_timestamp"
            ),
            Rejection(
                name: "future timestamp",
                source: .incident,
                headers: signed(.incident, body: incident, id: "i-1", timestamp: nowSeconds + 301),
                body: incident,
                status: .unauthorized,
                code: "stale_timestamp"
            ),
            Rejection(
                name: "missing webhook-id",
                source: .incident,
                headers: noID,
                body: incident,
                status: .unauthorized,
                code: "missing_signature"
            ),
            Rejection(
                name: "non-base64 signature",
                source: .incident,
                headers: notBase64,
                body: incident,
                status: .unauthorized,
                code: "invalid_signature"
            ),
            Rejection(
                name: "missing required fields",
                source: .incident,
                headers: signed(.incident, body: Array(#"{"incident":{}}"#.utf8), id: "i-2"),
                body: Array(#"{"incident":{}}"#.utf8),
                status: .badRequest,
                code: "invalid_payload"
            ),
            Rejection(
                name: "truncated signature",
                source: .pagerduty,
                headers: truncated,
                body: pagerDuty,
                status: .unauthorized,
                code: "invalid_signature"
            ),
            Rejection(
                name: "non-hex signature",
                source: .pagerduty,
                headers: notHex,
                body: pagerDuty,
                status: .unauthorized,
                code: "invalid_signature"
            ),
            Rejection(
                name: "signed empty body",
                source: .pagerduty,
                headers: signed(.pagerduty, body: [], id: "p-2"),
                body: [],
                status: .badRequest,
                code: "invalid_json"
            ),
            Rejection(
                name: "missing token",
                source: .alertmanager,
                headers: noToken,
                body: alert,
                status: .unauthorized,
                code: "missing_signature"
            ),
            Rejection(
                name: "wrong token",
                source: .alertmanager,
                headers: WebhookSigner.bearer(token: "not-the-token-at-all-0123456789"),
                body: alert,
                status: .unauthorized,
                code: "invalid_signature"
            ),
            Rejection(
                name: "alerts not a list",
                source: .alertmanager,
                headers: signed(
                    .alertmanager,
                    body: Array(#"{"groupKey":"g","status":"firing","alerts":{}}"#.utf8),
                    id: "a-2"
                ),
                body: Array(#"{"groupKey":"g","status":"firing","alerts":{}}"#.utf8),
                status: .badRequest,
                code: "invalid_payload"
            ),
            Rejection(
                name: "signed empty body",
                source: .github,
                headers: signed(.github, body: [], id: "g-empty"),
                body: [],
                status: .badRequest,
                code: "invalid_json"
            ),
        ]
    }()

    @Test("bad deliveries of every source get their documented status and code over HTTP", arguments: rejections)
    func rejects(_ rejection: Rejection) async throws {
        let inbox = MemoryInbox()
        try await Self.application(inbox: inbox).test(.live) { client in
            let response = try await Self.post(
                client,
                rejection.source,
                headers: rejection.headers,
                body: rejection.body
            )
            #expect(response.status == rejection.status)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try WebhookRouteTests.json(response.body)["error"]?["code"] == .string(rejection.code))
            // The same connection's server still answers.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        #expect(try await inbox.count() == 0)
    }

    @Test("Standard Webhooks signatures sent as two header lines verify, whichever line holds the valid one")
    func repeatedSignatureLines() async throws {
        let inbox = MemoryInbox()
        let body = try Corpus.bytes("incident/incident.detected.P0.json")
        let other = WebhookSigner.standardWebhooksSecret(key: Array("some-other-key-0123456789abcdef0".utf8))
        let signatureField = try #require(HTTPField.Name("webhook-signature"))
        try await Self.application(inbox: inbox).test(.live) { client in
            for (index, secrets) in [[Self.incidentSecret, other], [other, Self.incidentSecret]].enumerated() {
                let id = "lines-\(index)"
                var fields = WebhookRouteTests.fields(Self.signed(.incident, body: body, id: id))
                fields[signatureField] = nil
                for secret in secrets {
                    let signature = WebhookSigner.standardWebhooksSignature(
                        secret: secret,
                        id: id,
                        timestamp: String(Self.nowSeconds),
                        body: body
                    )
                    fields.append(HTTPField(name: signatureField, value: signature))
                }
                let response = try await client.execute(
                    uri: "/webhooks/incident",
                    method: .post,
                    headers: fields,
                    body: ByteBuffer(bytes: body)
                )
                #expect(response.status == .accepted, "valid line \(index == 0 ? "first" : "second")")
            }
        }
        #expect(try await inbox.count() == 2)
    }
}
