import CopilotAuth
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

/// CONTRACT §6: every route in one table, a credential on every operator route, and each built-in
/// role allowed exactly what the table grants it.
@Suite(.timeLimit(.minutes(1)))
struct OperatorAccessTests {
    /// The router with every route: webhooks, health, metrics, runs, events, playbooks, tokens.
    static func router(
        _ store: MemoryRunStore,
        roles: OperatorRoles = OperatorRoles()
    ) throws -> Router<AppRequestContext> {
        let loader = PlaybookLoader()
        let set = try loader.loadSet([PlaybookSource(path: "smoke.yaml", text: RunRouteTests.playbookYAML)]).get()
        return buildRouter(
            configuration: ServerConfiguration(),
            dependencies: ServerDependencies(
                inbox: store,
                receivers: try WebhookSourceRouteTests.receivers(),
                readiness: Readiness(),
                playbooks: PlaybookAPI(
                    registry: PlaybookRegistry(set),
                    loader: loader,
                    reload: { _ in .reloaded(count: 1) }
                ),
                runs: store,
                operators: OperatorAccess(authenticator: OperatorAuthenticator(keys: store), roles: roles),
                apiKeys: store,
                audit: store,
                metricsText: { "" }
            )
        )
    }

    @Test("every route the router serves is in the route table, and the table names no other route")
    func tableIsWhole() throws {
        let served = Set(try Self.router(MemoryRunStore()).routes.map(\.description))
        let listed = Set(APIRoutes.access.keys)
        #expect(
            served.subtracting(listed).isEmpty,
            "routes without a permission: \(served.subtracting(listed).sorted())"
        )
        #expect(listed.subtracting(served).isEmpty, "listed but not served: \(listed.subtracting(served).sorted())")
    }

    /// A concrete request for a route pattern (`{id}` → an id no store knows). The live stream is asked
    /// with a bad `last_event_id`, which its handler refuses at once (its answer otherwise never ends).
    static func path(_ pattern: String) -> String {
        pattern == "/api/v1/stream" ? pattern + "?last_event_id=x" : pattern.replacing("{id}", with: "nope")
    }

    @Test("route × role: a role without the permission is 403 forbidden; with it, the handler answers")
    func matrix() async throws {
        let store = MemoryRunStore()
        try await TestOperators.install(in: store)
        try await Application(router: try Self.router(store)).test(.router) { client in
            for (route, access) in APIRoutes.access.sorted(by: { $0.key < $1.key }) {
                guard case .permission(let permission) = access else { continue }
                let parts = route.split(separator: " ", maxSplits: 1)
                let method = HTTPRequest.Method(String(parts[0])) ?? .get
                for role in OperatorRoles.builtIn.keys.sorted() {
                    let response = try await client.execute(
                        uri: Self.path(String(parts[1])),
                        method: method,
                        headers: TestOperators.headers(role),
                        body: ByteBuffer(string: "{}")
                    )
                    let granted = OperatorRoles.builtIn[role]?.contains(permission) == true
                    if granted {
                        #expect(![.unauthorized, .forbidden].contains(response.status), "\(role) \(route)")
                    } else {
                        #expect(response.status == .forbidden, "\(role) \(route)")
                        #expect(try RunRouteTests.json(response)["error"]?["code"] == "forbidden")
                    }
                }
            }
        }
    }

    @Test("no, malformed, unknown, revoked or expired credentials are 401 with WWW-Authenticate: Bearer")
    func unauthenticated() async throws {
        let store = MemoryRunStore()
        try await TestOperators.install(in: store)
        let expired = "cpa_expired-key-0123456789"
        let old = APIKeyRecord(
            id: "key_old",
            name: "old",
            role: "admin",
            hash: APIKey.hash(expired),
            createdAt: .distantPast,
            expiresAt: Date(timeIntervalSince1970: 1)
        )
        try await store.insertAPIKey(old, audit: .tokenCreated(old, by: "test set-up"))
        _ = try await store.revokeAPIKey(
            id: "key_test_viewer",
            at: Date(),
            audit: .tokenRevoked(id: "key_test_viewer", by: "test set-up", at: Date())
        )
        try await Application(router: try Self.router(store)).test(.router) { client in
            let cases: [(HTTPFields, String)] = [
                ([:], "missing_credentials"),
                ([.authorization: "Basic YWxpY2U6c2VjcmV0"], "missing_credentials"),
                ([.authorization: "Bearer cpa_not-a-key-we-issued"], "invalid_credentials"),
                ([.authorization: "Bearer eyJhbGciOiJub25lIn0.e30."], "invalid_credentials"),
                ([.authorization: "Bearer \(expired)"], "expired_credentials"),
                (TestOperators.headers("viewer"), "revoked_credentials"),
            ]
            for (headers, reason) in cases {
                let response = try await client.execute(uri: "/api/v1/runs", method: .get, headers: headers)
                #expect(response.status == .unauthorized, "\(reason)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                let message = try RunRouteTests.json(response)["error"]?["message"]?.stringValue ?? ""
                #expect(message.hasSuffix(reason), "\(message)")
            }
            // Open routes need nothing.
            for path in ["/healthz", "/metrics"] {
                #expect(try await client.execute(uri: path, method: .get).status == .ok)
            }
        }
    }

    @Test("an admin creates a key (shown once), the key works, lists show no secret, revocation takes effect at once")
    func tokens() async throws {
        let store = MemoryRunStore()
        try await TestOperators.install(in: store)
        try await Application(router: try Self.router(store)).test(.router) { client in
            let created = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: #"{"role": "viewer", "name": "dashboards", "ttl": "30d"}"#)
            )
            #expect(created.status == .created)
            let body = try RunRouteTests.json(created)
            let key = try #require(body["key"]?.stringValue)
            #expect(key.hasPrefix("cpa_") && key.count > 40)
            #expect(body["expires_at"]?.stringValue != nil)
            let id = try #require(body["id"]?.stringValue)
            let bearer: HTTPFields = [.authorization: "Bearer \(key)"]
            #expect(try await client.execute(uri: "/api/v1/runs", method: .get, headers: bearer).status == .ok)
            #expect(
                try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer).status == .forbidden,
                "a viewer manages no keys"
            )
            let listing = try await client.execute(
                uri: "/api/v1/tokens",
                method: .get,
                headers: TestOperators.headers()
            )
            let text = String(buffer: listing.body)
            #expect(text.contains("dashboards") && !text.contains(key) && !text.contains(APIKey.hash(key)))
            let revoked = try await client.execute(
                uri: "/api/v1/tokens/\(id)",
                method: .delete,
                headers: TestOperators.headers()
            )
            #expect(try RunRouteTests.json(revoked)["revoked_at"]?.stringValue != nil)
            #expect(
                try await client.execute(uri: "/api/v1/runs", method: .get, headers: bearer).status == .unauthorized
            )
            let refused = try await client.execute(
                uri: "/api/v1/tokens",
                method: .post,
                headers: TestOperators.headers(),
                body: ByteBuffer(string: #"{"role": "root"}"#)
            )
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("unknown role 'root'"))
        }
    }
}

/// `GET /api/v1/events` and `POST /api/v1/events/{id}/replay` (CONTRACT §6).
@Suite(.timeLimit(.minutes(1)))
struct EventRouteTests {
    @Test("events list newest first; a replay stores the delivery again as a new event pointing at the original")
    func listAndReplay() async throws {
        let (store, eventID, _) = try await RunRouteTests.seededStore()
        try await Application(router: try OperatorAccessTests.router(store)).test(.router) { client in
            let list = try RunRouteTests.json(
                try await client.execute(
                    uri: "/api/v1/events?source=alertmanager",
                    method: .get,
                    headers: TestOperators.headers("viewer")
                )
            )
            #expect(list["events"]?.arrayValue?.map { $0["id"] } == [.string(eventID.rawValue)])
            #expect(list["events"]?.arrayValue?.first?["match_state"] == "matched")
            #expect(list["next_cursor"] == .null)
            let bad = try await client.execute(
                uri: "/api/v1/events?source=ftp",
                method: .get,
                headers: TestOperators.headers()
            )
            #expect(bad.status == .badRequest)

            let forbidden = try await client.execute(
                uri: "/api/v1/events/\(eventID)/replay",
                method: .post,
                headers: TestOperators.headers("operator")
            )
            #expect(forbidden.status == .forbidden, "only an admin replays")
            let replayed = try await client.execute(
                uri: "/api/v1/events/\(eventID)/replay",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(replayed.status == .accepted)
            let body = try RunRouteTests.json(replayed)
            let newID = try #require(body["event_id"]?.stringValue)
            #expect(newID != eventID.rawValue && body["replay_of"] == .string(eventID.rawValue))
            let original = try #require(try await store.delivery(eventID))
            let copy = try #require(try await store.delivery(EventID(rawValue: newID)))
            #expect(copy.body == original.body && copy.source == original.source && copy.type == original.type)
            #expect(copy.headers["x-copilot-replay-of"] == eventID.rawValue)
            let again = try await client.execute(
                uri: "/api/v1/events/\(eventID)/replay",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(try RunRouteTests.json(again)["event_id"]?.stringValue != newID, "every replay is a new event")
            let missing = try await client.execute(
                uri: "/api/v1/events/nope/replay",
                method: .post,
                headers: TestOperators.headers()
            )
            #expect(missing.status == .notFound)
        }
    }
}

/// Issuing keys through the API never grants more than the caller holds, and refuses malformed input.
@Suite(.timeLimit(.minutes(1)))
struct TokenIssuingTests {
    @Test("a key-manager role cannot mint a stronger key; a number ttl or a name with a tab is refused")
    func noEscalation() async throws {
        let store = MemoryRunStore()
        try await TestOperators.install(in: store)
        let keymaster = "cpa_keymaster-0123456789abcdef"
        let record = APIKeyRecord(
            id: "key_km",
            name: "km",
            role: "keymaster",
            hash: APIKey.hash(keymaster),
            createdAt: Date()
        )
        try await store.insertAPIKey(record, audit: .tokenCreated(record, by: "test set-up"))
        let roles = OperatorRoles(custom: ["keymaster": [.tokensManage, .runsRead]])
        let router = try OperatorAccessTests.router(store, roles: roles)
        try await Application(router: router).test(.router) { client async throws in
            let headers: HTTPFields = [.authorization: "Bearer \(keymaster)"]
            let create: @Sendable (String, HTTPFields) async throws -> TestResponse = { body, headers in
                try await client.execute(
                    uri: "/api/v1/tokens",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: body)
                )
            }
            #expect(try await create(#"{"role": "admin"}"#, headers).status == .forbidden)
            #expect(
                try await create(#"{"role": "viewer"}"#, headers).status == .forbidden,
                "viewer reads playbooks; km does not"
            )
            #expect(try await create(#"{"role": "keymaster"}"#, headers).status == .created)
            #expect(try await create(#"{"role": "viewer", "ttl": 30}"#, TestOperators.headers()).status == .badRequest)
            #expect(
                try await create(#"{"role": "viewer", "name": "a\tb"}"#, TestOperators.headers()).status == .badRequest
            )
            #expect(
                try await create(#"{"role": "viewer", "ttl": "99999d"}"#, TestOperators.headers()).status == .badRequest
            )
        }
    }
}
