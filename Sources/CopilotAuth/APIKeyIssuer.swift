public import CopilotCore

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Creates, lists and revokes operator API keys: the one path of `copilot-agent token …` and
/// `/api/v1/tokens` (CONTRACT §1, §6). The key is shown once, when it is created; only its hash is kept.
public struct APIKeyIssuer: Sendable {
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownRole(String, known: [String])
        case invalidTTL(String)
        case store(RunStoreError)

        public var description: String {
            switch self {
            case .unknownRole(let role, let known):
                "unknown role '\(role)'; the roles are \(known.joined(separator: ", "))"
            case .invalidTTL(let text): "invalid ttl '\(text)': use a number and a unit, such as 90m, 12h or 30d"
            case .store: "the store cannot be written right now"
            }
        }
    }

    let store: any APIKeyStore
    let roles: OperatorRoles
    let now: @Sendable () -> Date

    public init(store: any APIKeyStore, roles: OperatorRoles, now: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.roles = roles
        self.now = now
    }

    /// A new key for `role`, named `name` (default: its id), valid for `ttl` (`90m`, `12h`, `30d`;
    /// nil: until revoked).
    public func create(
        role: String,
        name: String?,
        ttl: String?
    ) async throws(Problem) -> (key: String, record: APIKeyRecord) {
        guard roles.knows(role) else { throw .unknownRole(role, known: roles.names) }
        var lifetime: Double?
        if let ttl {
            guard let seconds = Self.seconds(ttl) else { throw .invalidTTL(ttl) }
            lifetime = seconds
        }
        var random = SystemRandomNumberGenerator()
        let (key, id) = APIKey.generate(using: &random)
        let created = now()
        let record = APIKeyRecord(
            id: id,
            name: name ?? id,
            role: role,
            hash: APIKey.hash(key),
            createdAt: created,
            expiresAt: lifetime.map { created.addingTimeInterval($0) }
        )
        do {
            try await store.insertAPIKey(record)
        } catch {
            throw .store(error)
        }
        return (key, record)
    }

    public func list() async throws(RunStoreError) -> [APIKeyRecord] {
        try await store.apiKeys()
    }

    public func revoke(id: String) async throws(RunStoreError) -> APIKeyRecord {
        try await store.revokeAPIKey(id: id, at: now())
    }

    /// `90m`, `12h`, `30d`, `3600s` in seconds; nil for anything else.
    static func seconds(_ text: String) -> Double? {
        guard let unit = text.last, let count = Int(text.dropLast()), count > 0 else { return nil }
        let scale: Double? =
            switch unit {
            case "s": 1
            case "m": 60
            case "h": 3600
            case "d": 86400
            default: nil
            }
        return scale.map { Double(count) * $0 }
    }
}
