import CopilotCore
import CopilotExpressions
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The `copilot-agent` binary run as a child process, for tests that must kill it (SIGKILL) or signal it.
final class AgentProcess {
    let process = Process()
    let port: Int
    let logURL: URL

    /// The binary SwiftPM built next to the test bundle (`.build/<triple>/debug/copilot-agent`).
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "copilot-agent"
        )
    }

    /// A port nothing listens on right now.
    static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var address = RawHTTPConnection.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// An admin API key, made with `copilot-agent token create` before the service started.
    let adminKey: String

    /// Starts `copilot-agent serve --config <config>` in `directory`, logging to `directory/<name>.log`,
    /// after creating an admin key with `copilot-agent token create`, as an operator would.
    init(config: String, directory: URL, port: Int, environment: [String: String], name: String) throws {
        self.port = port
        logURL = directory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let environment = environment.merging(["PATH": "/usr/bin:/bin"]) { mine, _ in mine }
        adminKey = try Self.createAdminKey(config: config, directory: directory, environment: environment)
        process.executableURL = Self.binary
        process.arguments = ["serve", "--config", config]
        process.currentDirectoryURL = directory
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// A new temporary directory for `serve` (the caller removes it): `playbooks/` with the given files,
    /// and `copilot.yaml` with the server on a free port (`server` adds keys to its mapping, such as
    /// `max_body_bytes: 4096`), the store and the playbook directory inside, then `sections`.
    struct Directory {
        let url: URL
        let config: String
        let port: Int
    }

    static func directory(
        name: String,
        playbooks: [String: String] = [:],
        server: String = "",
        sections: String
    ) throws -> Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("playbooks"),
            withIntermediateDirectories: true
        )
        for (file, text) in playbooks {
            try Data(text.utf8).write(to: url.appendingPathComponent("playbooks/\(file)"))
        }
        let port = freePort()
        let config = url.appendingPathComponent("copilot.yaml").path
        let extra = server.isEmpty ? "" : ", " + server
        try Data(
            ("""
            server: { host: 127.0.0.1, port: \(port)\(extra) }
            storage: { url: "sqlite://\(url.path)/copilot.db" }
            playbooks: { dir: "\(url.path)/playbooks", watch: false }

            """ + sections).utf8
        ).write(to: URL(fileURLWithPath: config))
        return Directory(url: url, config: config, port: port)
    }

    /// `serve` in a new `directory` with no playbook and the GitHub source only, signed with `secret`.
    /// The caller removes `directory` when done.
    static func githubOnly(
        name: String,
        secret: String,
        server: String = ""
    ) throws -> (agent: AgentProcess, directory: URL) {
        let directory = try directory(
            name: name,
            server: server,
            sections: "sources:\n  github: { secrets: [env:GITHUB_TEST_SECRET] }\n"
        )
        let agent = try AgentProcess(
            config: directory.config,
            directory: directory.url,
            port: directory.port,
            environment: ["GITHUB_TEST_SECRET": secret],
            name: name
        )
        return (agent, directory.url)
    }

    /// Waits (bounded) until `/readyz` answers 200.
    func waitUntilReady(timeout: Duration = .seconds(30)) async throws -> Bool {
        try await eventually(timeout: timeout) { (try? await get("/readyz").status) == .ok }
    }

    /// The body of a `GET` as JSON.
    func getJSON(_ path: String) async throws -> JSONValue {
        try JSONValue(parsing: Array(buffer: try await get(path).body ?? ByteBuffer()))
    }

    /// A `GET`; the operator API is called with the admin key.
    func get(_ path: String) async throws -> TestClient.Response {
        let headers: HTTPFields = path.hasPrefix("/api/") ? [.authorization: "Bearer \(adminKey)"] : [:]
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(.init(path, method: .get, headers: headers))
        }
    }

    /// A request with no body, with the admin key (or `key`).
    func request(_ path: String, method: HTTPRequest.Method, key: String? = nil) async throws -> TestClient.Response {
        let headers: HTTPFields = [.authorization: "Bearer \(key ?? adminKey)"]
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(.init(path, method: method, headers: headers))
        }
    }

    /// `copilot-agent token create --role admin`: the key it prints alone on standard output.
    static func createAdminKey(config: String, directory: URL, environment: [String: String]) throws -> String {
        let token = Process()
        let output = Pipe()
        token.executableURL = binary
        token.arguments = ["token", "create", "--role", "admin", "--name", "test", "--config", config]
        token.currentDirectoryURL = directory
        token.environment = environment
        token.standardOutput = output
        token.standardError = FileHandle.nullDevice
        try token.run()
        token.waitUntilExit()
        let key = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.terminationStatus == 0, key.hasPrefix("cpa_") else { throw AgentProcessError.noAdminKey }
        return key
    }

    func post(_ path: String, headers: [String: String], body: [UInt8]) async throws -> TestClient.Response {
        var fields = HTTPFields()
        for (name, value) in headers { if let name = HTTPField.Name(name) { fields[name] = value } }
        let request = fields
        return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.post(path, headers: request, body: ByteBuffer(bytes: body))
        }
    }

    /// Sends `signal` and waits for the process to end; nothing if it has ended already.
    func stop(with signal: Int32) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
}

/// Polls `condition` every 100 ms until it holds or `timeout` passes; answers whether it held.
func eventually(timeout: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}

enum AgentProcessError: Error {
    case noAdminKey
}
