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
import Testing

/// The run and event routes over the in-memory store (its semantics are the `RunStoreContract`'s).
@Suite(.timeLimit(.minutes(1)))
struct RunRouteTests {
    static let playbookYAML = """
        name: smoke
        on:
          alertmanager: {}
        steps:
          - id: check
            uses: testbench.run
            approval: required
            with: { test_suite: smoke }
        """

    /// A store holding one alertmanager event that matched `smoke`, and the id of its run.
    static func seededStore() async throws -> (MemoryRunStore, EventID, RunID) {
        let store = MemoryRunStore()
        let body = try Corpus.bytes("alertmanager/firing.grouped.json")
        let payload = try JSONValue(parsing: body)
        let event = Event(
            id: EventID(rawValue: "evt-1"),
            source: .alertmanager,
            type: "alert.firing",
            receivedAt: Date(timeIntervalSince1970: 1_764_000_000),
            deliveryID: DeliveryID(rawValue: "d-1"),
            subject: "checkout",
            payload: payload
        )
        _ = try await store.enqueue(
            Delivery(
                eventID: event.id,
                source: event.source,
                deliveryID: event.deliveryID,
                type: event.type,
                subject: event.subject,
                receivedAt: event.receivedAt,
                headers: ["content-type": "application/json"],
                body: body
            )
        )
        let playbook = try #require(
            try PlaybookLoader().loadSet([PlaybookSource(path: "smoke.yaml", text: playbookYAML)]).get()[
                PlaybookName(rawValue: "smoke")
            ]
        )
        let newRun = try playbook.newRun(id: RunID(rawValue: "run-1"), for: event, at: event.receivedAt)
        _ = try await store.recordMatch(
            MatchRecord(
                eventID: event.id,
                at: event.receivedAt,
                runs: [newRun],
                notMatched: [
                    .init(playbook: PlaybookName(rawValue: "other"), reason: "on.github: source is alertmanager")
                ]
            )
        )
        try await TestOperators.install(in: store)
        return (store, event.id, newRun.run.id)
    }

    static func application(_ store: MemoryRunStore, playbooks: PlaybookAPI? = nil) -> some ApplicationProtocol {
        Application(
            router: buildRouter(
                configuration: ServerConfiguration(),
                dependencies: ServerDependencies(
                    inbox: store,
                    receivers: [:],
                    readiness: Readiness(),
                    playbooks: playbooks,
                    runs: store,
                    operators: TestOperators.access(store),
                    apiKeys: store
                )
            )
        )
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONValue(parsing: Array(buffer: response.body))
    }

    @Test("GET /api/v1/events/{id} shows the normalized event, its delivery and the match result")
    func event() async throws {
        let (store, eventID, runID) = try await Self.seededStore()
        try await Self.application(store).test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/events/\(eventID)",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(response.status == .ok)
            let body = try Self.json(response)
            // Every field of CONTRACT §2's normalized event: the object playbooks see as `event`.
            let stored = try #require(try await store.delivery(eventID))
            #expect(body["event"] == (try stored.event().contextValue))
            #expect(
                body["event"]?.objectValue?.map(\.key)
                    == ["id", "source", "type", "received_at", "delivery_id", "subject", "payload"]
            )
            #expect(body["event"]?["delivery_id"] == "d-1")
            #expect(body["event"]?["received_at"] == "2025-11-24T16:00:00Z")
            #expect(body["event"]?["payload"]?["groupKey"] != nil)
            #expect(body["delivery"]?["id"] == "d-1")
            #expect(body["match"]?["state"] == "matched")
            #expect(body["match"]?["runs"] == [.string(runID.rawValue)])
            #expect(body["match"]?["not_matched"]?.arrayValue?.first?["reason"] == "on.github: source is alertmanager")
            let missing = try await client.execute(
                uri: "/api/v1/events/nope",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(missing.status == .notFound)
        }
    }

    @Test("GET /api/v1/events/{id} tells why each loaded playbook not listening to the event ignores it")
    func eventExplainsNonListeners() async throws {
        let (store, eventID, _) = try await Self.seededStore()
        let prChecks = """
            name: pr-checks
            on:
              github:
                types: [pull_request.opened]
            steps:
              - id: unit
                uses: testbench.run
                with: { test_suite: unit }
            """
        let loader = PlaybookLoader()
        let set = try loader.loadSet([
            PlaybookSource(path: "smoke.yaml", text: Self.playbookYAML),
            PlaybookSource(path: "pr-checks.yaml", text: prChecks),
        ]).get()
        let api = PlaybookAPI(registry: PlaybookRegistry(set), loader: loader, reload: { _ in .reloaded(count: 2) })
        try await Self.application(store, playbooks: api).test(.router) { client in
            let body = try Self.json(
                try await client.execute(
                    uri: "/api/v1/events/\(eventID)",
                    method: .get,
                    headers: TestOperators.headers()
                )
            )
            let reasons = body["match"]?["not_matched"]?.arrayValue ?? []
            #expect(
                reasons == [
                    ["playbook": "other", "reason": "on.github: source is alertmanager"],
                    ["playbook": "pr-checks", "reason": "on.github: source is alertmanager"],
                ],
                "the stored reason, then the loaded playbook that does not listen; smoke started the run"
            )
        }
    }

    @Test("GET /api/v1/runs lists runs with filters and a cursor; GET /api/v1/runs/{id} has the steps")
    func runs() async throws {
        let (store, eventID, runID) = try await Self.seededStore()
        try await Self.application(store).test(.router) { client in
            let list = try await client.execute(
                uri: "/api/v1/runs?event_id=\(eventID)&limit=10",
                method: .get,
                headers: TestOperators.headers()
            )
            let body = try Self.json(list)
            #expect(body["runs"]?.arrayValue?.map { $0["id"] } == [.string(runID.rawValue)])
            #expect(body["next_cursor"] == .null)
            let filtered = try await client.execute(
                uri: "/api/v1/runs?status=succeeded",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(try Self.json(filtered)["runs"] == [])
            let badStatus = try await client.execute(
                uri: "/api/v1/runs?status=done",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(badStatus.status == .badRequest)
            let badCursor = try await client.execute(
                uri: "/api/v1/runs?cursor=zzz",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(badCursor.status == .badRequest)

            let run = try Self.json(
                try await client.execute(uri: "/api/v1/runs/\(runID)", method: .get, headers: TestOperators.headers())
            )
            #expect(run["status"] == "pending")
            #expect(run["steps"]?.arrayValue?.first?["id"] == "check")
            #expect(run["steps"]?.arrayValue?.first?["outcome"] == .null)
            #expect(
                try await client.execute(uri: "/api/v1/runs/nope", method: .get, headers: TestOperators.headers())
                    .status == .notFound
            )
        }
    }

    @Test("approve of a run that is not waiting is 409 conflict; of an unknown run 404; cancel ends nothing twice")
    func decisions() async throws {
        let (store, _, runID) = try await Self.seededStore()
        try await Self.application(store).test(.router) { client in
            let approve = try await client.execute(
                uri: "/api/v1/runs/\(runID)/approve",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: #"{"comment":"ok"}"#)
            )
            #expect(approve.status == .conflict)
            #expect(try Self.json(approve)["error"]?["code"] == "conflict")
            let unknown = try await client.execute(
                uri: "/api/v1/runs/nope/reject",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(unknown.status == .notFound)
            let badBody = try await client.execute(
                uri: "/api/v1/runs/\(runID)/cancel",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: "[1]")
            )
            #expect(badBody.status == .badRequest)
            let cancel = try await client.execute(
                uri: "/api/v1/runs/\(runID)/cancel",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(cancel.status == .ok)
        }
        #expect(try await store.run(runID)?.cancelRequested == true)
    }
}
