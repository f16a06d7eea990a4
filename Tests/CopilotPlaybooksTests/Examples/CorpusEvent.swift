import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation

/// Corpus payloads turned into events the way ingress normalizes them (CONTRACT §2), for tests.
enum CorpusEvent {
    static func load(_ relativePath: String, source: EventSource, type: String? = nil) throws -> Event {
        try make(JSONValue(parsing: Corpus.bytes(relativePath)), source: source, type: type)
    }

    static func make(_ payload: JSONValue, source: EventSource, type: String? = nil) -> Event {
        let derivedType: String
        let subject: String
        switch source {
        case .github:
            let name = type ?? ""
            derivedType = payload["action"]?.stringValue.map { "\(name).\($0)" } ?? name
            subject =
                payload[path: ["repository", "full_name"]]?.stringValue
                ?? payload[path: ["organization", "login"]]?.stringValue ?? ""
        case .incident:
            derivedType = payload["event_type"]?.stringValue ?? ""
            subject =
                payload[path: ["incident", "affected_resources"]]?.arrayValue?.first?.stringValue
                ?? payload[path: ["incident", "id"]]?.stringValue ?? ""
        case .alertmanager:
            derivedType = "alert." + (payload["status"]?.stringValue ?? "")
            subject =
                ["service", "job", "alertname"].lazy
                .compactMap { payload[path: ["commonLabels", $0]]?.stringValue }.first
                ?? payload["groupKey"]?.stringValue ?? ""
        case .pagerduty:
            derivedType = payload[path: ["event", "event_type"]]?.stringValue ?? ""
            subject =
                payload[path: ["event", "data", "service", "summary"]]?.stringValue
                ?? payload[path: ["event", "data", "service", "id"]]?.stringValue
                ?? payload[path: ["event", "data", "id"]]?.stringValue ?? ""
        }
        return Event(
            id: EventID(rawValue: "evt-test"),
            source: source,
            type: derivedType,
            receivedAt: Date(timeIntervalSince1970: 1_795_000_000),
            deliveryID: DeliveryID(rawValue: "dlv-test"),
            subject: subject,
            payload: payload
        )
    }
}
