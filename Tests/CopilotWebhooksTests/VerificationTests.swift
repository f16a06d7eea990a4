import CopilotCore
import CopilotExpressions
import CopilotTesting
import CopilotWebhooks
import Foundation
import Testing

/// Signatures, tokens and the GitHub specifics (forms, pings, rotation).
@Suite struct VerificationTests {
    static let prBody = (try? Corpus.bytes("github/pull_request.opened.payload.json")) ?? []

    @Test("a one-byte change anywhere in the body is rejected", arguments: [0, 1, 100, 1000, -1])
    func tamperedBody(position: Int) throws {
        for source in EventSource.allCases where source != .alertmanager {
            let body = try Corpus.bytes(Self.samplePath(source))
            var request = Fixtures.signedRequest(source, body: body, githubEvent: "pull_request")
            let index = position < 0 ? body.count + position : min(position, body.count - 1)
            request.body[index] ^= 0x20
            #expect(Fixtures.rejection(request, to: Fixtures.receiver(source)) == .invalidSignature, "\(source)")
        }
    }

    @Test("a one-character change of the signature is rejected", arguments: [0, 10, 63])
    func tamperedSignature(position: Int) throws {
        for (source, header, prefix) in [
            (EventSource.github, "x-hub-signature-256", "sha256=".count),
            (.pagerduty, "x-pagerduty-signature", "v1=".count),
            (.incident, "webhook-signature", "v1,".count),
        ] {
            var request = Fixtures.signedRequest(source, body: try Corpus.bytes(Self.samplePath(source)))
            var signature = Array(try #require(request.headers[header]).utf8)
            let index = min(prefix + position, signature.count - 2)
            signature[index] = signature[index] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            request.headers[header] = String(decoding: signature, as: UTF8.self)
            #expect(Fixtures.rejection(request, to: Fixtures.receiver(source)) == .invalidSignature, "\(source)")
        }
    }

    @Test("during rotation a signature made with either secret is accepted")
    func rotation() throws {
        for secret in [Fixtures.githubSecret, Fixtures.githubOldSecret] {
            let headers = WebhookSigner.github(secret: secret, body: Self.prBody, event: "pull_request", delivery: "d1")
            let request = WebhookRequest(headers: headers, body: Self.prBody)
            let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.githubRotating))
            #expect(event.type == "pull_request.opened")
        }
        // The single-secret receiver knows only the new one.
        let old = WebhookSigner.github(
            secret: Fixtures.githubOldSecret,
            body: Self.prBody,
            event: "push",
            delivery: "d"
        )
        #expect(Fixtures.rejection(.init(headers: old, body: Self.prBody), to: Fixtures.github) == .invalidSignature)
    }

    @Test("Standard Webhooks: one valid signature among several, other versions ignored, rotated keys")
    func standardWebhooksLists() throws {
        let body = try Corpus.bytes("incident/incident.detected.P0.json")
        let otherSecret = WebhookSigner.standardWebhooksSecret(key: Array("another-key-0123456789abcdef0123".utf8))
        var request = WebhookRequest(
            headers: WebhookSigner.standardWebhooks(
                secrets: [otherSecret, Fixtures.incidentSecret],
                id: "msg_1",
                timestamp: Fixtures.nowSeconds,
                body: body
            ),
            body: body
        )
        #expect(try Fixtures.deliver(request, to: Fixtures.incident) != nil)

        func signature(_ secret: String) -> String {
            WebhookSigner.standardWebhooksSignature(
                secret: secret,
                id: "msg_1",
                timestamp: String(Fixtures.nowSeconds),
                body: body
            )
        }
        let valid = signature(Fixtures.incidentSecret)
        request.headers["webhook-signature"] = "v1a,Zm9v v2,\(valid.dropFirst(3)) v1,!!notbase64!! \(valid)"
        #expect(try Fixtures.deliver(request, to: Fixtures.incident) != nil)

        request.headers["webhook-signature"] = "v2,\(valid.dropFirst(3))"
        #expect(Fixtures.rejection(request, to: Fixtures.incident) == .invalidSignature)

        // Two header lines, as the server joins them: the valid first one still counts.
        let other = signature(otherSecret)
        request.headers["webhook-signature"] = "\(valid), \(other)"
        #expect(try Fixtures.deliver(request, to: Fixtures.incident) != nil)
        request.headers["webhook-signature"] = "\(other), \(valid)"
        #expect(try Fixtures.deliver(request, to: Fixtures.incident) != nil)

        let rotating = WebhookReceiver(
            configuration: .init(
                source: .incident,
                verification: .standardWebhooks(
                    keys: [
                        try WebhookSourceConfiguration.standardWebhooksKey(otherSecret),
                        try WebhookSourceConfiguration.standardWebhooksKey(Fixtures.incidentSecret),
                    ],
                    toleranceSeconds: 300
                )
            )
        )
        request.headers["webhook-signature"] = valid
        #expect(try Fixtures.deliver(request, to: rotating) != nil)
    }

    @Test("Standard Webhooks timestamps at the edge of the tolerance are accepted, past it stale")
    func tolerance() throws {
        let body = try Corpus.bytes("incident/incident.resolved.json")
        let cases: [(Int, WebhookError?)] = [
            (0, nil), (300, nil), (-300, nil), (301, WebhookError.staleTimestamp), (-301, .staleTimestamp),
            (-86_400, .staleTimestamp),
        ]
        for (offset, expected) in cases {
            let headers = WebhookSigner.standardWebhooks(
                secret: Fixtures.incidentSecret,
                id: "m",
                timestamp: Fixtures.nowSeconds + offset,
                body: body
            )
            #expect(
                Fixtures.rejection(.init(headers: headers, body: body), to: Fixtures.incident) == expected,
                "\(offset)"
            )
        }
    }

    @Test("PagerDuty: any valid v1 entry in the list suffices; other versions are ignored")
    func pagerDutyLists() throws {
        let body = try Corpus.bytes("pagerduty/incident.triggered.json")
        var request = WebhookRequest(
            headers: WebhookSigner.pagerDuty(secrets: ["some-other-secret", Fixtures.pagerDutySecret], body: body),
            body: body
        )
        #expect(try Fixtures.deliver(request, to: Fixtures.pagerDuty) != nil)
        let valid = WebhookSigner.pagerDutySignature(secret: Fixtures.pagerDutySecret, body: body)
        request.headers["x-pagerduty-signature"] = "v0=abcd, v1=zz, \(valid)"
        #expect(try Fixtures.deliver(request, to: Fixtures.pagerDuty) != nil)
        request.headers["x-pagerduty-signature"] = "v2=\(valid.dropFirst(3))"
        #expect(Fixtures.rejection(request, to: Fixtures.pagerDuty) == .invalidSignature)
    }

    @Test("uppercase hex signatures verify")
    func uppercaseHex() throws {
        var request = Fixtures.signedRequest(.github, body: Self.prBody, githubEvent: "pull_request")
        let signature = try #require(request.headers["x-hub-signature-256"])
        request.headers["x-hub-signature-256"] = "sha256=" + signature.dropFirst(7).uppercased()
        #expect(try Fixtures.deliver(request, to: Fixtures.github) != nil)
    }

    @Test("GitHub form deliveries are verified over the form bytes and read from the payload field")
    func githubForm() throws {
        let json = Self.prBody
        let form = WebhookSigner.formEncoded(payload: json)
        let headers = WebhookSigner.github(
            secret: Fixtures.githubSecret,
            body: form,
            event: "pull_request",
            delivery: "form-1",
            contentType: "application/x-www-form-urlencoded"
        )
        let (delivery, event) = try #require(
            try Fixtures.deliver(.init(headers: headers, body: form), to: Fixtures.github)
        )
        #expect(event.type == "pull_request.opened")
        #expect(event.subject == "Codertocat/Hello-World")
        #expect(event.payload == (try JSONValue(parsing: json)))
        #expect(delivery.body == form)

        // Other fields around it, and a signature over the JSON rather than the form, fail as they should.
        let framed = Array("a=1&".utf8) + form + Array("&b=%20".utf8)
        var framedHeaders = headers
        framedHeaders["x-hub-signature-256"] = WebhookSigner.githubSignature(
            secret: Fixtures.githubSecret,
            body: framed
        )
        #expect(try Fixtures.deliver(.init(headers: framedHeaders, body: framed), to: Fixtures.github) != nil)
        var wrong = headers
        wrong["x-hub-signature-256"] = WebhookSigner.githubSignature(secret: Fixtures.githubSecret, body: json)
        #expect(Fixtures.rejection(.init(headers: wrong, body: form), to: Fixtures.github) == .invalidSignature)
    }

    @Test(
        "a form body without a payload field, or with a broken escape, is invalid_json",
        arguments: ["a=1", "payload=%7", "payload=%zz", ""]
    )
    func githubFormWithoutPayload(form: String) {
        let body = Array(form.utf8)
        let headers = WebhookSigner.github(
            secret: Fixtures.githubSecret,
            body: body,
            event: "push",
            delivery: "d",
            contentType: "application/x-www-form-urlencoded"
        )
        #expect(Fixtures.rejection(.init(headers: headers, body: body), to: Fixtures.github) == .invalidJSON)
    }

    @Test("form bodies are refused by sources other than GitHub")
    func formOnlyForGitHub() throws {
        let body = WebhookSigner.formEncoded(payload: try Corpus.bytes("pagerduty/incident.triggered.json"))
        var headers = WebhookSigner.pagerDuty(secret: Fixtures.pagerDutySecret, body: body)
        headers["content-type"] = "application/x-www-form-urlencoded"
        #expect(
            Fixtures.rejection(.init(headers: headers, body: body), to: Fixtures.pagerDuty) == .unsupportedMediaType
        )
    }

    @Test("GitHub ping is answered as a ping and not stored")
    func ping() throws {
        let body = try Corpus.bytes("github/ping.payload.json")
        let request = Fixtures.signedRequest(.github, body: body, githubEvent: "ping")
        guard case .ping = try Fixtures.github.receive(request, receivedAt: Fixtures.now, newEventID: Fixtures.eventID)
        else {
            Issue.record("expected .ping")
            return
        }
        var unsigned = request
        unsigned.headers["x-hub-signature-256"] = nil
        #expect(Fixtures.rejection(unsigned, to: Fixtures.github) == .missingSignature)
    }

    @Test(
        "bearer: the scheme is case-insensitive and the token must match exactly",
        arguments: [("Bearer", true), ("bearer", true), ("BEARER", true), ("Basic", false), ("Token", false)]
    )
    func bearerSchemes(scheme: String, accepted: Bool) throws {
        let body = try Corpus.bytes("alertmanager/firing.grouped.json")
        let request = WebhookRequest(
            headers: WebhookSigner.bearer(token: Fixtures.alertmanagerToken, scheme: scheme),
            body: body
        )
        #expect(Fixtures.rejection(request, to: Fixtures.alertmanager) == (accepted ? nil : .invalidSignature))
    }

    @Test("incident in bearer mode takes notification_id as the delivery id, or webhook-id when sent")
    func incidentBearer() throws {
        let body = try Corpus.bytes("incident/incident.detected.payments.json")
        var request = WebhookRequest(headers: WebhookSigner.bearer(token: Fixtures.incidentToken), body: body)
        let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.incidentBearer))
        let notificationID = try JSONValue(parsing: body)["notification_id"]?.stringValue
        #expect(event.deliveryID.rawValue == notificationID)
        request.headers["webhook-id"] = "msg_header"
        let (_, withHeader) = try #require(try Fixtures.deliver(request, to: Fixtures.incidentBearer))
        #expect(withHeader.deliveryID.rawValue == "msg_header")
        // Standard Webhooks signatures mean nothing to a bearer receiver.
        let signed = Fixtures.signedRequest(.incident, body: body)
        #expect(Fixtures.rejection(signed, to: Fixtures.incidentBearer) == .missingSignature)
    }

    @Test("incident without webhook-id or notification_id falls back to a hash of the body")
    func incidentContentID() throws {
        let body = Array(#"{"event_type":"incident.detected","incident":{"id":"i-1"}}"#.utf8)
        let request = WebhookRequest(headers: WebhookSigner.bearer(token: Fixtures.incidentToken), body: body)
        let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.incidentBearer))
        #expect(event.deliveryID.rawValue.hasPrefix("sha256:"))
        #expect(event.deliveryID.rawValue.count == 7 + 64)
        #expect(event.subject == "i-1")
        let (_, again) = try #require(try Fixtures.deliver(request, to: Fixtures.incidentBearer))
        #expect(again.deliveryID == event.deliveryID)
    }

    @Test("replay headers keep what matters and never signatures or tokens")
    func replayHeaders() throws {
        var request = Fixtures.signedRequest(.github, body: Self.prBody, githubEvent: "pull_request", id: "g-1")
        request.headers["authorization"] = "Bearer leaked"
        request.headers["cookie"] = "session=1"
        request.headers["traceparent"] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let (delivery, _) = try #require(try Fixtures.deliver(request, to: Fixtures.github))
        #expect(delivery.headers["traceparent"] == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(delivery.headers["x-github-event"] == "pull_request")
        #expect(delivery.headers["x-github-delivery"] == "g-1")
        #expect(delivery.headers["x-github-hook-id"] == "109948940")
        #expect(delivery.headers["content-type"] == "application/json")
        #expect(delivery.headers["user-agent"] != nil)
        #expect(delivery.headers["x-hub-signature-256"] == nil)
        #expect(delivery.headers["authorization"] == nil)
        #expect(delivery.headers["cookie"] == nil)

        let body = try Corpus.bytes("incident/incident.resolved.json")
        let (incident, _) = try #require(
            try Fixtures.deliver(Fixtures.signedRequest(.incident, body: body, id: "m-9"), to: Fixtures.incident)
        )
        #expect(incident.headers["webhook-id"] == "m-9")
        #expect(incident.headers["webhook-timestamp"] == String(Fixtures.nowSeconds))
        #expect(incident.headers["webhook-signature"] == nil)
    }

    static func samplePath(_ source: EventSource) -> String {
        switch source {
        case .github: "github/pull_request.opened.payload.json"
        case .incident: "incident/incident.detected.P0.json"
        case .alertmanager: "alertmanager/firing.grouped.json"
        case .pagerduty: "pagerduty/incident.triggered.json"
        }
    }
}
