#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An operator API key as stored (CONTRACT §6): never the key itself, only its SHA-256.
public struct APIKeyRecord: Sendable, Hashable {
    /// Public and stable: what `token list` shows and `token revoke` takes.
    public var id: String
    public var name: String
    public var role: String
    /// The hex SHA-256 of the key, which is looked up on every request.
    public var hash: String
    public var createdAt: Date
    public var expiresAt: Date?
    public var revokedAt: Date?

    public init(
        id: String,
        name: String,
        role: String,
        hash: String,
        createdAt: Date,
        expiresAt: Date? = nil,
        revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.hash = hash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    /// True when the key may be used at `now`: not revoked, not expired.
    public func isValid(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}

/// Where operator API keys live: the store, beside runs and events, so every node sees a revocation.
/// Every change is audited in the transaction that makes it.
public protocol APIKeyStore: AuditLog {
    /// Stores a new key and its `audit` record; `conflict` when its id or hash exists.
    func insertAPIKey(_ record: APIKeyRecord, audit: AuditEntry) async throws(RunStoreError)

    /// The key with this hash, revoked and expired ones included; nil when none.
    func apiKey(hash: String) async throws(RunStoreError) -> APIKeyRecord?

    /// Every key, newest first.
    func apiKeys() async throws(RunStoreError) -> [APIKeyRecord]

    /// Marks the key revoked at `now` with its `audit` record, and answers it; a key already revoked is
    /// answered as it is, with no second record. `notFound` for an unknown id.
    func revokeAPIKey(id: String, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> APIKeyRecord
}
