public import CopilotCore
import Synchronization

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Why a request's credential was not accepted: each answers 401 with `WWW-Authenticate: Bearer`.
public enum AuthenticationFailure: Error, Sendable, Hashable {
    /// No `Authorization: Bearer` header.
    case missing
    /// A bearer credential that is no key this service issued.
    case invalid
    case expired
    case revoked
    /// The store could not answer (503, not 401: the credential may be fine).
    case unavailable

    /// What the 401 body and the audit record say.
    public var reason: String {
        switch self {
        case .missing: "missing_credentials"
        case .invalid: "invalid_credentials"
        case .expired: "expired_credentials"
        case .revoked: "revoked_credentials"
        case .unavailable: "unavailable"
        }
    }
}

/// Turns `Authorization: Bearer <credential>` into the `Operator` it names (CONTRACT §6). API keys are
/// looked up by their SHA-256; a found key is cached for `cacheTTL`, so most requests cost a hash and
/// a dictionary lookup, and a revocation made on another node takes effect within that time (on this
/// node at once, through `forget`).
public final class OperatorAuthenticator: Sendable {
    private let keys: any APIKeyStore
    private let now: @Sendable () -> Date
    private let cacheTTL: Duration
    private let cache = Mutex<[String: (record: APIKeyRecord, fetched: ContinuousClock.Instant)]>([:])
    /// Beyond this the cache is emptied: it never grows with the keys an attacker sprays.
    private static let cacheLimit = 4096

    public init(
        keys: any APIKeyStore,
        cacheTTL: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.keys = keys
        self.cacheTTL = cacheTTL
        self.now = now
    }

    /// The operator of a request whose `Authorization` header is `authorization`.
    public func authenticate(authorization: String?) async -> Result<Operator, AuthenticationFailure> {
        guard let authorization, let credential = Self.bearer(authorization) else { return .failure(.missing) }
        guard credential.hasPrefix(APIKey.prefix) else { return .failure(.invalid) }
        let hash = APIKey.hash(credential)
        let record: APIKeyRecord
        if let cached = cachedRecord(hash) {
            record = cached
        } else {
            do {
                guard let found = try await keys.apiKey(hash: hash) else { return .failure(.invalid) }
                record = found
            } catch {
                return .failure(.unavailable)
            }
            remember(record)
        }
        if record.revokedAt != nil { return .failure(.revoked) }
        guard record.isValid(at: now()) else { return .failure(.expired) }
        return .success(Operator(name: "key:\(record.name)", roles: [record.role], credential: .apiKey))
    }

    /// Drops a key from the cache (it was revoked through this node).
    public func forget(hash: String) {
        _ = cache.withLock { $0.removeValue(forKey: hash) }
    }

    /// The credential of `Bearer <credential>` (the scheme in any case, RFC 9110), or nil.
    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    private func cachedRecord(_ hash: String) -> APIKeyRecord? {
        let ttl = cacheTTL
        return cache.withLock { entries in
            guard let entry = entries[hash], entry.fetched.duration(to: .now) < ttl else { return nil }
            return entry.record
        }
    }

    private func remember(_ record: APIKeyRecord) {
        cache.withLock { entries in
            if entries.count >= Self.cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[record.hash] = (record, .now)
        }
    }
}
