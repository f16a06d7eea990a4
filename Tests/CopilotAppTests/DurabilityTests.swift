import CopilotApp
import CopilotCore
import CopilotExpressions
import CopilotStoreSQLite
import CopilotTesting
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import Testing

@Suite(.timeLimit(.minutes(2)))
struct DurabilityTests {
    static let secret = "durability-test-secret-0123456789abcdef"

    static func configuration(databasePath: String) -> String {
        """
        server: { host: 127.0.0.1, port: 0 }
        storage: { url: "sqlite://\(databasePath)" }
        playbooks: { dir: "\(URL(fileURLWithPath: databasePath).deletingLastPathComponent().path)", watch: false }
        sources:
          github: { secrets: [env:LIVE_GITHUB_SECRET] }
        """
    }

    struct Answer: Sendable {
        var delivery: String
        var eventID: String
        var status: String
    }

    /// Sends every delivery over `connections` real HTTP connections at once; one answer per request.
    static func send(_ deliveries: [String], port: Int, connections: Int) async throws -> [Answer] {
        let body = try Corpus.bytes("github/pull_request.opened.payload.json")
        return try await withThrowingTaskGroup(of: [Answer].self) { group in
            for lane in 0..<connections {
                let mine = deliveries.enumerated().filter { $0.offset % connections == lane }.map(\.element)
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        var answers: [Answer] = []
                        for delivery in mine {
                            var headers = HTTPFields()
                            let signed = WebhookSigner.github(
                                secret: secret,
                                body: body,
                                event: "pull_request",
                                delivery: delivery
                            )
                            for (name, value) in signed {
                                if let name = HTTPField.Name(name) { headers[name] = value }
                            }
                            let response = try await client.post(
                                "/webhooks/github",
                                headers: headers,
                                body: ByteBuffer(bytes: body)
                            )
                            let json = try JSONValue(parsing: Array(buffer: response.body ?? ByteBuffer()))
                            answers.append(
                                Answer(
                                    delivery: delivery,
                                    eventID: json["event_id"]?.stringValue ?? "",
                                    status: json["status"]?.stringValue ?? "?"
                                )
                            )
                        }
                        return answers
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    @Test("N concurrent signed deliveries are all acknowledged, survive a restart, and duplicates count once")
    func acknowledgedDeliveriesSurviveRestart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let databasePath = directory.appendingPathComponent("copilot.db").path
        let variables = ["LIVE_GITHUB_SECRET": Self.secret]
        let count = 200
        let deliveries = (0..<count).map { "delivery-\($0)" }
        // Every delivery twice, so duplicates race their originals across connections.
        let sent = deliveries + deliveries

        let first = try await withLiveService(
            configurationYAML: Self.configuration(databasePath: databasePath),
            variables: variables
        ) { port in
            try await Self.send(sent, port: port, connections: 16)
        }
        #expect(first.count == sent.count)
        let accepted = first.filter { $0.status == "accepted" }
        #expect(accepted.count == count, "each delivery is accepted exactly once")
        #expect(Set(accepted.map(\.delivery)).count == count)
        #expect(first.filter { $0.status == "duplicate" }.count == count)
        let originals = Dictionary(accepted.map { ($0.delivery, $0.eventID) }, uniquingKeysWith: { first, _ in first })
        for answer in first {
            #expect(answer.eventID == originals[answer.delivery], "a duplicate answers with the original's event id")
        }

        // Restarted on the same file, the service knows every acknowledged delivery.
        let second = try await withLiveService(
            configurationYAML: Self.configuration(databasePath: databasePath),
            variables: variables
        ) { port in
            try await Self.send(deliveries, port: port, connections: 4)
        }
        #expect(second.count == count)
        for answer in second {
            #expect(answer.status == "duplicate")
            #expect(answer.eventID == originals[answer.delivery])
        }
        let store = try SQLiteStore(path: databasePath, logger: Logger(label: "check"))
        #expect(try await store.count() == count)
    }
}
