public import CopilotCore

/// Why a webhook delivery was refused (CONTRACT §2). Each case maps to one error code and HTTP status.
///
/// Messages are generic on purpose: they never say which secret was tried, which byte differed or
/// what the body held, so a caller can put them in a response as they are.
public enum WebhookError: Error, Sendable, Equatable {
    /// No `Content-Type`, or one this source does not take. 415.
    case unsupportedMediaType
    /// A header that verification needs is absent or empty. 401.
    case missingSignature
    /// The signature or token is present but does not verify (malformed ones included). 401.
    case invalidSignature
    /// A Standard Webhooks timestamp outside the source's tolerance, in the past or the future. 401.
    case staleTimestamp
    /// The verified body (or GitHub's form `payload` field) is not JSON. 400.
    case invalidJSON
    /// The JSON is not an object, or lacks a field or header the source requires. 400.
    case invalidPayload
    /// A configured secret cannot be used (a malformed `whsec_…`). Thrown only while reading the
    /// configuration, never by `WebhookReceiver.receive`; the config loader reports it with its position.
    case invalidSecret

    /// The code of the error body `{"error": {"code": …}}`, exactly as CONTRACT §2 names it.
    public var code: String {
        switch self {
        case .unsupportedMediaType: "unsupported_media_type"
        case .missingSignature: "missing_signature"
        case .invalidSignature: "invalid_signature"
        case .staleTimestamp: "stale_timestamp"
        case .invalidJSON: "invalid_json"
        case .invalidPayload: "invalid_payload"
        case .invalidSecret: "invalid_secret"
        }
    }

    /// The HTTP status that answers this error.
    public var httpStatus: Int {
        switch self {
        case .unsupportedMediaType: 415
        case .missingSignature, .invalidSignature, .staleTimestamp: 401
        case .invalidJSON, .invalidPayload: 400
        case .invalidSecret: 500
        }
    }

    /// A generic, human-readable message for the error body.
    public var message: String {
        switch self {
        case .unsupportedMediaType: "the content type is not supported; send application/json"
        case .missingSignature: "the request carries no signature or token"
        case .invalidSignature: "the signature or token is not valid"
        case .staleTimestamp: "the webhook timestamp is outside the accepted window"
        case .invalidJSON: "the body is not valid JSON"
        case .invalidPayload: "the payload lacks a field this source requires"
        case .invalidSecret: "a webhook secret in the configuration is malformed"
        }
    }
}

extension WebhookError {
    /// The answer to a body that holds no JSON document: 415 or 400, as for any delivery.
    public init(_ error: PayloadError) {
        switch error {
        case .unsupportedMediaType: self = .unsupportedMediaType
        case .invalidJSON: self = .invalidJSON
        }
    }
}

extension WebhookError: CustomStringConvertible {
    public var description: String { "\(code): \(message)" }
}
