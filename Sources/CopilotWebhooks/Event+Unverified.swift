public import CopilotCore
public import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension Event {
    /// The event a sender's body would become, without any signature: for the authoring tools
    /// (`playbook test`, `POST /api/v1/playbooks/test`) only, never for ingress.
    ///
    /// `type` is needed where the body does not name it: GitHub's event name travels in a header.
    /// Decision: for GitHub, a type without a dot (`pull_request`) gets the payload's `action` appended,
    /// as ingress would do; a full type (`pull_request.opened`) is used as given. For the other sources
    /// a given type replaces the one the body names.
    public static func unverified(
        source: EventSource,
        payload: JSONValue,
        type: String?,
        receivedAt: Date = Date(),
        id: EventID = EventID(rawValue: "dry-run")
    ) throws(WebhookError) -> Event {
        guard case .object = payload else { throw .invalidPayload }
        let request = WebhookRequest(headers: ["x-github-delivery": "dry-run", "webhook-id": "dry-run"], body: [])
        var normalized: Normalized
        switch source {
        case .github:
            guard let type, let eventName = type.split(separator: ".").first else { throw .invalidPayload }
            normalized = try Normalized.github(payload, request: request, event: String(eventName))
            if type.contains(".") { normalized.type = type }
        case .incident: normalized = try Normalized.incident(payload, request: request)
        case .alertmanager: normalized = try Normalized.alertmanager(payload)
        case .pagerduty: normalized = try Normalized.pagerDuty(payload)
        }
        if source != .github, let type { normalized.type = type }
        return Event(
            id: id,
            source: source,
            type: normalized.type,
            receivedAt: receivedAt,
            deliveryID: normalized.deliveryID,
            subject: normalized.subject,
            payload: payload
        )
    }
}
