public import CopilotCore
import CopilotExpressions

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One source's receiver: verifies a raw delivery and normalizes it into a `Delivery`.
///
/// A pure function of (headers, body, receive time): no I/O, no clock, no randomness. Checks run in the
/// order of CONTRACT §2 and the first that fails answers:
/// 1. content type (415 `unsupported_media_type`; missing is 415 too);
/// 2. the headers verification needs and the signature or token (401 `missing_signature`,
///    `invalid_signature`, `stale_timestamp`) — over the raw bytes, before anything is parsed;
/// 3. JSON (400 `invalid_json`): the body, or GitHub's form `payload` field, checked whole but read only
///    for the fields normalization needs (`Normalized.fields(of:)`);
/// 4. the fields the source requires (400 `invalid_payload`), a body that is not an object included.
///
/// Body size (413), de-duplication and the commit are the server's, around this.
public struct WebhookReceiver: Sendable {
    public let source: EventSource
    private let verifier: SignatureVerifier

    public init(configuration: WebhookSourceConfiguration) {
        self.source = configuration.source
        self.verifier = SignatureVerifier(configuration)
    }

    /// Verifies and normalizes one delivery. `newEventID` becomes `Delivery.eventID` (the inbox keeps
    /// the original's id for a duplicate).
    public func receive(
        _ request: WebhookRequest,
        receivedAt: Date,
        newEventID: EventID
    ) throws(WebhookError) -> WebhookReception {
        let mediaType: MediaType
        do {
            mediaType = try MediaType(contentType: request.headers["content-type"], allowsForm: source == .github)
        } catch {
            throw WebhookError(error)
        }
        try verifier.verify(request, receivedAt: receivedAt)

        let payload: JSONValue
        do {
            payload = try mediaType.payload(of: request.body, keeping: Normalized.fields(of: source))
        } catch {
            throw WebhookError(error)
        }
        guard case .object = payload else { throw .invalidPayload }

        let normalized: Normalized
        switch source {
        case .github:
            guard let githubEvent = request.header("x-github-event") else { throw .invalidPayload }
            if githubEvent == "ping" {
                guard request.header("x-github-delivery") != nil else { throw .invalidPayload }
                return .ping
            }
            normalized = try Normalized.github(payload, request: request, event: String(githubEvent))
        case .incident: normalized = try Normalized.incident(payload, request: request)
        case .alertmanager: normalized = try Normalized.alertmanager(payload)
        case .pagerduty: normalized = try Normalized.pagerDuty(payload)
        }

        let delivery = Delivery(
            eventID: newEventID,
            source: source,
            deliveryID: normalized.deliveryID,
            type: normalized.type,
            subject: normalized.subject,
            receivedAt: receivedAt,
            headers: Self.replayHeaders(of: request),
            body: request.body
        )
        return .delivery(delivery)
    }

    /// The headers kept with a delivery for replay and audit: an allow-list, so signatures,
    /// `Authorization` and anything unknown are never stored.
    public static let replayHeaderNames: [String] = [
        "content-type", "user-agent",
        "x-github-event", "x-github-delivery", "x-github-hook-id",
        "x-github-hook-installation-target-id", "x-github-hook-installation-target-type",
        "webhook-id", "webhook-timestamp",
        "x-webhook-id", "x-webhook-subscription",
        // W3C trace context: a sender that traces its deliveries gets the runs in its trace.
        "traceparent",
    ]

    static func replayHeaders(of request: WebhookRequest) -> [String: String] {
        var kept: [String: String] = [:]
        kept.reserveCapacity(4)
        for name in replayHeaderNames {
            if let value = request.headers[name] { kept[name] = value }
        }
        return kept
    }
}
