import CopilotCore
import CopilotStorePostgres
import CopilotStoreSQLite
import Foundation
import Logging

/// `copilot-agent store copy --from sqlite://… --to postgres://…` (issue 15): moves a single node's
/// events, runs, API keys and audit records into an empty PostgreSQL store, then checks the counts and
/// the audit chain there. Exit 0 with a summary; 1 when the copy is refused or does not verify; 2 when
/// a store cannot be used.
///
/// It refuses a source in use (a running service holds the SQLite store's lock) and a target that holds
/// anything (a node started on it has recorded its playbook load): the copy is a migration, not a merge.
public enum StoreTools {
    public static func copy(from: String, to: String, password: String?, environment: [String: String]) async -> Int32 {
        guard case .success(.sqlite(let path)) = SectionReader.storageLocation(from) else {
            printError("error: --from: expected sqlite://PATH")
            return 2
        }
        guard case .success(let target) = SectionReader.storageLocation(to), case .postgres = target else {
            printError("error: --to: expected postgres://user@host:port/db")
            return 2
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("error: --from: no store at '\(path)'")
            return 2
        }
        var logger = Logger(label: "copilot-agent.store")
        logger.logLevel = .warning
        let source: SQLiteStore
        do {
            // Opened as the service opens it: refused while a service runs on it.
            source = try SQLiteStore(path: path, logger: logger)
        } catch {
            printError("error: --from: \(error)")
            return 2
        }
        var storage = StorageConfiguration()
        storage.location = target
        storage.password = password.map { reference in
            let origin = Diagnostic(file: "--to-password", line: 0, column: 0, message: "")
            return reference.hasPrefix("file:")
                ? SecretReference(
                    location: .file(String(reference.dropFirst(5))),
                    keyPath: "--to-password",
                    origin: origin
                )
                : SecretReference(
                    location: .environment(String(reference.dropFirst(reference.hasPrefix("env:") ? 4 : 0))),
                    keyPath: "--to-password",
                    origin: origin
                )
        }
        do {
            return try await storage.withStore(environment: environment, logger: logger) { store in
                guard let destination = store as? PostgresStore else { return 2 }
                return await copy(from: source, to: destination)
            }
        } catch let error as ServiceStoreError {
            printError("error: --to: \(error.description)")
        } catch {
            printError("error: --to: \(error)")
        }
        return 2
    }

    private static func copy(from source: SQLiteStore, to target: PostgresStore) async -> Int32 {
        do throws(RunStoreError) {
            let existing = try await target.contents()
            guard existing.isEmpty else {
                printError("error: --to: the store already holds \(existing); copy only into an empty store")
                return 1
            }
            let expected = try await source.contents()
            try await copyRecords(from: source, to: target)
            let copied = try await target.contents()
            guard copied == expected else {
                printError("error: the copy does not match: the source holds \(expected), the target \(copied)")
                return 1
            }
            do {
                let chain = try await target.verifyAudit()
                print("copied \(copied); the audit chain verifies (\(chain.count) records)")
                return 0
            } catch {
                printError("error: the copied audit log does not verify: \(error)")
                return 1
            }
        } catch {
            printError("error: the copy stopped: a store answered \(error); the target is incomplete")
            return 2
        }
    }

    /// Events, then runs (which point at them), then keys, then the audit chain and its head, a page
    /// at a time.
    private static func copyRecords(from source: SQLiteStore, to target: PostgresStore) async throws(RunStoreError) {
        var position: Int64 = 0
        while case let page = try await source.exportEvents(after: position, limit: 500), let last = page.last {
            try await target.importEvents(page.map(\.record))
            position = last.position
        }
        position = 0
        while case let page = try await source.exportRuns(after: position, limit: 200), let last = page.last {
            try await target.importRuns(page.map(\.record))
            position = last.position
        }
        try await target.importAPIKeys(try await source.apiKeys())
        let tip = try await source.auditTip()
        position = 0
        while case let page = try await source.auditRecords(after: position, limit: 1000), let last = page.last {
            try await target.importAudit(page, head: nil)
            position = last.sequence
        }
        try await target.importAudit([], head: tip.head)
    }
}
