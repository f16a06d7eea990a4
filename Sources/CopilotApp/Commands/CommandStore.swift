import Foundation
import Logging

/// The store a command (`token`, `audit`) works on: the configured `storage.url`, opened as the
/// command needs it. Problems are printed, and the command exits 2.
enum CommandStore {
    enum Access {
        /// Opened as the service opens it: a SQLite store is refused while the service runs.
        case exclusive
        /// Read beside a running service (`SQLiteStore.readOnly`; PostgreSQL is shared anyway).
        case readOnly
    }

    static func with(
        configurationPath: String,
        environment: [String: String],
        access: Access,
        label: String,
        _ body: (any ServiceStore, AppConfiguration) async -> Int32
    ) async -> Int32 {
        let configuration: AppConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: configurationPath, environment: environment)
        } catch {
            printError(error.report)
            return 2
        }
        var logger = Logger(label: label)
        logger.logLevel = .warning
        do {
            return try await configuration.storage.withStore(
                environment: environment,
                readOnly: access == .readOnly,
                logger: logger
            ) { store in await body(store, configuration) }
        } catch let error as ServiceStoreError {
            printError("error: \(error.description)")
        } catch {
            printError("error: \(error)")
        }
        return 2
    }
}
