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
/// looked up by their SHA-256; the answer (a key, or none) is cached for `cacheTTL`, so most requests
/// cost a hash and a dictionary lookup, and a key made or revoked on another node takes effect within
/// that time (on this node at once, through `forget`).
public final class OperatorAuthenticator: Sendable {
    private let keys: any APIKeyStore
    private let now: @Sendable () -> Date
    private let cacheTTL: Duration
    /// Looked-up keys by hash: the record, or nil for a hash no key has (so a flood of made-up keys
    /// costs one store read per key and cache period, not one per request).
    private let cache = Mutex<Cache>(Cache())
    /// Beyond this the cache is emptied: it never grows with the keys an attacker sprays.
    private static let cacheLimit = 4096

    private struct Cache {
        var entries: [String: (record: APIKeyRecord?, fetched: ContinuousClock.Instant)] = [:]
        /// Bumped by `forget`: a lookup that started before a revocation does not cache its older answer.
        var generation = 0
    }

    /// Operator JWTs (`auth.jwt`); nil: API keys only.
    private let tokens: OperatorJWT?

    public init(
        keys: any APIKeyStore,
        tokens: OperatorJWT? = nil,
        cacheTTL: Duration = .seconds(5),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.keys = keys
        self.tokens = tokens
        self.cacheTTL = cacheTTL
        self.now = now
    }

    /// The operator of a request whose `Authorization` header is `authorization`.
    public func authenticate(authorization: String?) async -> Result<Operator, AuthenticationFailure> {
        guard let authorization, let credential = Self.bearer(authorization) else { return .failure(.missing) }
        guard credential.hasPrefix(APIKey.prefix) else {
            guard let tokens else { return .failure(.invalid) }
            return await tokens.verify(credential)
        }
        let hash = APIKey.hash(credential)
        let found: APIKeyRecord?
        switch cached(hash) {
        case .hit(let record):
            found = record
        case .miss(let generation):
            do {
                found = try await keys.apiKey(hash: hash)
            } catch {
                return .failure(.unavailable)
            }
            remember(hash, found, ifStill: generation)
        }
        guard let record = found else { return .failure(.invalid) }
        if record.revokedAt != nil { return .failure(.revoked) }
        guard record.isValid(at: now()) else { return .failure(.expired) }
        return .success(Operator(name: Self.name(of: record), roles: [record.role], credential: .apiKey))
    }

    /// Who a key's caller is in decisions and logs: its name and its id, which is unique.
    public static func name(of record: APIKeyRecord) -> String { "\(record.name) (\(record.id))" }

    /// Drops a key from the cache: it was created or revoked through this node, which then sees the
    /// change at once.
    public func forget(hash: String) {
        cache.withLock { cache in
            cache.entries.removeValue(forKey: hash)
            cache.generation += 1
        }
    }

    /// The credential of `Bearer <credential>` (the scheme in any case, RFC 9110), or nil.
    static func bearer(_ header: String) -> String? {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1])
    }

    private enum Lookup {
        case hit(APIKeyRecord?)
        /// Not cached; the cache's generation when it was asked.
        case miss(generation: Int)
    }

    private func cached(_ hash: String) -> Lookup {
        let ttl = cacheTTL
        return cache.withLock { cache in
            guard let entry = cache.entries[hash], entry.fetched.duration(to: .now) < ttl else {
                return .miss(generation: cache.generation)
            }
            return .hit(entry.record)
        }
    }

    private func remember(_ hash: String, _ record: APIKeyRecord?, ifStill generation: Int) {
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            if cache.entries.count >= Self.cacheLimit { cache.entries.removeAll(keepingCapacity: true) }
            cache.entries[hash] = (record, .now)
        }
    }
}
