import CopilotExpressions
import Crypto

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Operator API keys (CONTRACT §6): `cpa_` and 32 random bytes, URL-safe base64 without padding. Only a
/// key's SHA-256 is stored: a leaked database gives no usable key. A plain hash, not a slow password
/// hash, because the key is 256 random bits that no one can guess, and it is checked on every request.
public enum APIKey {
    public static let prefix = "cpa_"

    /// A new key and the id it is listed and revoked by.
    public static func generate(using random: inout some RandomNumberGenerator) -> (key: String, id: String) {
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let id = (0..<6).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        return (prefix + base64URL(secret), "key_" + Hex.encode(id, count: id.count))
    }

    /// The stored form of a key: its SHA-256 in lowercase hex.
    public static func hash(_ key: String) -> String {
        let digest = SHA256.hash(data: Array(key.utf8))
        return Hex.encode(digest, count: SHA256.byteCount)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }
}
