public import CopilotCore
public import Foundation

extension MemoryRunStore: APIKeyStore {
    public func insertAPIKey(_ record: APIKeyRecord, audit: AuditEntry) throws(RunStoreError) {
        try checkAvailable()
        guard apiKeysByID[record.id] == nil, !apiKeysByID.values.contains(where: { $0.hash == record.hash }) else {
            throw .conflict
        }
        apiKeysByID[record.id] = record
        append([audit])
    }

    public func apiKey(hash: String) throws(RunStoreError) -> APIKeyRecord? {
        try checkAvailable()
        return apiKeysByID.values.first { $0.hash == hash }
    }

    public func apiKeys() throws(RunStoreError) -> [APIKeyRecord] {
        try checkAvailable()
        return apiKeysByID.values.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }
    }

    public func revokeAPIKey(id: String, at now: Date, audit: AuditEntry) throws(RunStoreError) -> APIKeyRecord {
        try checkAvailable()
        guard var record = apiKeysByID[id] else { throw .notFound }
        guard record.revokedAt == nil else { return record }
        record.revokedAt = now
        apiKeysByID[id] = record
        append([audit])
        return record
    }
}
