public import CopilotCore
import PostgresNIO

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension PostgresStore: APIKeyStore {
    public func insertAPIKey(_ record: APIKeyRecord, audit: AuditEntry) async throws(RunStoreError) {
        try await transaction("insert API key") { transaction in
            let inserted = try await transaction.rows(
                """
                INSERT INTO api_keys (id, name, role, hash, created_at, expires_at, revoked_at)
                VALUES (\(record.id), \(record.name), \(record.role), \(record.hash),
                    \(record.createdAt.timeIntervalSince1970), \(record.expiresAt?.timeIntervalSince1970),
                    \(record.revokedAt?.timeIntervalSince1970))
                ON CONFLICT DO NOTHING
                RETURNING id
                """
            )
            guard !inserted.isEmpty else { throw RunStoreError.conflict }
            try await Self.appendAudit([audit], in: transaction)
        }
    }

    public func apiKey(hash: String) async throws(RunStoreError) -> APIKeyRecord? {
        try await read("read API key") { transaction in
            try await transaction.row("SELECT * FROM api_keys WHERE hash = \(hash)").map(Self.apiKey(from:))
        }
    }

    public func apiKeys() async throws(RunStoreError) -> [APIKeyRecord] {
        try await read("list API keys") { transaction in
            try await transaction.rows("SELECT * FROM api_keys ORDER BY created_at DESC, id").map(Self.apiKey(from:))
        }
    }

    public func revokeAPIKey(id: String, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> APIKeyRecord {
        try await transaction("revoke API key") { transaction in
            guard
                let stored = try await transaction.row("SELECT * FROM api_keys WHERE id = \(id) FOR UPDATE")
                    .map(Self.apiKey(from:))
            else { throw RunStoreError.notFound }
            // A revoked key stays as it was revoked, and its revocation is on record once.
            guard stored.revokedAt == nil else { return stored }
            try await transaction.run("UPDATE api_keys SET revoked_at = \(now.timeIntervalSince1970) WHERE id = \(id)")
            try await Self.appendAudit([audit], in: transaction)
            var revoked = stored
            revoked.revokedAt = now
            return revoked
        }
    }

    static func apiKey(from row: StoredRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row("id"),
            name: try row("name"),
            role: try row("role"),
            hash: try row("hash"),
            createdAt: try row.date("created_at") ?? .distantPast,
            expiresAt: try row.date("expires_at"),
            revokedAt: try row.date("revoked_at")
        )
    }
}
