import CopilotCore
import CopilotExpressions
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 2's durable inbox under SIGKILL: the service is killed while deliveries are arriving, and every
/// delivery it acknowledged is in the store after the crash, with its own body (bodies are in the body
/// log, rows in SQLite: a row must never point at another delivery's bytes or at bytes not on disk).
@Suite(.timeLimit(.minutes(2)))
struct IngressCrashTests {
    static let secret = "ingress-crash-secret-0123456789abcdef"

    @Test("every delivery acknowledged before a SIGKILL is stored with its own body")
    func killWhileReceiving() async throws {
        let (agent, directory) = try AgentProcess.githubOnly(name: "ingress-crash", secret: Self.secret)
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = agent.port
        try #require(try await agent.waitUntilReady(), "\(agent.log)")

        // Each delivery's body differs (its `number`), so a row pointing at the wrong bytes shows.
        let lanes = 8
        let total = 3_200
        let killAfter = 200
        let payload = try JSONValue(parsing: Corpus.bytes("github/pull_request.opened.payload.json"))
        let bodies: [[UInt8]] = (0..<total).map { index in
            guard case .object(var members) = payload else { return [] }
            members["number"] = .number(Double(index))
            return Array(JSONValue.object(members).jsonText.utf8)
        }
        let acknowledged = Acknowledged()
        try await withThrowingTaskGroup { group in
            for lane in 0..<lanes {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        for index in stride(from: lane, to: total, by: lanes) {
                            let delivery = "crash-\(index)"
                            var headers = HTTPFields()
                            let signed = WebhookSigner.github(
                                secret: Self.secret,
                                body: bodies[index],
                                event: "pull_request",
                                delivery: delivery
                            )
                            for (name, value) in signed { if let name = HTTPField.Name(name) { headers[name] = value } }
                            // Once the process is gone, requests fail: the lane stops.
                            guard
                                let response = try? await client.post(
                                    "/webhooks/github",
                                    headers: headers,
                                    body: ByteBuffer(bytes: bodies[index])
                                )
                            else { return }
                            let answer = try? JSONValue(parsing: Array(buffer: response.body ?? ByteBuffer()))
                            guard response.status == .accepted, let eventID = answer?["event_id"]?.stringValue
                            else { continue }
                            acknowledged.entries.withLock { $0[delivery] = (eventID, index) }
                        }
                    }
                }
            }
            _ = try await eventually(timeout: .seconds(60)) { acknowledged.entries.withLock { $0.count } >= killAfter }
            agent.stop(with: SIGKILL)
            // A lane whose connection broke ends with an error from the client: that is the point.
            while let _ = try? await group.next() {}
        }

        let acked = acknowledged.entries.withLock { $0 }
        #expect(acked.count >= killAfter, "\(agent.log)")
        #expect(acked.count < total, "killed while deliveries were still arriving")
        let store = try SQLiteStore(path: directory.path + "/copilot.db", logger: Logger(label: "check"))
        #expect(try await store.count() >= acked.count)
        for (delivery, answer) in acked {
            let stored = try await store.delivery(EventID(rawValue: answer.eventID))
            #expect(stored?.deliveryID.rawValue == delivery)
            #expect(stored?.body == bodies[answer.index], "the body of \(delivery)")
        }
    }

    /// Acknowledged deliveries: their event ids and which body each was sent with.
    final class Acknowledged: Sendable {
        let entries = Mutex<[String: (eventID: String, index: Int)]>([:])
    }
}
