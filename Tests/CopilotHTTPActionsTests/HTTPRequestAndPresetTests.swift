import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct HTTPRequestAndPresetTests {
    static func allow(_ globs: String...) throws -> [GlobPattern] {
        try globs.map { try GlobPattern($0) }
    }

    @Test("http.request sends what with: says to an allowed URL")
    func allowed() async throws {
        let receiver = ReceiverStandIn(body: ["accepted": true])
        try await withStandIn(receiver) { baseURL in
            let executor = Fixtures.executor(
                try Fixtures.configuration { $0.httpAllow = try Self.allow(baseURL + "/hooks/*") }
            )
            let outcome = await executor.execute(
                Fixtures.request(
                    "http.request",
                    with: [
                        "method": "put", "url": .string(baseURL + "/hooks/deploy"),
                        "headers": ["X-Team": "payments"], "body": ["service": "payments"],
                    ]
                )
            )
            #expect(outcome == .succeeded(outputs: ["status": 200, "body": ["accepted": true]]))
            let request = try #require(await receiver.journal.requests.first)
            #expect(request.method == "PUT")
            #expect(request.path == "/hooks/deploy")
            #expect(request.header("X-Team") == "payments")
            #expect(request.header("Content-Type") == "application/json")
            Fixtures.expectCommonHeaders(request, token: nil)
            #expect(request.json == ["service": "payments"])
        }
    }

    @Test("a URL no glob allows is forbidden_url, not retryable, and nothing is sent")
    func forbidden() async throws {
        let receiver = ReceiverStandIn()
        try await withStandIn(receiver) { baseURL in
            let executor = Fixtures.executor(
                try Fixtures.configuration { $0.httpAllow = try Self.allow(baseURL + "/hooks/*") }
            )
            let outcome = await executor.execute(
                Fixtures.request("http.request", with: ["url": .string(baseURL + "/admin")])
            )
            #expect(outcome == .failed(retryable: false, reason: "forbidden_url"))
            #expect(await receiver.journal.requests.isEmpty)
        }
    }

    @Test("without integrations.http, http.request is not_configured")
    func notConfigured() async {
        let executor = Fixtures.executor(Fixtures.configuration { _ in })
        let outcome = await executor.execute(Fixtures.request("http.request", with: ["url": "https://x.example/"]))
        #expect(outcome.failure == .notConfigured)
    }

    @Test("a preset renders ${{ with.x }} and ${{ secrets.X }} in its URL, headers and body")
    func preset() async throws {
        let receiver = ReceiverStandIn(status: 202, body: nil)
        try await withStandIn(receiver) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration {
                    $0.presets["deploy.rollback"] = .init(
                        method: "POST",
                        url: baseURL + "/rollback/${{ with.service }}",
                        headers: ["Authorization": "Bearer ${{ secrets.DEPLOY_TOKEN }}"],
                        body: [
                            "service": "${{ with.service }}", "replicas": "${{ with.replicas }}",
                            "note": "n=${{ with.replicas }}",
                        ],
                        params: ["service", "replicas"]
                    )
                    $0.secrets = ["DEPLOY_TOKEN": "deploy-secret"]
                }
            )
            let outcome = await executor.execute(
                Fixtures.request("deploy.rollback", with: ["service": "payments", "replicas": 3])
            )
            #expect(outcome == .succeeded(outputs: ["status": 202]))
            let request = try #require(await receiver.journal.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/rollback/payments")
            #expect(request.header("Authorization") == "Bearer deploy-secret")
            Fixtures.expectCommonHeaders(request, token: "deploy-secret")
            #expect(request.json == ["service": "payments", "replicas": 3, "note": "n=3"])
        }
    }

    @Test("a value rendered into a preset's URL is percent-encoded and cannot change its path or query")
    func presetURLEncoding() async throws {
        let receiver = ReceiverStandIn(status: 202, body: nil)
        try await withStandIn(receiver) { baseURL in
            let executor = Fixtures.executor(
                Fixtures.configuration {
                    $0.presets["deploy.rollback"] = .init(
                        method: "POST",
                        url: baseURL + "/rollback/${{ with.service }}?region=${{ with.region }}",
                        headers: [:],
                        body: nil,
                        params: ["service", "region"]
                    )
                }
            )
            let outcome = await executor.execute(
                Fixtures.request("deploy.rollback", with: ["service": "../admin?force=1", "region": "eu west&x=1"])
            )
            #expect(outcome == .succeeded(outputs: ["status": 202]))
            let request = try #require(await receiver.journal.requests.first)
            #expect(request.path == "/rollback/..%2Fadmin%3Fforce%3D1")
            #expect(request.query == "region=eu%20west%26x%3D1")
        }
    }

    @Test("an unknown action fails permanently")
    func unknown() async {
        let executor = Fixtures.executor(Fixtures.configuration { _ in })
        let outcome = await executor.execute(Fixtures.request("deploy.nothing"))
        #expect(outcome == .failed(retryable: false, reason: "unknown action deploy.nothing"))
    }
}
