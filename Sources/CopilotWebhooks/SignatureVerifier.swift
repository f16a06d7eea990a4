import CopilotCore
import CopilotExpressions
import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One source's verification, with its keys prepared once (CONTRACT §2, "Signatures are compared in
/// constant time, over the raw bytes received").
///
/// Every comparison goes through swift-crypto: `HMAC.isValidAuthenticationCode`, or the constant-time
/// `==` of a computed `HashedAuthenticationCode`/`SHA256Digest` against received bytes. When several
/// keys or signatures are sent, each computed MAC is compared with each received one; the loop may stop
/// at the first match, which tells a sender only that one of its own valid signatures matched.
enum SignatureVerifier: Sendable {
    case github(keys: [SymmetricKey])
    case pagerDuty(keys: [SymmetricKey])
    case standardWebhooks(keys: [SymmetricKey], toleranceSeconds: Int)
    /// The SHA-256 of the expected token, so the comparison has a fixed length and leaks nothing of it;
    /// nil when the configured token is empty, which then accepts nothing.
    case bearer(tokenDigest: SHA256Digest?)

    init(_ configuration: WebhookSourceConfiguration) {
        switch configuration.verification {
        case .hmacSHA256(let secrets):
            let keys = secrets.map { SymmetricKey(data: $0) }
            self = configuration.source == .github ? .github(keys: keys) : .pagerDuty(keys: keys)
        case .standardWebhooks(let keys, let toleranceSeconds):
            self = .standardWebhooks(
                keys: keys.map { SymmetricKey(data: $0) },
                toleranceSeconds: max(0, toleranceSeconds)
            )
        case .bearer(let token):
            let trimmed = token.trimmingSpaces()
            self = .bearer(tokenDigest: trimmed.isEmpty ? nil : SHA256.hash(data: Array(trimmed.utf8)))
        }
    }

    /// Checks the headers verification needs and the signature or token; throws `missingSignature`,
    /// `invalidSignature` or `staleTimestamp`. Reads nothing of the body but its bytes.
    func verify(_ request: WebhookRequest, receivedAt: Date) throws(WebhookError) {
        switch self {
        case .github(let keys):
            try Self.verifyGitHub(request, keys: keys)
        case .pagerDuty(let keys):
            try Self.verifyPagerDuty(request, keys: keys)
        case .standardWebhooks(let keys, let toleranceSeconds):
            try Self.verifyStandardWebhooks(request, keys: keys, toleranceSeconds: toleranceSeconds, now: receivedAt)
        case .bearer(let tokenDigest):
            try Self.verifyBearer(request, tokenDigest: tokenDigest)
        }
    }

    /// `X-Hub-Signature-256: sha256=<64 hex digits>`; the `sha256=` prefix is required as GitHub writes it.
    private static func verifyGitHub(_ request: WebhookRequest, keys: [SymmetricKey]) throws(WebhookError) {
        guard let header = request.header("x-hub-signature-256") else { throw .missingSignature }
        guard header.hasPrefix("sha256="), let mac = Hex.decode(header.utf8.dropFirst(7)),
            mac.count == SHA256.byteCount
        else { throw .invalidSignature }
        for key in keys where HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: request.body, using: key) {
            return
        }
        throw .invalidSignature
    }

    /// `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>…]`; entries of other versions are ignored, and a
    /// malformed v1 entry simply matches nothing.
    private static func verifyPagerDuty(_ request: WebhookRequest, keys: [SymmetricKey]) throws(WebhookError) {
        guard let header = request.header("x-pagerduty-signature") else { throw .missingSignature }
        var macs: [[UInt8]] = []
        for entry in header.utf8.split(separator: UInt8(ascii: ",")) {
            let entry = entry.trimmingSpaces()
            guard entry.starts(with: "v1=".utf8), let mac = Hex.decode(entry.dropFirst(3)),
                mac.count == SHA256.byteCount
            else { continue }
            macs.append(mac)
        }
        guard !macs.isEmpty else { throw .invalidSignature }
        for key in keys {
            let computed = HMAC<SHA256>.authenticationCode(for: request.body, using: key)
            for mac in macs where computed == mac { return }
        }
        throw .invalidSignature
    }

    /// Standard Webhooks v1: `webhook-id`, `webhook-timestamp`, `webhook-signature` (a space-separated
    /// list of `v1,<base64>`; other versions ignored). The timestamp is checked before the signature, as
    /// the reference libraries do: a timestamp that is not a plain integer of seconds is
    /// `invalidSignature` (it is not something a valid signer produces); one outside the tolerance,
    /// past or future, is `staleTimestamp`. The signed content is `id.timestamp.body`.
    private static func verifyStandardWebhooks(
        _ request: WebhookRequest,
        keys: [SymmetricKey],
        toleranceSeconds: Int,
        now: Date
    ) throws(WebhookError) {
        guard let id = request.header("webhook-id"), let timestamp = request.header("webhook-timestamp"),
            let signatures = request.header("webhook-signature")
        else { throw .missingSignature }
        guard let seconds = parseSeconds(timestamp.utf8) else { throw .invalidSignature }
        guard abs(now.timeIntervalSince1970 - Double(seconds)) <= Double(toleranceSeconds) else {
            throw .staleTimestamp
        }
        var macs: [[UInt8]] = []
        for var entry in signatures.utf8.split(separator: UInt8(ascii: " ")) {
            // A sender that repeats the header line instead of listing the signatures in one arrives
            // joined with ", " (as HTTP joins repeated fields); base64 never ends in a comma.
            if entry.last == UInt8(ascii: ",") { entry = entry.dropLast() }
            guard entry.starts(with: "v1,".utf8), let mac = Base64.decode(entry.dropFirst(3)),
                mac.count == SHA256.byteCount
            else { continue }
            macs.append(mac)
        }
        guard !macs.isEmpty else { throw .invalidSignature }
        let dot = [UInt8(ascii: ".")]
        for key in keys {
            var hmac = HMAC<SHA256>(key: key)
            hmac.update(data: Array(id.utf8))
            hmac.update(data: dot)
            hmac.update(data: Array(timestamp.utf8))
            hmac.update(data: dot)
            hmac.update(data: request.body)
            let computed = hmac.finalize()
            for mac in macs where computed == mac { return }
        }
        throw .invalidSignature
    }

    /// Seconds since 1970 written as 1 to 15 ASCII digits (enough for any real clock; no sign, no
    /// fraction), or nil.
    static func parseSeconds(_ text: some Collection<UInt8>) -> Int? {
        guard (1...15).contains(text.count) else { return nil }
        var value = 0
        for digit in text {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return value
    }

    /// `Authorization: <scheme> <token>`: the scheme must be `Bearer` in any case; anything else, or a
    /// missing token, is `invalidSignature`. The token's SHA-256 is compared with the expected one in
    /// constant time, so neither its bytes nor its length show in the timing of the comparison.
    private static func verifyBearer(_ request: WebhookRequest, tokenDigest: SHA256Digest?) throws(WebhookError) {
        guard let header = request.header("authorization") else { throw .missingSignature }
        let bytes = header.utf8
        guard let space = bytes.firstIndex(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }),
            bytes[bytes.startIndex..<space].elementsEqual("bearer".utf8, by: { ($0 | 0x20) == $1 })
        else { throw .invalidSignature }
        let token = bytes[space...].trimmingSpaces()
        guard !token.isEmpty, let tokenDigest else { throw .invalidSignature }
        guard SHA256.hash(data: Array(token)) == tokenDigest else { throw .invalidSignature }
    }
}
