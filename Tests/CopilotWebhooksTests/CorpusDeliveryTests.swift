import CopilotCore
import CopilotExpressions
import CopilotTesting
import CopilotWebhooks
import Foundation
import Testing

/// Every corpus payload, correctly signed, is accepted and normalized by CONTRACT §2's table.
@Suite struct CorpusDeliveryTests {
    static let githubFiles = (try? Corpus.files(in: "github").map(\.lastPathComponent)) ?? []
    static let incidentFiles = (try? Corpus.files(in: "incident").map(\.lastPathComponent)) ?? []
    static let alertmanagerFiles = (try? Corpus.files(in: "alertmanager").map(\.lastPathComponent)) ?? []
    static let pagerDutyFiles = (try? Corpus.files(in: "pagerduty").map(\.lastPathComponent)) ?? []

    @Test("the corpus holds the expected number of payloads per source")
    func corpusIsThere() {
        #expect(Self.githubFiles.count == 22)
        #expect(Self.incidentFiles.count == 3)
        #expect(Self.alertmanagerFiles.count == 3)
        #expect(Self.pagerDutyFiles.count == 4)
    }

    @Test("every signed GitHub payload normalizes by the table", arguments: githubFiles)
    func github(file: String) throws {
        let body = try Corpus.bytes("github/\(file)")
        let json = try Self.object(body)
        let event = String(file.prefix { $0 != "." })
        let request = Fixtures.signedRequest(.github, body: body, githubEvent: event, id: "guid-\(file)")
        let reception = try Fixtures.github.receive(request, receivedAt: Fixtures.now, newEventID: Fixtures.eventID)
        if event == "ping" {
            guard case .ping = reception else {
                Issue.record("ping must be answered as .ping")
                return
            }
            return
        }
        guard case .delivery(let delivery) = reception else {
            Issue.record("expected a delivery")
            return
        }
        let normalized = try delivery.event()
        let action = (json["action"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let expectedType = action.map { "\(event).\($0)" } ?? event
        let expectedSubject =
            ((json["repository"] as? [String: Any])?["full_name"] as? String)
            ?? ((json["organization"] as? [String: Any])?["login"] as? String) ?? ""
        #expect(normalized.source == .github)
        #expect(normalized.type == expectedType)
        #expect(normalized.subject == expectedSubject)
        #expect(normalized.deliveryID.rawValue == "guid-\(file)")
        Self.expectConsistent(delivery, normalized, body: body)
    }

    @Test("every signed Incident-Manager payload normalizes by the table", arguments: incidentFiles)
    func incident(file: String) throws {
        let body = try Corpus.bytes("incident/\(file)")
        let json = try Self.object(body)
        let incident = try #require(json["incident"] as? [String: Any])
        let incidentID = try #require(incident["id"] as? String)
        let expectedSubject = (incident["affected_resources"] as? [String])?.first ?? incidentID
        let request = Fixtures.signedRequest(.incident, body: body, id: "msg_\(file)")
        let (delivery, event) = try #require(try Fixtures.deliver(request, to: Fixtures.incident))
        #expect(event.source == .incident)
        #expect(event.type == json["event_type"] as? String)
        #expect(event.subject == expectedSubject)
        #expect(event.deliveryID.rawValue == "msg_\(file)")
        Self.expectConsistent(delivery, event, body: body)
    }

    @Test("every Alertmanager payload with the bearer token normalizes by the table", arguments: alertmanagerFiles)
    func alertmanager(file: String) throws {
        let body = try Corpus.bytes("alertmanager/\(file)")
        let json = try Self.object(body)
        let labels = json["commonLabels"] as? [String: String] ?? [:]
        let expectedSubject =
            labels["service"] ?? labels["job"] ?? labels["alertname"] ?? (json["groupKey"] as? String ?? "")
        let (delivery, event) = try #require(
            try Fixtures.deliver(Fixtures.signedRequest(.alertmanager, body: body), to: Fixtures.alertmanager)
        )
        #expect(event.source == .alertmanager)
        #expect(event.type == "alert.\(json["status"] as? String ?? "?")")
        #expect(event.subject == expectedSubject)
        #expect(event.deliveryID.rawValue.count == 64)
        #expect(event.deliveryID.rawValue.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        Self.expectConsistent(delivery, event, body: body)
    }

    @Test("every signed PagerDuty payload normalizes by the table", arguments: pagerDutyFiles)
    func pagerDuty(file: String) throws {
        let body = try Corpus.bytes("pagerduty/\(file)")
        let json = try Self.object(body)
        let pdEvent = try #require(json["event"] as? [String: Any])
        let data = pdEvent["data"] as? [String: Any] ?? [:]
        let service = data["service"] as? [String: Any] ?? [:]
        let expectedSubject =
            (service["summary"] as? String) ?? (service["id"] as? String) ?? (data["id"] as? String) ?? ""
        let (delivery, event) = try #require(
            try Fixtures.deliver(Fixtures.signedRequest(.pagerduty, body: body), to: Fixtures.pagerDuty)
        )
        #expect(event.source == .pagerduty)
        #expect(event.type == pdEvent["event_type"] as? String)
        #expect(event.subject == expectedSubject)
        #expect(event.deliveryID.rawValue == pdEvent["id"] as? String)
        Self.expectConsistent(delivery, event, body: body)
    }

    @Test("concrete corpus deliveries get the documented type, subject and id")
    func concreteValues() throws {
        let cases: [(EventSource, String, String, String, String, String?)] = [
            (
                .github, "github/pull_request.opened.payload.json", "pull_request", "pull_request.opened",
                "Codertocat/Hello-World", nil
            ),
            (.github, "github/push.payload.json", "push", "push", "Codertocat/Hello-World", nil),
            (
                .github, "github/workflow_run.completed.payload.json", "workflow_run", "workflow_run.completed",
                "octo-org/octo-repo", nil
            ),
            (.incident, "incident/incident.detected.P0.json", "", "incident.detected", "api-gateway", nil),
            (.incident, "incident/incident.resolved.json", "", "incident.resolved", "payments-api", nil),
            (.alertmanager, "alertmanager/firing.grouped.json", "", "alert.firing", "payments-api", nil),
            (.alertmanager, "alertmanager/resolved.single.json", "", "alert.resolved", "DiskWillFillIn4Hours", nil),
            (
                .pagerduty, "pagerduty/incident.triggered.json", "", "incident.triggered", "payments-api",
                "01DEN6EXAMPLE0TRIGGERED00001"
            ),
            (
                .pagerduty, "pagerduty/service.updated.unknown-to-playbooks.json", "", "service.updated", "PSVC001",
                "01DEN6EXAMPLE0SERVICEUPD0001"
            ),
        ]
        for (source, path, githubEvent, type, subject, deliveryID) in cases {
            let body = try Corpus.bytes(path)
            let request = Fixtures.signedRequest(source, body: body, githubEvent: githubEvent)
            let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.receiver(source)))
            #expect(event.type == type, "\(path)")
            #expect(event.subject == subject, "\(path)")
            if let deliveryID { #expect(event.deliveryID.rawValue == deliveryID, "\(path)") }
        }
    }

    @Test("the payload is the parsed body, unchanged")
    func payloadIsBody() throws {
        let body = try Corpus.bytes("github/pull_request.opened.payload.json")
        let request = Fixtures.signedRequest(.github, body: body, githubEvent: "pull_request")
        let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.github))
        #expect(event.payload == (try JSONValue(parsing: body)))
        #expect(event.payload[path: ["pull_request", "number"]] == 2)
    }

    private static func object(_ body: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    private static func expectConsistent(_ delivery: Delivery, _ event: Event, body: [UInt8]) {
        #expect(delivery.eventID == Fixtures.eventID)
        #expect(event.id == Fixtures.eventID)
        #expect(delivery.source == event.source)
        #expect(delivery.type == event.type)
        #expect(delivery.subject == event.subject)
        #expect(delivery.deliveryID == event.deliveryID)
        #expect(delivery.receivedAt == Fixtures.now)
        #expect(event.receivedAt == Fixtures.now)
        #expect(delivery.body == body)
        for name in ["authorization", "x-hub-signature-256", "x-pagerduty-signature", "webhook-signature"] {
            #expect(delivery.headers[name] == nil, "\(name) must never be kept")
        }
        #expect(delivery.headers["content-type"] != nil)
    }
}

@Suite struct StoredDeliveryTests {
    @Test("a stored delivery, JSON or form-encoded, rebuilds the same event with the whole payload")
    func rebuildsEvent() throws {
        let secret = "stored-delivery-secret-0123456789abcdef"
        let receiver = WebhookReceiver(
            configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(secret.utf8)]))
        )
        let payload = try Corpus.bytes("github/pull_request.opened.payload.json")
        var events: [Event] = []
        for (body, contentType) in [
            (payload, "application/json"),
            (WebhookSigner.formEncoded(payload: payload), "application/x-www-form-urlencoded"),
        ] {
            let headers = WebhookSigner.github(
                secret: secret,
                body: body,
                event: "pull_request",
                delivery: "d-1",
                contentType: contentType
            )
            guard
                case .delivery(let delivery) = try receiver.receive(
                    WebhookRequest(headers: headers, body: body),
                    receivedAt: Date(timeIntervalSince1970: 1),
                    newEventID: EventID(rawValue: "e-1")
                )
            else {
                Issue.record("not a delivery")
                continue
            }
            events.append(try delivery.event())
        }
        let whole = try JSONValue(parsing: payload)
        #expect(events.count == 2)
        #expect(events.allSatisfy { $0.payload == whole && $0.type == "pull_request.opened" })
        #expect(events.first == events.last)
    }
}
