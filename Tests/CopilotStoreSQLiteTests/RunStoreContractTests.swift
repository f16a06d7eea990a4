import CopilotCore
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import GRDB
import Logging
import Testing

/// The `RunStore` contract against every backend: memory, SQLite in memory, and a SQLite file in WAL mode.
@Suite(.timeLimit(.minutes(1)))
struct RunStoreContractTests {
    let logger = Logger(label: "test")

    @Test("MemoryRunStore keeps the RunStore contract", arguments: RunStoreContract.checks)
    func memory(_ check: RunStoreContract.Check) async throws {
        try await check.body(MemoryRunStore())
    }

    @Test("SQLiteStore in memory keeps the RunStore contract", arguments: RunStoreContract.checks)
    func sqliteInMemory(_ check: RunStoreContract.Check) async throws {
        try await check.body(try SQLiteStore(writer: try DatabaseQueue(), logger: logger))
    }

    @Test("SQLiteStore on a WAL file keeps the RunStore contract", arguments: RunStoreContract.checks)
    func sqliteFile(_ check: RunStoreContract.Check) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runs-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm", "-bodies"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let store = try SQLiteStore(path: path, logger: logger)
        #expect(try await store.synchronousMode() == 2)
        try await check.body(store)
    }

    @Test("MemoryRunStore keeps the EventInbox contract", arguments: EventInboxContract.checks)
    func memoryInbox(_ check: EventInboxContract.Check) async throws {
        try await check.body(MemoryRunStore())
    }

    @Test("SQLiteStore on a WAL file keeps the EventInbox contract", arguments: EventInboxContract.checks)
    func sqliteInbox(_ check: EventInboxContract.Check) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inbox-\(UUID().uuidString).db").path
        defer {
            for suffix in ["", "-wal", "-shm", "-bodies"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await check.body(try SQLiteStore(path: path, logger: logger))
    }

    @Test("MemoryRunStore answers unavailable when told to fail")
    func memoryUnavailable() async throws {
        let store = MemoryRunStore()
        await store.setFailing(true)
        await #expect(throws: RunStoreError.unavailable) { try await store.runs(RunQuery()) }
        await #expect(throws: InboxError.unavailable) { try await store.count() }
    }
}
