import CopilotApp
import CopilotCore
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite(.timeLimit(.minutes(1)))
struct GracefulShutdownTests {
    @Test("a delivery still arriving when shutdown begins is finished and stored; new connections are refused")
    func inFlightRequestFinishes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shutdown-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = """
            server: { host: 127.0.0.1, port: 0, shutdown_grace_seconds: 10 }
            storage: { url: "sqlite://\(directory.path)/copilot.db" }
            playbooks: { dir: "\(directory.path)", watch: false }
            sources:
              github: { secrets: [env:SHUTDOWN_SECRET] }
            """
        let secret = "shutdown-test-secret-0123456789abcdef"
        let configuration = try ConfigurationLoader.load(file: "test.yaml", bytes: Array(yaml.utf8), environment: [:])
        var logger = Logger(label: "shutdown-test")
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        try await configuration.storage.withStore(environment: [:], logger: logger) { store in
            let group = try await buildServiceGroup(
                configuration: configuration,
                environment: ServeEnvironment(
                    variables: ["SHUTDOWN_SECRET": secret],
                    onServerRunning: { portContinuation.yield($0) }
                ),
                store: store,
                logger: logger
            )
            let body = try Corpus.bytes("github/push.payload.json")
            var headers = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
            for (name, value) in WebhookSigner.github(
                secret: secret,
                body: body,
                event: "push",
                delivery: "in-flight-1"
            ) {
                headers += "\(name): \(value)\r\n"
            }
            headers += "\r\n"

            return try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                let connection = try #require(RawHTTPConnection(port: port))
                defer { connection.close() }
                connection.write(Array(headers.utf8) + body.prefix(body.count / 2))
                // Let the server read the head: the request is then in flight, not an idle connection. Three
                // seconds, not one: with the whole suite running on two cores, one second was once too short.
                try await Task.sleep(for: .seconds(3))

                await group.triggerGracefulShutdown()
                // The listener closes soon after, how soon depending on the load (bounded: 5 s).
                var refused = false
                for _ in 0..<50 where !refused {
                    try await Task.sleep(for: .milliseconds(100))
                    let probe = RawHTTPConnection(port: port)
                    probe?.close()
                    refused = probe == nil
                }
                #expect(refused, "no new connection is accepted during shutdown")

                connection.write(Array(body.suffix(from: body.count / 2)))
                let response = connection.readAll()
                #expect(response.hasPrefix("HTTP/1.1 202"), "\(response.prefix(200))")
                #expect(response.contains(#""status":"accepted""#))
                try await tasks.waitForAll()
            }
        }
        let store = try SQLiteStore(path: directory.path + "/copilot.db", logger: logger)
        #expect(try await store.count() == 1)
    }
}
