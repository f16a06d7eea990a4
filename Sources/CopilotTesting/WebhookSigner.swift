import Crypto
import Foundation

/// Correctly signed header sets for each webhook source, as the real senders write them.
///
/// Header names are lower-case (as `WebhookRequest` expects; HTTP is case-insensitive anyway) and every
/// set carries `content-type: application/json` unless told otherwise. Used by the webhook, server and
/// live tests and by the benchmarks; nothing here is random, so tests stay repeatable.
public enum WebhookSigner {
    /// GitHub: `x-hub-signature-256`, `x-github-event`, `x-github-delivery`, `x-github-hook-id`,
    /// `user-agent`. Pass `contentType: "application/x-www-form-urlencoded"` with a body from
    /// `formEncoded(payload:)` for a form delivery.
    public static func github(
        secret: String,
        body: [UInt8],
        event: String,
        delivery: String,
        contentType: String = "application/json"
    ) -> [String: String] {
        [
            "content-type": contentType,
            "user-agent": "GitHub-Hookshot/044aadd",
            "x-github-event": event,
            "x-github-delivery": delivery,
            "x-github-hook-id": "109948940",
            "x-hub-signature-256": githubSignature(secret: secret, body: body),
        ]
    }

    /// The value of `X-Hub-Signature-256`: `sha256=<hex HMAC-SHA256(secret, body)>`.
    public static func githubSignature(secret: String, body: [UInt8]) -> String {
        "sha256=" + hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// Standard Webhooks (Incident-Manager): `webhook-id`, `webhook-timestamp`, `webhook-signature`
    /// (`v1,<base64>` per secret, space-separated, as a sender rotating keys sends them).
    /// Secrets are `whsec_<base64>`.
    public static func standardWebhooks(
        secret: String,
        id: String,
        timestamp: Int,
        body: [UInt8]
    ) -> [String: String] {
        standardWebhooks(secrets: [secret], id: id, timestamp: timestamp, body: body)
    }

    /// Standard Webhooks signed with each of `secrets`.
    public static func standardWebhooks(
        secrets: [String],
        id: String,
        timestamp: Int,
        body: [UInt8]
    ) -> [String: String] {
        [
            "content-type": "application/json",
            "webhook-id": id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": secrets.map {
                standardWebhooksSignature(secret: $0, id: id, timestamp: String(timestamp), body: body)
            }.joined(separator: " "),
        ]
    }

    /// One `v1,<base64 HMAC-SHA256(key, id.timestamp.body)>` entry; `key` is the base64 after `whsec_`.
    public static func standardWebhooksSignature(secret: String, id: String, timestamp: String, body: [UInt8]) -> String
    {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: standardWebhooksKey(secret)))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The key bytes of a `whsec_` secret (empty for text that is not base64).
    public static func standardWebhooksKey(_ secret: String) -> [UInt8] {
        let base64 = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        return Array(Data(base64Encoded: base64) ?? Data())
    }

    /// A `whsec_` secret for the given key bytes.
    public static func standardWebhooksSecret(key: [UInt8]) -> String {
        "whsec_" + Data(key).base64EncodedString()
    }

    /// PagerDuty Webhooks v3: `x-pagerduty-signature: v1=<hex>`, plus `x-webhook-id` and
    /// `x-webhook-subscription` as PagerDuty sends them.
    public static func pagerDuty(secret: String, body: [UInt8]) -> [String: String] {
        pagerDuty(secrets: [secret], body: body)
    }

    /// PagerDuty signed with each of `secrets`: `v1=<hex>,v1=<hex>` (what it sends while a secret rotates).
    public static func pagerDuty(secrets: [String], body: [UInt8]) -> [String: String] {
        [
            "content-type": "application/json; charset=utf-8",
            "user-agent": "PagerDuty-Webhook/V3.0",
            "x-webhook-id": "a6fe4a47-1d6e-4b2b-9d3e-2f0b3c7a1e11",
            "x-webhook-subscription": "PSUB001",
            "x-pagerduty-signature": secrets.map { pagerDutySignature(secret: $0, body: body) }
                .joined(separator: ","),
        ]
    }

    /// One `v1=<hex HMAC-SHA256(secret, body)>` entry.
    public static func pagerDutySignature(secret: String, body: [UInt8]) -> String {
        "v1=" + hex(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// A bearer-token source (Alertmanager, or Incident-Manager in `verify: bearer`).
    public static func bearer(token: String, scheme: String = "Bearer") -> [String: String] {
        [
            "content-type": "application/json",
            "user-agent": "Alertmanager/0.28.1",
            "authorization": "\(scheme) \(token)",
        ]
    }

    /// A GitHub form body: `payload=<JSON percent-encoded>`, spaces as `+`.
    public static func formEncoded(payload json: [UInt8]) -> [UInt8] {
        var body = Array("payload=".utf8)
        for byte in json {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "*"):
                body.append(byte)
            case UInt8(ascii: " "):
                body.append(UInt8(ascii: "+"))
            default:
                body.append(UInt8(ascii: "%"))
                body.append(hexDigits[Int(byte >> 4)])
                body.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return body
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let lower: [UInt8] = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(lower[Int(byte >> 4)])
            text.append(lower[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
