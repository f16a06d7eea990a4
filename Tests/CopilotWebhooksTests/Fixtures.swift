import CopilotCore
import CopilotTesting
import CopilotWebhooks
import Foundation

/// Secrets, clocks and receivers shared by the webhook tests.
enum Fixtures {
    static let githubSecret = "gh-secret-0123456789abcdef0123456789abcdef"
    static let githubOldSecret = "gh-secret-previous-fedcba9876543210fedcba98"
    static let pagerDutySecret = "pd-secret-0123456789abcdef0123456789abcdef"
    static let incidentSecret = WebhookSigner.standardWebhooksSecret(
        key: Array("incident-key-0123456789abcdef0123".utf8)
    )
    static let alertmanagerToken = "am-token-0123456789abcdef0123456789abcdef"
    static let incidentToken = "im-token-0123456789abcdef0123456789abcdef"

    /// 2025-11-24T16:00:00Z: the receive time of every delivery unless a test says otherwise.
    static let now = Date(timeIntervalSince1970: 1_764_000_000)
    static let nowSeconds = 1_764_000_000
    static let eventID = EventID(rawValue: "evt_0001")

    static let github = WebhookReceiver(
        configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(githubSecret.utf8)]))
    )
    static let githubRotating = WebhookReceiver(
        configuration: .init(
            source: .github,
            verification: .hmacSHA256(secrets: [Array(githubOldSecret.utf8), Array(githubSecret.utf8)])
        )
    )
    static let pagerDuty = WebhookReceiver(
        configuration: .init(source: .pagerduty, verification: .hmacSHA256(secrets: [Array(pagerDutySecret.utf8)]))
    )
    static let incident = WebhookReceiver(
        configuration: .init(
            source: .incident,
            verification: .standardWebhooks(
                keys: [try! WebhookSourceConfiguration.standardWebhooksKey(incidentSecret)],
                toleranceSeconds: 300
            )
        )
    )
    static let incidentBearer = WebhookReceiver(
        configuration: .init(source: .incident, verification: .bearer(token: incidentToken))
    )
    static let alertmanager = WebhookReceiver(
        configuration: .init(source: .alertmanager, verification: .bearer(token: alertmanagerToken))
    )

    /// A correctly signed request for `body` from `source`.
    static func signedRequest(
        _ source: EventSource,
        body: [UInt8],
        githubEvent: String = "push",
        id: String = "delivery-1"
    ) -> WebhookRequest {
        let headers: [String: String] =
            switch source {
            case .github: WebhookSigner.github(secret: githubSecret, body: body, event: githubEvent, delivery: id)
            case .incident:
                WebhookSigner.standardWebhooks(secret: incidentSecret, id: id, timestamp: nowSeconds, body: body)
            case .alertmanager: WebhookSigner.bearer(token: alertmanagerToken)
            case .pagerduty: WebhookSigner.pagerDuty(secret: pagerDutySecret, body: body)
            }
        return WebhookRequest(headers: headers, body: body)
    }

    static func receiver(_ source: EventSource) -> WebhookReceiver {
        switch source {
        case .github: github
        case .incident: incident
        case .alertmanager: alertmanager
        case .pagerduty: pagerDuty
        }
    }

    /// Receives and expects a stored delivery (not a ping); throws what the receiver throws.
    static func deliver(
        _ request: WebhookRequest,
        to receiver: WebhookReceiver,
        at time: Date = now
    ) throws(WebhookError) -> (Delivery, Event)? {
        guard case .delivery(let delivery) = try receiver.receive(request, receivedAt: time, newEventID: eventID) else {
            return nil
        }
        do {
            return (delivery, try delivery.event())
        } catch {
            throw WebhookError(error)
        }
    }

    /// The error `receive` throws, or nil when it accepts.
    static func rejection(_ request: WebhookRequest, to receiver: WebhookReceiver, at time: Date = now) -> WebhookError?
    {
        do {
            _ = try receiver.receive(request, receivedAt: time, newEventID: eventID)
            return nil
        } catch {
            return error
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
}
