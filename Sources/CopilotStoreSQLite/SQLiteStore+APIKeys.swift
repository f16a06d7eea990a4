public import CopilotCore
public import Foundation
import GRDB

extension SQLiteStore: APIKeyStore {
    /// "v6-api-keys": operator API keys, by their SHA-256 (never the key).
    static func createAPIKeyTable(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    hash TEXT NOT NULL UNIQUE,
                    created_at REAL NOT NULL,
                    expires_at REAL,
                    revoked_at REAL
                );
                """
        )
    }

    public func insertAPIKey(_ record: APIKeyRecord, audit: AuditEntry) async throws(RunStoreError) {
        try await write("insert API key") { db in
            let taken = try db.row(
                "SELECT 1 FROM api_keys WHERE id = \(record.id) OR hash = \(record.hash)"
            )
            guard taken == nil else { throw RunStoreError.conflict }
            try db.run(
                """
                INSERT INTO api_keys (id, name, role, hash, created_at, expires_at, revoked_at)
                VALUES (\(record.id), \(record.name), \(record.role), \(record.hash),
                    \(record.createdAt.timeIntervalSince1970), \(record.expiresAt?.timeIntervalSince1970),
                    \(record.revokedAt?.timeIntervalSince1970))
                """
            )
            try Self.appendAudit([audit], in: db)
        }
    }

    public func apiKey(hash: String) async throws(RunStoreError) -> APIKeyRecord? {
        try await read("read API key") { db in
            try db.row("SELECT * FROM api_keys WHERE hash = \(hash)").map(Self.apiKey(from:))
        }
    }

    public func apiKeys() async throws(RunStoreError) -> [APIKeyRecord] {
        try await read("list API keys") { db in
            try db.rows("SELECT * FROM api_keys ORDER BY created_at DESC, id").map(Self.apiKey(from:))
        }
    }

    public func revokeAPIKey(id: String, at now: Date, audit: AuditEntry) async throws(RunStoreError) -> APIKeyRecord {
        try await write("revoke API key") { db in
            guard let stored = try db.row("SELECT * FROM api_keys WHERE id = \(id)").map(Self.apiKey(from:)) else {
                throw RunStoreError.notFound
            }
            // A revoked key stays as it was revoked, and its revocation is on record once.
            guard stored.revokedAt == nil else { return stored }
            try db.run("UPDATE api_keys SET revoked_at = \(now.timeIntervalSince1970) WHERE id = \(id)")
            try Self.appendAudit([audit], in: db)
            var revoked = stored
            revoked.revokedAt = now
            return revoked
        }
    }

    static func apiKey(from row: Row) -> APIKeyRecord {
        APIKeyRecord(
            id: row["id"],
            name: row["name"],
            role: row["role"],
            hash: row["hash"],
            createdAt: date(row["created_at"]) ?? .distantPast,
            expiresAt: date(row["expires_at"]),
            revokedAt: date(row["revoked_at"])
        )
    }
}
