import CopilotCore
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `copilot-agent serve` binary: the signals it stops on, and a body too large to announce.
@Suite(.timeLimit(.minutes(2)))
struct SignalShutdownTests {
    static let secret = "signal-test-secret-0123456789abcdef"

    @Test(
        "SIGTERM and SIGINT: the delivery in flight is finished and stored, then the process exits 0",
        arguments: [SIGTERM, SIGINT]
    )
    func stopsCleanly(signal: Int32) async throws {
        let (agent, directory) = try AgentProcess.githubOnly(name: "signal-\(signal)", secret: Self.secret)
        defer {
            agent.stop(with: SIGKILL)  // only if a check below failed before it exited
            try? FileManager.default.removeItem(at: directory)
        }
        try #require(try await agent.waitUntilReady(), "\(agent.log)")

        let body = try Corpus.bytes("github/push.payload.json")
        var head = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in WebhookSigner.github(secret: Self.secret, body: body, event: "push", delivery: "sig-1") {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        let connection = try #require(RawHTTPConnection(port: agent.port))
        defer { connection.close() }
        connection.write(Array(head.utf8) + body.prefix(body.count / 2))
        // Let the server read the head: the request is then in flight, not an idle connection.
        try await Task.sleep(for: .seconds(1))

        kill(agent.process.processIdentifier, signal)
        try await Task.sleep(for: .milliseconds(300))
        #expect(agent.process.isRunning, "the process waits for the request in flight")
        connection.write(Array(body.suffix(from: body.count / 2)))
        let response = connection.readAll()
        #expect(response.hasPrefix("HTTP/1.1 202"), "\(response.prefix(200))")

        let exited = try await eventually(timeout: .seconds(15)) { !agent.process.isRunning }
        try #require(exited, "still running 15 s after the signal: \(agent.log)")
        #expect(agent.process.terminationReason == .exit)
        #expect(agent.process.terminationStatus == 0, "\(agent.log)")
        // The store was released: a new one opens it (the body log's lock is free) and finds the delivery.
        let store = try SQLiteStore(path: directory.path + "/copilot.db", logger: Logger(label: "check"))
        #expect(try await store.count() == 1)
    }

    @Test("a chunked body that grows past max_body_bytes is refused with 413 and nothing is stored")
    func chunkedOversize() async throws {
        let (agent, directory) = try AgentProcess.githubOnly(
            name: "chunked",
            secret: Self.secret,
            server: "max_body_bytes: 4096"
        )
        defer {
            agent.stop(with: SIGTERM)
            try? FileManager.default.removeItem(at: directory)
        }
        try #require(try await agent.waitUntilReady(), "\(agent.log)")

        // No Content-Length: the limit can only be enforced while the body is read.
        let body = Array(#"{"pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 8192) + Array(#""}"#.utf8)
        var head = "POST /webhooks/github HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
        for (name, value) in WebhookSigner.github(secret: Self.secret, body: body, event: "push", delivery: "big-1") {
            head += "\(name): \(value)\r\n"
        }
        head += "\r\n"
        var request = Array(head.utf8)
        var offset = 0
        while offset < body.count {
            let chunk = body[offset..<min(offset + 1024, body.count)]
            request += Array("\(String(chunk.count, radix: 16))\r\n".utf8) + chunk + Array("\r\n".utf8)
            offset += chunk.count
        }
        request += Array("0\r\n\r\n".utf8)
        let connection = try #require(RawHTTPConnection(port: agent.port))
        defer { connection.close() }
        connection.write(request)
        let response = connection.readAll()
        #expect(response.hasPrefix("HTTP/1.1 413"), "\(response.prefix(300))")
        #expect(response.contains(#""code":"payload_too_large""#))
        #expect(try await agent.get("/healthz").status == .ok, "the process stays up")
        agent.stop(with: SIGTERM)
        let store = try SQLiteStore(path: directory.path + "/copilot.db", logger: Logger(label: "check"))
        #expect(try await store.count() == 0)
    }
}
