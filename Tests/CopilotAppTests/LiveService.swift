import CopilotApp
import CopilotCore
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import Logging
import ServiceLifecycle

/// Runs the real service (the same `buildServiceGroup` as `serve`) on 127.0.0.1 with an ephemeral port,
/// hands the port to `body`, then shuts it down gracefully and waits for it to stop.
func withLiveService<T: Sendable>(
    configurationYAML: String,
    variables: [String: String],
    logger given: Logger? = nil,
    _ body: @Sendable (Int) async throws -> T
) async throws -> T {
    let configuration = try ConfigurationLoader.load(
        file: "live-test.yaml",
        bytes: Array(configurationYAML.utf8),
        environment: variables
    )
    var logger = given ?? Logger(label: "live-test")
    if given == nil { logger.logLevel = .warning }
    // The built-in roles' test keys, in the store the service opens (an operator would use `token create`).
    if case .sqlite(let path) = configuration.storage.location {
        try await TestOperators.install(in: try SQLiteStore(path: path, logger: logger))
    }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    return try await configuration.storage.withStore(environment: variables, logger: logger) { store in
        let group = try await buildServiceGroup(
            configuration: configuration,
            environment: ServeEnvironment(variables: variables, onServerRunning: { portContinuation.yield($0) }),
            store: store,
            logger: logger
        )
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let result: T
            do {
                result = try await body(port)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}
