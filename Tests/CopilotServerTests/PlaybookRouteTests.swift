import CopilotCore
import CopilotExpressions
import CopilotPlaybooks
import CopilotServer
import CopilotTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct PlaybookRouteTests {
    static let smoke = """
        name: smoke
        description: Smoke tests when an alert fires.
        on:
          alertmanager:
            types: [alert.firing]
        steps:
          - id: smoke
            uses: testbench.run
            with: { test_suite: smoke, target: { service: "${{ event.subject }}" } }
        """

    static func application(
        outcome: PlaybookReloadOutcome = .reloaded(count: 1)
    ) async throws -> some ApplicationProtocol {
        let keys = MemoryRunStore()
        try await TestOperators.install(in: keys)
        let loader = PlaybookLoader()
        let set = try loader.loadSet([PlaybookSource(path: "Playbooks/smoke.yaml", text: smoke)]).get()
        let registry = PlaybookRegistry(set, loadedAt: Date(timeIntervalSince1970: 1_764_000_000))
        if case .refused(let problems) = outcome { registry.refuse(problems) }
        let readiness = Readiness()
        return Application(
            router: buildRouter(
                configuration: ServerConfiguration(),
                dependencies: ServerDependencies(
                    inbox: MemoryInbox(),
                    receivers: [:],
                    readiness: readiness,
                    playbooks: PlaybookAPI(registry: registry, loader: loader, reload: { _ in outcome }),
                    operators: TestOperators.access(keys)
                )
            )
        )
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue(parsing: Array(buffer: response.body))
    }

    @Test("GET /api/v1/playbooks lists the running set, its load time and no problems")
    func list() async throws {
        try await Self.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/playbooks",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(
                body["playbooks"] == [
                    [
                        "name": "smoke", "file": "Playbooks/smoke.yaml",
                        "description": "Smoke tests when an alert fires.",
                        "sources": ["alertmanager"],
                    ]
                ]
            )
            #expect(body["problems"] == [])
            #expect(body["loaded_at"]?.stringValue?.hasPrefix("2025-11-24T") == true)
        }
    }

    @Test("a refused reload answers 422 invalid_playbooks with its problems, and GET shows them")
    func refusedReload() async throws {
        let problem = Diagnostic(file: "Playbooks/x.yaml", line: 3, column: 5, message: "unknown key 'stpes'")
        try await Self.application(outcome: .refused([problem])).test(.router) { client in
            let reload = try await client.execute(
                uri: "/api/v1/playbooks/reload",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(reload.status == .unprocessableContent)
            let error = try Self.json(reload)["error"]
            #expect(error?["code"] == "invalid_playbooks")
            let expected: JSONValue = [
                ["file": "Playbooks/x.yaml", "line": 3, "column": 5, "message": "unknown key 'stpes'"]
            ]
            #expect(error?["problems"] == expected)
            let list = try await client.execute(
                uri: "/api/v1/playbooks",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(try Self.json(list)["problems"] == expected)
        }
    }

    @Test("a good reload answers the number of playbooks")
    func goodReload() async throws {
        try await Self.application(outcome: .reloaded(count: 7)).test(.router) { client in
            let reload = try await client.execute(
                uri: "/api/v1/playbooks/reload",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(reload.status == .ok)
            #expect(try Self.json(reload) == ["status": "reloaded", "playbooks": 7])
        }
    }

    @Test("POST /api/v1/playbooks/validate reports problems with positions")
    func validate() async throws {
        try await Self.application().test(.router) { client in
            let good = try await client.execute(
                uri: "/api/v1/playbooks/validate",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: Self.smoke)
            )
            #expect(try Self.json(good) == ["valid": true, "problems": []])
            let bad = try await client.execute(
                uri: "/api/v1/playbooks/validate",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(
                    string: Self.smoke.replacingOccurrences(of: "uses: testbench.run", with: "uses: testbench.rnu")
                )
            )
            let body = try Self.json(bad)
            #expect(body["valid"] == false)
            #expect(body["problems"]?.arrayValue?.first?["line"] == 8)
            #expect(body["problems"]?.arrayValue?.first?["message"]?.stringValue?.contains("testbench.run") == true)
        }
    }

    @Test("POST /api/v1/playbooks/test answers the dry run of the running set")
    func dryRun() async throws {
        let payload = try JSONValue(parsing: Corpus.bytes("alertmanager/firing.grouped.json"))
        let request: JSONValue = ["source": "alertmanager", "payload": payload]
        try await Self.application().test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/playbooks/test",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: request.jsonText)
            )
            #expect(response.status == .ok)
            let body = try Self.json(response)
            #expect(body["event"]?["type"] == "alert.firing")
            #expect(body["matched"]?.arrayValue?.first?["playbook"] == "smoke")
            let with = body["matched"]?.arrayValue?.first?["steps"]?.arrayValue?.first?["with"]
            #expect(with?["target"]?["service"] == body["event"]?["subject"])

            let missing = try await client.execute(
                uri: "/api/v1/playbooks/test",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: #"{"source":"jira","payload":{}}"#)
            )
            #expect(missing.status == .badRequest)
            #expect(try Self.json(missing)["error"]?["code"] == "invalid_request")
        }
    }
}
