import CopilotCore
import CopilotExpressions
import CopilotServer
import CopilotTesting
import CopilotWebhooks
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The webhook routes through the production router, with an in-memory inbox.
@Suite(.timeLimit(.minutes(1)))
struct WebhookRouteTests {
    static let secret = "route-test-secret-0123456789abcdef"

    static func dependencies(inbox: MemoryInbox, ready: Bool = true) -> ServerDependencies {
        let readiness = Readiness()
        if ready {
            readiness.storeOpened()
            readiness.playbooksLoaded()
        }
        let github = WebhookReceiver(
            configuration: .init(source: .github, verification: .hmacSHA256(secrets: [Array(secret.utf8)]))
        )
        return ServerDependencies(inbox: inbox, receivers: [.github: github], readiness: readiness)
    }

    static func application(
        inbox: MemoryInbox,
        maxBodyBytes: Int = 1 << 20,
        ready: Bool = true
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(
                configuration: ServerConfiguration(maxBodyBytes: maxBodyBytes),
                dependencies: dependencies(inbox: inbox, ready: ready)
            )
        )
    }

    static func fields(_ headers: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    static func json(_ buffer: ByteBuffer) throws -> JSONValue {
        try JSONValue(parsing: Array(buffer: buffer))
    }

    @Test("a signed corpus delivery is accepted, and its repeat answers duplicate with the same event id")
    func acceptThenDuplicate() async throws {
        let inbox = MemoryInbox()
        let body = try Corpus.bytes("github/pull_request.opened.payload.json")
        let headers = Self.fields(
            WebhookSigner.github(secret: Self.secret, body: body, event: "pull_request", delivery: "d-1")
        )
        try await Self.application(inbox: inbox).test(.router) { client in
            let first = try await client.execute(
                uri: "/webhooks/github",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            #expect(first.status == .accepted)
            let accepted = try Self.json(first.body)
            #expect(accepted["status"] == "accepted")
            let second = try await client.execute(
                uri: "/webhooks/github",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            #expect(second.status == .ok)
            let duplicate = try Self.json(second.body)
            #expect(duplicate["status"] == "duplicate")
            #expect(duplicate["event_id"] == accepted["event_id"])
        }
        #expect(try await inbox.count() == 1)
    }

    @Test("GitHub ping answers pong and stores nothing")
    func ping() async throws {
        let inbox = MemoryInbox()
        let body = try Corpus.bytes("github/ping.payload.json")
        let headers = Self.fields(WebhookSigner.github(secret: Self.secret, body: body, event: "ping", delivery: "p-1"))
        try await Self.application(inbox: inbox).test(.router) { client in
            let response = try await client.execute(
                uri: "/webhooks/github",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            #expect(response.status == .ok)
            #expect(try Self.json(response.body) == ["status": "pong"])
        }
        #expect(try await inbox.count() == 0)
    }

    struct Rejection: Sendable, CustomTestStringConvertible {
        var name: String
        var path = "/webhooks/github"
        var headers: [String: String]
        var body: [UInt8]
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { name }
    }

    static let rejections: [Rejection] = {
        let body = Array(#"{"zen":"x","repository":{"full_name":"o/r"}}"#.utf8)
        let signed = WebhookSigner.github(secret: secret, body: body, event: "push", delivery: "r-1")
        var wrongType = signed
        wrongType["content-type"] = "text/plain"
        var unsigned = signed
        unsigned["x-hub-signature-256"] = nil
        let wrongSecret = WebhookSigner.github(
            secret: "another-secret-entirely-0123456789",
            body: body,
            event: "push",
            delivery: "r-1"
        )
        let badJSON = Array("{not json".utf8)
        return [
            Rejection(
                name: "oversize body",
                headers: signed,
                body: Array(repeating: 0x20, count: 2048),
                status: .contentTooLarge,
                code: "payload_too_large"
            ),
            Rejection(
                name: "wrong content type",
                headers: wrongType,
                body: body,
                status: .unsupportedMediaType,
                code: "unsupported_media_type"
            ),
            Rejection(
                name: "missing signature",
                headers: unsigned,
                body: body,
                status: .unauthorized,
                code: "missing_signature"
            ),
            Rejection(
                name: "wrong secret",
                headers: wrongSecret,
                body: body,
                status: .unauthorized,
                code: "invalid_signature"
            ),
            Rejection(
                name: "malformed JSON",
                headers: WebhookSigner.github(secret: secret, body: badJSON, event: "push", delivery: "r-2"),
                body: badJSON,
                status: .badRequest,
                code: "invalid_json"
            ),
            Rejection(
                name: "unconfigured source",
                path: "/webhooks/pagerduty",
                headers: signed,
                body: body,
                status: .unauthorized,
                code: "invalid_signature"
            ),
        ]
    }()

    @Test("bad deliveries get their documented status and code, and the server stays up", arguments: rejections)
    func rejects(_ rejection: Rejection) async throws {
        let inbox = MemoryInbox()
        try await Self.application(inbox: inbox, maxBodyBytes: 1024).test(.router) { client in
            let response = try await client.execute(
                uri: rejection.path,
                method: .post,
                headers: Self.fields(rejection.headers),
                body: ByteBuffer(bytes: rejection.body)
            )
            #expect(response.status == rejection.status)
            #expect(response.headers[.contentType] == "application/json")
            let error = try Self.json(response.body)["error"]
            #expect(error?["code"] == .string(rejection.code))
            #expect(error?["message"]?.stringValue?.isEmpty == false)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
        #expect(try await inbox.count() == 0)
    }

    @Test("a store that cannot commit answers 503 unavailable")
    func storeUnavailable() async throws {
        let inbox = MemoryInbox(failing: true)
        let body = try Corpus.bytes("github/push.payload.json")
        let headers = Self.fields(WebhookSigner.github(secret: Self.secret, body: body, event: "push", delivery: "u-1"))
        try await Self.application(inbox: inbox).test(.router) { client in
            let response = try await client.execute(
                uri: "/webhooks/github",
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            #expect(response.status == .serviceUnavailable)
            #expect(try Self.json(response.body)["error"]?["code"] == "unavailable")
        }
    }

    @Test("readyz is 503 until the store is open and playbooks are loaded; healthz is always 200")
    func readiness() async throws {
        try await Self.application(inbox: MemoryInbox(), ready: false).test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            let healthy = try await client.execute(uri: "/healthz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(healthy.status == .ok)
        }
        try await Self.application(inbox: MemoryInbox()).test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
        }
    }

    @Test("readyz turns 503 once shutdown begins, while healthz stays 200")
    func notReadyDuringShutdown() async throws {
        let readiness = Readiness()
        readiness.storeOpened()
        readiness.playbooksLoaded()
        let application = Application(
            router: buildRouter(
                configuration: ServerConfiguration(),
                dependencies: ServerDependencies(inbox: MemoryInbox(), receivers: [:], readiness: readiness)
            )
        )
        try await application.test(.router) { client in
            let before = try await client.execute(uri: "/readyz", method: .get)
            readiness.shutdownBegan()
            let during = try await client.execute(uri: "/readyz", method: .get)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(before.status == .ok)
            #expect(during.status == .serviceUnavailable)
            #expect(health.status == .ok)
        }
    }

    @Test("an unknown route answers a JSON 404")
    func notFound() async throws {
        try await Self.application(inbox: MemoryInbox()).test(.router) { client in
            let response = try await client.execute(uri: "/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(try Self.json(response.body)["error"]?["code"] == "not_found")
        }
    }
}
