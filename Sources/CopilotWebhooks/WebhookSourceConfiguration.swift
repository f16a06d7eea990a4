public import CopilotCore

/// How one source's deliveries are verified, already resolved from the `sources:` section of the
/// configuration (CONTRACT §1): secrets are bytes or strings here, never `env:`/`file:` references.
///
/// Keys it is built from: `sources.github.secrets`, `sources.pagerduty.secrets`,
/// `sources.incident.{verify, secrets, tolerance_seconds, bearer_token}`, `sources.alertmanager.bearer_token`.
/// A configuration that can never verify (no secrets, an empty token) rejects every delivery with 401.
public struct WebhookSourceConfiguration: Sendable {
    /// The verification scheme and its secrets.
    public enum Verification: Sendable {
        /// HMAC-SHA256 over the raw body. `github` reads `X-Hub-Signature-256: sha256=<hex>`; every other
        /// source reads PagerDuty's `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`. Several secrets are
        /// a rotation: a signature made with any of them is accepted.
        case hmacSHA256(secrets: [[UInt8]])
        /// Standard Webhooks v1 (`webhook-id`, `webhook-timestamp`, `webhook-signature`). `keys` are the
        /// decoded part after `whsec_` (see `standardWebhooksKey(_:)`); several keys are a rotation.
        /// A timestamp more than `toleranceSeconds` before or after the receive time is refused.
        case standardWebhooks(keys: [[UInt8]], toleranceSeconds: Int)
        /// `Authorization: Bearer <token>`, scheme case-insensitive, token compared in constant time.
        case bearer(token: String)
    }

    public var source: EventSource
    public var verification: Verification

    public init(source: EventSource, verification: Verification) {
        self.source = source
        self.verification = verification
    }

    /// The key bytes of a Standard Webhooks secret: the base64 text after `whsec_`.
    ///
    /// The `whsec_` prefix is optional (the reference libraries accept a bare base64 key too); padding
    /// is optional. Throws `WebhookError.invalidSecret` for text that is not base64 or decodes to
    /// nothing, so the configuration loader can report the key's position.
    public static func standardWebhooksKey(_ secret: String) throws(WebhookError) -> [UInt8] {
        var text = Substring(secret.trimmingSpaces())
        if text.hasPrefix("whsec_") { text = text.dropFirst(6) }
        guard let key = Base64.decode(text.utf8), !key.isEmpty else { throw .invalidSecret }
        return key
    }
}
