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
        /// The caller may not grant what the role grants.
        case escalation(String)
        case invalidName(String)
        case invalidTTL(String)
        case store(RunStoreError)

        public var description: String {
            switch self {
            case .unknownRole(let role, let known):
                "unknown role '\(role)'; the roles are \(known.joined(separator: ", "))"
            case .escalation(let role):
                "a key with role '\(role)' would grant permissions the caller does not have"
            case .invalidName(let name):
                "invalid name '\(name)': use 1 to 64 letters, digits, '.', '_' or '-'"
            case .invalidTTL(let text):
                "invalid ttl '\(text)': a number and a unit (s, m, h, d), at most 3650d, such as 90m, 12h or 30d"
            case .store: "the store cannot be written right now"
            }
        }
    }

    let store: any APIKeyStore
    let roles: OperatorRoles
    let now: @Sendable () -> Date
    /// Who the audit log names for a change made without an API caller (the command line).
    let localActor: String

    public init(
        store: any APIKeyStore,
        roles: OperatorRoles,
        localActor: String = "cli",
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.roles = roles
        self.localActor = localActor
        self.now = now
    }

    /// A new key for `role`, named `name` (default: its id), valid for `ttl` (`90m`, `12h`, `30d`;
    /// nil: until revoked). `caller` is who asks through the API: a key may grant only permissions the
    /// caller holds, so managing keys never escalates. Nil for the command line, run by whoever may
    /// open the store.
    public func create(
        role: String,
        name: String?,
        ttl: String?,
        caller: Operator? = nil
    ) async throws(Problem) -> (key: String, record: APIKeyRecord) {
        guard roles.knows(role) else { throw .unknownRole(role, known: roles.names) }
        if let caller, !roles.permissions(of: role).isSubset(of: roles.permissions(of: caller.roles)) {
            throw .escalation(role)
        }
        if let name, !Self.isValidName(name) { throw .invalidName(name) }
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
            try await store.insertAPIKey(record, audit: .tokenCreated(record, by: caller?.name ?? localActor))
        } catch {
            throw .store(error)
        }
        return (key, record)
    }

    public func list() async throws(RunStoreError) -> [APIKeyRecord] {
        try await store.apiKeys()
    }

    /// Revokes the key `id`, on behalf of `caller` (nil: the command line).
    public func revoke(id: String, caller: Operator? = nil) async throws(RunStoreError) -> APIKeyRecord {
        let at = now()
        return try await store.revokeAPIKey(
            id: id,
            at: at,
            audit: .tokenRevoked(id: id, by: caller?.name ?? localActor, at: at)
        )
    }

    /// Names show in lists and decisions: no spaces, tabs or line breaks to fake a column or a line.
    static func isValidName(_ name: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".utf8)
        return (1...64).contains(name.utf8.count) && name.utf8.allSatisfy(allowed.contains)
    }

    /// `90m`, `12h`, `30d`, `3600s` in seconds, up to ten years; nil for anything else.
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
        guard let seconds = scale.map({ Double(count) * $0 }), seconds <= 3650 * 86400 else { return nil }
        return seconds
    }
}
