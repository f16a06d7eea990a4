import CopilotStoreSQLite
import Foundation
import Logging

/// The store a command (`token`, `audit`) works on: the configured `storage.url`, opened as the
/// command needs it. Problems are printed; nil then, and the command exits 2.
enum CommandStore {
    enum Access {
        /// Opened as the service opens it: refused while the service runs.
        case exclusive
        /// Read beside a running service (`SQLiteStore.readOnly`).
        case readOnly
    }

    static func open(
        configurationPath: String,
        environment: [String: String],
        access: Access,
        label: String
    ) -> (store: SQLiteStore, configuration: AppConfiguration)? {
        let configuration: AppConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: configurationPath, environment: environment)
        } catch {
            printError(error.report)
            return nil
        }
        guard case .sqlite(let path) = configuration.storage.location else {
            printError("error: storage.url: commands work on the SQLite store in this version")
            return nil
        }
        let logger = Logger(label: label)
        do {
            let store =
                switch access {
                case .exclusive: try SQLiteStore(path: path, logger: logger)
                case .readOnly: try SQLiteStore.readOnly(path: path, logger: logger)
                }
            return (store, configuration)
        } catch {
            printError("error: \(error.description)")
            return nil
        }
    }
}
