import CopilotCore
import Foundation

extension RunStoreContract {
    static let apiKeyChecks: [Check] = [
        check("API keys: stored by hash, found by hash, listed newest first, revoked once") { store in
            let first = APIKeyRecord(id: "key_a", name: "ci", role: "viewer", hash: "aa", createdAt: at(1))
            let second = APIKeyRecord(
                id: "key_b",
                name: "oncall",
                role: "operator",
                hash: "bb",
                createdAt: at(2),
                expiresAt: at(100)
            )
            try await store.insertAPIKey(first, audit: .tokenCreated(first, by: "cli"))
            try await store.insertAPIKey(second, audit: .tokenCreated(second, by: "cli"))
            try require(try await store.apiKey(hash: "bb") == second, "found by hash with every field")
            try require(try await store.apiKey(hash: "cc") == nil, "an unknown hash is nil")
            try require(try await store.apiKeys().map(\.id) == ["key_b", "key_a"], "newest first")
            try await requireError(.conflict) { () throws(RunStoreError) in
                let clash = APIKeyRecord(id: "key_c", name: "x", role: "admin", hash: "aa", createdAt: at(3))
                try await store.insertAPIKey(clash, audit: .tokenCreated(clash, by: "cli"))
            }
            let revoked = try await store.revokeAPIKey(
                id: "key_a",
                at: at(5),
                audit: .tokenRevoked(id: "key_a", by: "cli", at: at(5))
            )
            try require(revoked.revokedAt == at(5) && !revoked.isValid(at: at(6)), "revoked")
            let again = try await store.revokeAPIKey(
                id: "key_a",
                at: at(9),
                audit: .tokenRevoked(id: "key_a", by: "cli", at: at(9))
            )
            try require(again.revokedAt == at(5), "a second revoke keeps the first time")
            try require(try await store.apiKey(hash: "aa")?.revokedAt == at(5), "the revocation is stored")
            try require(second.isValid(at: at(99)) && !second.isValid(at: at(100)), "expiry")
            try await requireError(.notFound) { () throws(RunStoreError) in
                try await store.revokeAPIKey(
                    id: "key_z",
                    at: at(5),
                    audit: .tokenRevoked(id: "key_z", by: "cli", at: at(5))
                )
            }
        }
    ]
}
