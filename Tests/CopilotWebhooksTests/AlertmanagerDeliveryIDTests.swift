import CopilotCore
import CopilotTesting
import CopilotWebhooks
import Foundation
import Testing

/// The content-derived Alertmanager delivery id (CONTRACT §2, de-duplication).
@Suite struct AlertmanagerDeliveryIDTests {
    typealias Edit = @Sendable (inout [String: Any]) -> Void

    static func alerts(_ json: [String: Any]) -> [[String: Any]] { json["alerts"] as? [[String: Any]] ?? [] }

    static func deliveryID(_ edit: Edit = { _ in }) throws -> DeliveryID {
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(try Corpus.bytes("alertmanager/firing.grouped.json")))
                as? [String: Any]
        )
        edit(&json)
        let body = Array(try JSONSerialization.data(withJSONObject: json))
        let request = WebhookRequest(headers: WebhookSigner.bearer(token: Fixtures.alertmanagerToken), body: body)
        let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.alertmanager))
        return event.deliveryID
    }

    static func editAlert(_ index: Int, _ key: String, _ value: Any, in json: inout [String: Any]) {
        var list = alerts(json)
        list[index][key] = value
        json["alerts"] = list
    }

    static let unchanged: [(String, Edit)] = [
        ("a new externalURL", { $0["externalURL"] = "http://other-alertmanager:9093" }),
        ("fresh common annotations", { $0["commonAnnotations"] = ["summary": "5xx ratio above 9%"] }),
        ("fresh alert annotations", { json in editAlert(0, "annotations", ["description": "now 9.9%"], in: &json) }),
        (
            "a changed label value",
            { json in editAlert(1, "labels", ["alertname": "HighErrorRate", "instance": "x"], in: &json) }
        ),
        (
            "a changed common label value",
            { $0["commonLabels"] = ["alertname": "HighErrorRate", "service": "renamed"] }
        ),
        ("alerts in another order", { json in json["alerts"] = Array(alerts(json).reversed()) }),
        ("a new generatorURL", { json in editAlert(0, "generatorURL", "http://prometheus-2/graph", in: &json) }),
        ("another receiver name", { $0["receiver"] = "other" }),
        ("a different truncatedAlerts count", { $0["truncatedAlerts"] = 3 }),
    ]

    static let changed: [(String, Edit)] = [
        ("status resolved", { $0["status"] = "resolved" }),
        ("an alert's endsAt", { json in editAlert(0, "endsAt", "2026-11-24T10:30:00Z", in: &json) }),
        ("an alert's startsAt", { json in editAlert(1, "startsAt", "2026-11-24T10:00:00Z", in: &json) }),
        ("an alert's fingerprint", { json in editAlert(0, "fingerprint", "ffffffffffffffff", in: &json) }),
        ("another groupKey", { $0["groupKey"] = "{}:{alertname=\"Other\"}" }),
        ("an alert fewer", { json in json["alerts"] = Array(alerts(json).prefix(1)) }),
        (
            "an alert more",
            { json in json["alerts"] = alerts(json) + [["fingerprint": "aaaa", "startsAt": "x", "endsAt": "y"]] }
        ),
    ]

    @Test("the id is stable when only annotations, label values, URLs or order change", arguments: unchanged.map(\.0))
    func stable(name: String) throws {
        let edit = try #require(Self.unchanged.first { $0.0 == name }?.1)
        #expect(try Self.deliveryID(edit) == Self.deliveryID())
    }

    @Test(
        "the id changes when the group, status or an alert's fingerprint or times change",
        arguments: changed.map(\.0)
    )
    func changes(name: String) throws {
        let edit = try #require(Self.changed.first { $0.0 == name }?.1)
        #expect(try Self.deliveryID(edit) != Self.deliveryID())
    }

    @Test("the id is the SHA-256 of the length-prefixed fields, in hex")
    func knownAnswer() throws {
        let body = Array(
            #"{"groupKey":"g","status":"firing","alerts":[{"fingerprint":"b","startsAt":"s2","endsAt":"e2"},{"fingerprint":"a","startsAt":"s1","endsAt":"e1"}]}"#
                .utf8
        )
        let request = WebhookRequest(headers: WebhookSigner.bearer(token: Fixtures.alertmanagerToken), body: body)
        let (_, event) = try #require(try Fixtures.deliver(request, to: Fixtures.alertmanager))
        // sha256 of u64be(1)"g" u64be(6)"firing" u64be(1)"a" u64be(2)"s1" u64be(2)"e1" u64be(1)"b" u64be(2)"s2" u64be(2)"e2"
        #expect(event.deliveryID.rawValue == Self.expectedKnownAnswer)
        #expect(event.subject == "g")
    }

    /// Computed independently with Python's hashlib over the encoding the doc comment describes.
    static let expectedKnownAnswer = "74f1653ba3257a4fd1629687b77cd2da2695d63a533d5e924b50074407f1d945"

    @Test("boundaries between fields cannot be shifted to forge the same id")
    func unambiguous() throws {
        func id(_ fingerprint: String, _ startsAt: String, _ endsAt: String) throws -> DeliveryID {
            let json: [String: Any] = [
                "groupKey": "g", "status": "firing",
                "alerts": [["fingerprint": fingerprint, "startsAt": startsAt, "endsAt": endsAt]],
            ]
            let body = Array(try JSONSerialization.data(withJSONObject: json))
            let request = WebhookRequest(headers: WebhookSigner.bearer(token: Fixtures.alertmanagerToken), body: body)
            return try #require(try Fixtures.deliver(request, to: Fixtures.alertmanager)).1.deliveryID
        }
        #expect(try id("ab", "c", "") != id("a", "bc", ""))
        #expect(try id("a", "b", "c") != id("a", "", "bc"))
        #expect(try id("a", "b", "c") == id("a", "b", "c"))
    }
}
