public import CopilotAuth
public import CopilotCore
public import HTTPTypes

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// API keys for tests: one per built-in role (`cpa_test_<role>`), the records a store needs for them,
/// and the `Authorization` headers that present them.
public enum TestOperators {
    /// The key of a built-in role.
    public static func key(_ role: String) -> String { "cpa_test_\(role)_0123456789abcdefghijklmnop" }

    public static let adminKey = key("admin")

    /// `Authorization: Bearer <key of role>`.
    public static func headers(_ role: String = "admin") -> HTTPFields {
        [.authorization: "Bearer \(key(role))"]
    }

    /// The stored record of each built-in role's key.
    public static var records: [APIKeyRecord] {
        OperatorRoles.builtIn.keys.sorted().map { role in
            APIKeyRecord(
                id: "key_test_\(role)",
                name: "test-\(role)",
                role: role,
                hash: APIKey.hash(key(role)),
                createdAt: Date(timeIntervalSince1970: 1_764_000_000)
            )
        }
    }

    /// Stores every built-in role's key (a real store: SQLite or memory); keys already there stay.
    public static func install(in store: any APIKeyStore) async throws {
        for record in records where try await store.apiKey(hash: record.hash) == nil {
            try await store.insertAPIKey(record, audit: .tokenCreated(record, by: "test set-up"))
        }
    }

    /// Operator access over `store`, which holds the test keys (`install`) or others.
    public static func access(_ store: any APIKeyStore) -> OperatorAccess {
        OperatorAccess(authenticator: OperatorAuthenticator(keys: store), roles: OperatorRoles())
    }
}
