public import CopilotCore
import CopilotExpressions
import NIOCore
import PostgresNIO

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension PostgresStore: StoreImport {
    public func contents() async throws(RunStoreError) -> StoreContents {
        try await read("count the store") { transaction in
            let row = try await transaction.row(
                """
                SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT COUNT(*) FROM runs) AS runs,
                    (SELECT COUNT(*) FROM api_keys) AS keys, (SELECT COUNT(*) FROM audit_log) AS audit
                """
            )
            return StoreContents(
                events: try row?("events") ?? 0,
                runs: try row?("runs") ?? 0,
                apiKeys: try row?("keys") ?? 0,
                auditRecords: try row?("audit") ?? 0
            )
        }
    }

    public func importEvents(_ events: [EventRecord]) async throws(RunStoreError) {
        try await transaction("import events") { transaction in
            for event in events {
                let delivery = event.delivery
                try await transaction.run(
                    """
                    INSERT INTO events (id, source, delivery_id, type, subject, received_at, headers, body,
                        match_state, match_reasons)
                    VALUES (\(delivery.eventID.rawValue), \(delivery.source.rawValue), \(delivery.deliveryID.rawValue),
                        \(delivery.type), \(delivery.subject), \(delivery.receivedAt.timeIntervalSince1970),
                        \(delivery.storedHeaders), \(ByteBuffer(bytes: delivery.body)), \(event.matchState.rawValue),
                        \(event.reasons.storedText))
                    """
                )
            }
        }
    }

    public func importRuns(_ runs: [ExportedRun]) async throws(RunStoreError) {
        try await transaction("import runs") { transaction in
            try await Self.lockKeys(runs.map { ($0.run.playbook, $0.run.concurrencyKey) }, in: transaction)
            for exported in runs {
                try await Self.insert(exported.run, in: transaction)
                if let transcript = exported.transcript {
                    try await transaction.run(
                        """
                        INSERT INTO run_transcripts (run_id, conversation)
                        VALUES (\(exported.run.id.rawValue), \(transcript.jsonValue.jsonText))
                        """
                    )
                }
            }
        }
    }

    public func importAPIKeys(_ keys: [APIKeyRecord]) async throws(RunStoreError) {
        try await transaction("import API keys") { transaction in
            for record in keys {
                try await transaction.run(
                    """
                    INSERT INTO api_keys (id, name, role, hash, created_at, expires_at, revoked_at)
                    VALUES (\(record.id), \(record.name), \(record.role), \(record.hash),
                        \(record.createdAt.timeIntervalSince1970), \(record.expiresAt?.timeIntervalSince1970),
                        \(record.revokedAt?.timeIntervalSince1970))
                    """
                )
            }
        }
    }

    public func importAudit(_ records: [AuditRecord], head: AuditHead?) async throws(RunStoreError) {
        try await transaction("import audit") { transaction in
            try await transaction.run(StoreLock.audit)
            for record in records { try await Self.insert(record, in: transaction) }
            if let head {
                try await transaction.run(
                    """
                    INSERT INTO audit_head (id, seq, hash) VALUES (1, \(head.sequence), \(head.hash))
                    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash
                    """
                )
            }
        }
    }
}
