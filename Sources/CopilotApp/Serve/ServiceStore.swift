public import CopilotCore
public import CopilotStorePostgres
public import CopilotStoreSQLite
import Foundation
public import Logging

/// A store `storage.url` can name, with what the commands need beside the `RunStore` port.
public protocol ServiceStore: RunStore {
    /// Walks the audit chain (`copilot-agent audit verify`).
    func verifyAudit() async throws -> AuditChain
    /// Makes what this process wrote durable on its own before it exits (`token create`).
    func checkpoint() async throws(RunStoreError)
}

extension SQLiteStore: ServiceStore {}

extension PostgresStore: ServiceStore {
    /// Nothing to do: every commit is the server's.
    public func checkpoint() async throws(RunStoreError) {}
}

/// Why the configured store could not be opened.
public enum ServiceStoreError: Error, CustomStringConvertible {
    case sqlite(StoreError)
    /// The PostgreSQL server did not answer, or refused us, within `StorageConfiguration.postgresStartTimeout`.
    case postgresUnreachable(PostgresLocation)
    case postgresMigrationFailed(PostgresLocation)
    /// `storage.password` names a secret that cannot be resolved.
    case password(ConfigurationError)

    public var description: String {
        switch self {
        case .sqlite(let error): error.description
        case .postgresUnreachable(let location):
            "storage.url: cannot reach PostgreSQL at \(location) (or it refused the user, the password or TLS) "
                + "within \(StorageConfiguration.postgresStartTimeout)"
        case .postgresMigrationFailed(let location):
            "storage.url: the schema of \(location) could not be migrated (see the log)"
        case .password(let error): error.report
        }
    }
}

extension StorageConfiguration {
    /// How long start-up waits for a PostgreSQL server: a node started before its database (a compose
    /// file, a pod beside its database) should wait a while, not forever.
    public static let postgresStartTimeout: Duration = .seconds(30)

    /// Opens the store, runs `body` with it, and closes it after. A SQLite file is opened as the
    /// service opens it (`readOnly`: beside a running service, as `audit verify` reads it). A
    /// PostgreSQL store's connection pool runs for the length of `body`, its schema migrated first.
    public func withStore<T: Sendable>(
        environment: [String: String],
        readOnly: Bool = false,
        logger: Logger,
        _ body: (any ServiceStore) async throws -> T
    ) async throws -> T {
        switch location {
        case .sqlite(let path):
            let store: SQLiteStore
            do {
                store =
                    readOnly ? try .readOnly(path: path, logger: logger) : try SQLiteStore(path: path, logger: logger)
            } catch {
                throw ServiceStoreError.sqlite(error)
            }
            return try await body(store)
        case .postgres(let url):
            var location = try PostgresLocation(url: url)
            do {
                if let password { location.password = try password.resolve(environment: environment) }
            } catch {
                throw ServiceStoreError.password(error)
            }
            let store = PostgresStore(location: location, logger: logger)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await store.run() }
                defer { group.cancelAll() }
                try await Self.migrate(store, logger: logger)
                return try await body(store)
            }
        }
    }

    /// Applies the migrations, waiting up to `postgresStartTimeout` for the server.
    private static func migrate(_ store: PostgresStore, logger: Logger) async throws {
        let migrated = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    let applied = try await store.migrate()
                    if !applied.isEmpty {
                        logger.notice(
                            "PostgreSQL schema migrated",
                            metadata: ["copilot.store.migrations": "\(applied)"]
                        )
                    }
                    return true
                } catch {
                    // Cancelled by the timeout: the server was not reached, which the caller reports.
                    if Task.isCancelled { throw CancellationError() }
                    logger.error(
                        "PostgreSQL migration failed",
                        metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
                    )
                    throw ServiceStoreError.postgresMigrationFailed(store.location)
                }
            }
            group.addTask {
                try await Task.sleep(for: postgresStartTimeout)
                return false
            }
            defer { group.cancelAll() }
            return try await group.next() ?? false
        }
        guard migrated else { throw ServiceStoreError.postgresUnreachable(store.location) }
    }
}
