import CopilotCore
import CopilotExpressions
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Hot reload through the running service: file changes with `playbooks.watch: true`, and SIGHUP.
@Suite(.timeLimit(.minutes(1)))
struct PlaybookWatchTests {
    static func names(_ listing: JSONValue) -> [String] {
        listing["playbooks"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
    }

    static func listing(port: Int) async throws -> JSONValue {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.execute(
                .init("/api/v1/playbooks", method: .get, headers: TestOperators.headers())
            )
            return try JSONValue(parsing: Array(buffer: response.body ?? .init()))
        }
    }

    @Test("with watch on, a new file is loaded and a broken one is reported while the set stays")
    func watchesTheDirectory() async throws {
        let directory = try PlaybookReloadTests.directory(["smoke.yaml": PlaybookReloadTests.valid])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let yaml = """
            server: { host: 127.0.0.1, port: 0 }
            storage: { url: "sqlite://\(directory)/copilot.db" }
            playbooks: { dir: "\(directory)", watch: true }
            """
        try await withLiveService(configurationYAML: yaml, variables: [:]) { port in
            #expect(Self.names(try await Self.listing(port: port)) == ["smoke"])
            let second = PlaybookReloadTests.valid.replacingOccurrences(of: "name: smoke", with: "name: smoke-two")
            try Data(second.utf8).write(to: URL(fileURLWithPath: directory + "/two.yaml"))
            let loaded = try await eventually(timeout: .seconds(15)) {
                Self.names(try await Self.listing(port: port)) == ["smoke", "smoke-two"]
            }
            #expect(loaded)

            try Data("name: broken\nstpes: []\n".utf8).write(to: URL(fileURLWithPath: directory + "/broken.yaml"))
            let reported = try await eventually(timeout: .seconds(15)) {
                !(try await Self.listing(port: port)["problems"]?.arrayValue?.isEmpty ?? true)
            }
            #expect(reported)
            #expect(Self.names(try await Self.listing(port: port)) == ["smoke", "smoke-two"], "the running set stays")
        }
    }

    @Test("a ConfigMap volume's update (the ..data symlink swapped to a new directory) is loaded")
    func watchesAConfigMapSwap() async throws {
        // Kubernetes' layout: smoke.yaml → ..data/smoke.yaml, ..data → ..<timestamp>/ holding the files.
        let directory = try PlaybookReloadTests.directory([:])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        @Sendable func version(_ name: String, _ text: String) throws {
            let files = FileManager.default
            try files.createDirectory(atPath: "\(directory)/..\(name)", withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: "\(directory)/..\(name)/smoke.yaml"))
            // The swap is a rename over the old link, as the kubelet does it: atomic.
            try files.createSymbolicLink(atPath: "\(directory)/..data_tmp", withDestinationPath: "..\(name)")
            #expect(rename("\(directory)/..data_tmp", "\(directory)/..data") == 0)
        }
        try version("v1", PlaybookReloadTests.valid)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/smoke.yaml",
            withDestinationPath: "..data/smoke.yaml"
        )
        let yaml = """
            server: { host: 127.0.0.1, port: 0 }
            storage: { url: "sqlite://\(directory)/copilot.db" }
            playbooks: { dir: "\(directory)", watch: true }
            """
        try await withLiveService(configurationYAML: yaml, variables: [:]) { port in
            #expect(Self.names(try await Self.listing(port: port)) == ["smoke"])
            try version("v2", PlaybookReloadTests.valid.replacingOccurrences(of: "name: smoke", with: "name: swapped"))
            let loaded = try await eventually(timeout: .seconds(15)) {
                Self.names(try await Self.listing(port: port)) == ["swapped"]
            }
            #expect(loaded)
        }
    }

    @Test("SIGHUP reloads the playbooks of the running binary")
    func reloadsOnHangup() async throws {
        let directory = try PlaybookReloadTests.directory(["smoke.yaml": PlaybookReloadTests.valid])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = AgentProcess.freePort()
        let config = directory + ".yaml"  // beside the playbook directory, not in it
        defer { try? FileManager.default.removeItem(atPath: config) }
        try Data(
            """
            server: { host: 127.0.0.1, port: \(port) }
            storage: { url: "sqlite://\(directory)/copilot.db" }
            playbooks: { dir: "\(directory)", watch: false }
            """.utf8
        ).write(to: URL(fileURLWithPath: config))
        let agent = try AgentProcess(
            config: config,
            directory: URL(fileURLWithPath: directory),
            port: port,
            environment: [:],
            name: "hup"
        )
        defer { agent.stop(with: SIGTERM) }
        #expect(try await agent.waitUntilReady(), "\(agent.log)")
        let second = PlaybookReloadTests.valid.replacingOccurrences(of: "name: smoke", with: "name: smoke-two")
        try Data(second.utf8).write(to: URL(fileURLWithPath: directory + "/two.yaml"))
        kill(agent.process.processIdentifier, SIGHUP)
        let reloaded = try await eventually(timeout: .seconds(15)) {
            Self.names(try await agent.getJSON("/api/v1/playbooks")) == ["smoke", "smoke-two"]
        }
        #expect(reloaded, "\(agent.log)")
        #expect(agent.process.isRunning, "SIGHUP does not stop the service")
    }
}
