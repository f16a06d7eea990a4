import CopilotCore
import CopilotExpressions
import Crypto

/// The fields a source contributes to the normalized event (CONTRACT §2, "Normalized event" and the
/// table of required fields and subjects). Each builder throws `invalidPayload` for a missing required
/// field; a field of the wrong JSON type counts as missing.
struct Normalized: Sendable {
    var type: String
    var subject: String
    var deliveryID: DeliveryID

    /// The payload fields the builders below read for `source`: ingress reads only these.
    static func fields(of source: EventSource) -> JSONProjection {
        switch source {
        case .github: githubFields
        case .incident: incidentFields
        case .alertmanager: alertmanagerFields
        case .pagerduty: pagerDutyFields
        }
    }

    private static let githubFields = JSONProjection(paths: [
        ["action"], ["repository", "full_name"], ["organization", "login"],
    ])
    private static let incidentFields = JSONProjection(paths: [
        ["event_type"], ["incident", "id"], ["incident", "affected_resources"], ["notification_id"],
    ])
    private static let alertmanagerFields = JSONProjection(paths: [
        ["groupKey"], ["status"], ["alerts", "fingerprint"], ["alerts", "startsAt"], ["alerts", "endsAt"],
        ["commonLabels", "service"], ["commonLabels", "job"], ["commonLabels", "alertname"],
    ])
    private static let pagerDutyFields = JSONProjection(paths: [
        ["event", "id"], ["event", "event_type"], ["event", "data", "service", "summary"],
        ["event", "data", "service", "id"], ["event", "data", "id"],
    ])

    /// GitHub: type `<X-GitHub-Event>.<action>` (just the event name when `action` is not a non-empty
    /// string); subject `repository.full_name`, else `organization.login`, else `""`; delivery id
    /// `X-GitHub-Delivery`.
    static func github(_ payload: JSONValue, request: WebhookRequest, event: String) throws(WebhookError) -> Self {
        guard let delivery = request.header("x-github-delivery") else { throw .invalidPayload }
        let type = nonEmptyString(payload["action"]).map { "\(event).\($0)" } ?? event
        let subject =
            nonEmptyString(payload[path: ["repository", "full_name"]])
            ?? nonEmptyString(payload[path: ["organization", "login"]]) ?? ""
        return Self(type: type, subject: subject, deliveryID: DeliveryID(rawValue: String(delivery)))
    }

    /// Incident-Manager: requires `event_type` and `incident.id` (a string, or a number rendered as JSON
    /// does); subject the first of `incident.affected_resources`, else `incident.id`. Delivery id:
    /// `webhook-id`, else `notification_id`, else — a sender in bearer mode that sends neither — the
    /// SHA-256 of the raw body as `sha256:<hex>`, so at least a byte-identical retry is a duplicate.
    static func incident(_ payload: JSONValue, request: WebhookRequest) throws(WebhookError) -> Self {
        guard let type = nonEmptyString(payload["event_type"]) else { throw .invalidPayload }
        let incidentID: String
        switch payload[path: ["incident", "id"]] {
        case .string(let text) where !text.isEmpty: incidentID = text
        case .number(let number): incidentID = JSONValue.format(number: number)
        default: throw .invalidPayload
        }
        let subject =
            nonEmptyString(payload[path: ["incident", "affected_resources"]]?.arrayValue?.first) ?? incidentID
        let deliveryID: String
        if let webhookID = request.header("webhook-id") {
            deliveryID = String(webhookID)
        } else if let notificationID = nonEmptyString(payload["notification_id"]) {
            deliveryID = notificationID
        } else {
            deliveryID = "sha256:" + Hex.encode(SHA256.hash(data: request.body), count: SHA256.byteCount)
        }
        return Self(type: type, subject: subject, deliveryID: DeliveryID(rawValue: deliveryID))
    }

    /// Alertmanager (payload version 4): requires `groupKey` (a string), `status` (`firing` or
    /// `resolved`, the only two it sends) and `alerts` (a list); type `alert.<status>`; subject
    /// `commonLabels.service`, else `.job`, else `.alertname`, else `groupKey`; delivery id from content
    /// (`AlertmanagerDeliveryID`).
    static func alertmanager(_ payload: JSONValue) throws(WebhookError) -> Self {
        guard let groupKey = payload["groupKey"]?.stringValue, let status = payload["status"]?.stringValue,
            status == "firing" || status == "resolved", let alerts = payload["alerts"]?.arrayValue
        else { throw .invalidPayload }
        let labels = payload["commonLabels"]
        let subject =
            nonEmptyString(labels?["service"]) ?? nonEmptyString(labels?["job"])
            ?? nonEmptyString(labels?["alertname"]) ?? groupKey
        let deliveryID = AlertmanagerDeliveryID.make(groupKey: groupKey, status: status, alerts: alerts)
        return Self(type: "alert.\(status)", subject: subject, deliveryID: deliveryID)
    }

    /// PagerDuty Webhooks v3: requires `event.id` and `event.event_type`; type `event.event_type`;
    /// subject `event.data.service.summary`, else `event.data.service.id`, else `event.data.id`, else `""`.
    static func pagerDuty(_ payload: JSONValue) throws(WebhookError) -> Self {
        guard let event = payload["event"], let id = nonEmptyString(event["id"]),
            let type = nonEmptyString(event["event_type"])
        else { throw .invalidPayload }
        let subject =
            nonEmptyString(event[path: ["data", "service", "summary"]])
            ?? nonEmptyString(event[path: ["data", "service", "id"]])
            ?? nonEmptyString(event[path: ["data", "id"]]) ?? ""
        return Self(type: type, subject: subject, deliveryID: DeliveryID(rawValue: id))
    }

    private static func nonEmptyString(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }
}

/// Alertmanager's content-derived delivery id (CONTRACT §2): lower-case hex SHA-256 over `groupKey`,
/// `status`, and each alert's `fingerprint`, `startsAt`, `endsAt`, alerts sorted by fingerprint (then
/// by the times, so the order of alerts in the body never matters).
///
/// Encoding: every field is its UTF-8 byte count as a big-endian UInt64 followed by its bytes, so no
/// two different field lists hash the same input. A field missing or not a string counts as `""`.
/// Annotations, label values, `externalURL` and `truncatedAlerts` are not part of the id: a
/// re-notification of an unchanged group is a duplicate even when Prometheus refreshed annotations.
enum AlertmanagerDeliveryID {
    static func make(groupKey: String, status: String, alerts: [JSONValue]) -> DeliveryID {
        var keys = alerts.map { alert in
            (
                alert["fingerprint"]?.stringValue ?? "",
                alert["startsAt"]?.stringValue ?? "",
                alert["endsAt"]?.stringValue ?? ""
            )
        }
        keys.sort { $0 < $1 }
        var hasher = SHA256()
        append(groupKey, to: &hasher)
        append(status, to: &hasher)
        for (fingerprint, startsAt, endsAt) in keys {
            append(fingerprint, to: &hasher)
            append(startsAt, to: &hasher)
            append(endsAt, to: &hasher)
        }
        return DeliveryID(rawValue: Hex.encode(hasher.finalize(), count: SHA256.byteCount))
    }

    private static func append(_ field: String, to hasher: inout SHA256) {
        var field = field
        withUnsafeBytes(of: UInt64(field.utf8.count).bigEndian) { hasher.update(bufferPointer: $0) }
        field.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
    }
}
