import CopilotCore
import Foundation
import GRDB
import Logging
import Testing

@testable import CopilotStoreSQLite

/// The audit chain against tampering with the SQLite file itself: what `copilot-agent audit verify`
/// must catch.
@Suite(.timeLimit(.minutes(1)))
struct SQLiteAuditTests {
    let logger = Logger(label: "test")

    /// A store file with five audit records, the third carrying `marker`, closed and checkpointed so
    /// that every record is in the main file. Answers its path.
    func auditedFile(marker: String) async throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).db").path
        do {
            let store = try SQLiteStore(path: path, logger: logger)
            for number in 1...5 {
                let detail = number == 3 ? ["comment": marker] : ["comment": "record \(number)"]
                let at = Date(timeIntervalSince1970: 1_764_000_000 + Double(number))
                let entry = AuditEntry(
                    at: at,
                    actor: "alice (key_1)",
                    action: .runApproved,
                    target: "run:r\(number)",
                    detail: detail
                )
                try await store.appendAudit([entry])
            }
            #expect(try await store.verifyAudit().count == 5)
        }
        try await DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        return path
    }

    func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-bodies"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    func verify(_ path: String) async throws -> AuditChain {
        try await SQLiteStore.readOnly(path: path, logger: logger).verifyAudit()
    }

    @Test("one byte of one record changed in the database file: verify names that record")
    func byteChanged() async throws {
        let path = try await auditedFile(marker: "ship-it-now")
        defer { remove(path) }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let marker = Data("ship-it-now".utf8)
        let found = try #require(bytes.range(of: marker), "the record's text is in the file")
        #expect(bytes.range(of: marker, in: found.upperBound..<bytes.endIndex) == nil, "only once")
        bytes[found.lowerBound] = UInt8(ascii: "S")
        try bytes.write(to: URL(fileURLWithPath: path))
        await #expect(throws: AuditChain.Break.changed(sequence: 3)) { try await verify(path) }
    }

    @Test("a record deleted, the newest deleted, two swapped, or the head rewritten: each is named")
    func removedAndReordered() async throws {
        let cases: [(sql: String, expected: AuditChain.Break)] = [
            ("DELETE FROM audit_log WHERE seq = 3", .removed(from: 3, to: 3)),
            ("DELETE FROM audit_log WHERE seq >= 4", .truncated(after: 3, head: 5)),
            (
                """
                UPDATE audit_log SET seq = -2 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3;
                UPDATE audit_log SET seq = 3 WHERE seq = -2;
                """,
                .changed(sequence: 2)
            ),
            (
                // Rewritten wholesale from record 3 on would still break the link into record 3.
                "UPDATE audit_log SET previous_hash = hash WHERE seq = 3",
                .changed(sequence: 3)
            ),
            ("DELETE FROM audit_log WHERE seq = 1", .removed(from: 1, to: 1)),
            ("UPDATE audit_head SET seq = 4", .headBehind(head: 4, newest: 5)),
            ("DELETE FROM audit_head", .headBehind(head: 0, newest: 5)),
            ("UPDATE audit_head SET hash = 'f00'", .headMismatch(sequence: 5)),
        ]
        for (sql, expected) in cases {
            let path = try await auditedFile(marker: "x")
            defer { remove(path) }
            try await DatabaseQueue(path: path).write { db in try db.execute(sql: sql) }
            await #expect(throws: expected, "\(sql)") { try await verify(path) }
        }
    }

    @Test("verify reads a store a running service holds open, and sees what it appended")
    func besideRunningService() async throws {
        let path = try await auditedFile(marker: "x")
        defer { remove(path) }
        let running = try SQLiteStore(path: path, logger: logger)
        try await running.appendAudit([
            AuditEntry(at: Date(), actor: "copilot-agent", action: .playbooksReloaded, target: "playbooks")
        ])
        #expect(try await verify(path).count == 6)
        await #expect(throws: RunStoreError.unavailable) {
            try await SQLiteStore.readOnly(path: path, logger: logger).appendAudit([
                AuditEntry(at: Date(), actor: "x", action: .playbooksReloaded, target: "playbooks")
            ])
        }
        _ = running
    }

    @Test("appending goes on after a damaged head (the next record follows the newest), and never fails")
    func appendAfterDamagedHead() async throws {
        let path = try await auditedFile(marker: "x")
        defer { remove(path) }
        try await DatabaseQueue(path: path).write { db in try db.execute(sql: "DELETE FROM audit_head") }
        let store = try SQLiteStore(path: path, logger: logger)
        try await store.appendAudit([
            AuditEntry(at: Date(), actor: "x", action: .playbooksReloaded, target: "playbooks")
        ])
        let chain = try await store.verifyAudit()
        let fifth = try await store.auditRecords(after: 4, limit: 1).first
        #expect(chain.count == 6 && chain.newest?.previousHash == fifth?.hash)
    }
}
