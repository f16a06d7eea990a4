import CopilotCore
import CopilotExpressions
import CopilotServer
import CopilotTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// `rate_limits` through the production router, on a clock the test moves.
@Suite(.timeLimit(.minutes(1)))
struct RateLimitRouteTests {
    /// A monotonic clock that moves only when told.
    final class TestClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(by duration: Duration) { instant.withLock { $0 += duration } }
    }

    static func expectRateLimited(_ response: TestResponse) throws {
        #expect(response.status == .tooManyRequests)
        #expect(try WebhookRouteTests.json(response.body)["error"]?["code"] == "rate_limited")
        #expect(response.headers[.retryAfter] == "1")
    }

    @Test("webhooks_per_second: a source's budget is spent only by deliveries that verify and parse")
    func webhookBudget() async throws {
        let inbox = MemoryInbox()
        let clock = TestClock()
        let application = try WebhookSourceRouteTests.application(
            inbox: inbox,
            rateLimits: RateLimitsConfiguration(webhooksPerSecond: 2),
            monotonicNow: { clock.now }
        )
        try await application.test(.router) { client in
            let body = try Corpus.bytes("github/push.payload.json")
            let forged = WebhookSigner.github(
                secret: "forged-0123456789abcdef",
                body: body,
                event: "push",
                delivery: "f"
            )
            let malformed = Array("{not json".utf8)
            for _ in 0..<3 {
                let refused = try await WebhookSourceRouteTests.post(client, .github, headers: forged, body: body)
                #expect(refused.status == .unauthorized)
                let unparsable = try await WebhookSourceRouteTests.post(
                    client,
                    .github,
                    headers: WebhookSourceRouteTests.signed(.github, body: malformed, id: "m"),
                    body: malformed
                )
                #expect(unparsable.status == .badRequest)
            }
            // Two tokens: two deliveries, then refusals until the clock moves.
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<4 {
                let response = try await WebhookSourceRouteTests.postSample(client, .github, id: "r-\(index)")
                statuses.append(response.status)
                if response.status == .tooManyRequests { try Self.expectRateLimited(response) }
            }
            #expect(statuses == [.accepted, .accepted, .tooManyRequests, .tooManyRequests])
            // A repeat of a stored delivery is a duplicate, never a 429 (CONTRACT §2).
            let repeated = try await WebhookSourceRouteTests.postSample(client, .github, id: "r-0")
            #expect(repeated.status == .ok)
            #expect(try WebhookRouteTests.json(repeated.body)["status"] == "duplicate")
            // Another source has a budget of its own.
            #expect(try await WebhookSourceRouteTests.postSample(client, .incident, id: "i").status == .accepted)
            clock.advance(by: .milliseconds(500))
            #expect(try await WebhookSourceRouteTests.postSample(client, .github, id: "r-4").status == .accepted)
            try Self.expectRateLimited(try await WebhookSourceRouteTests.postSample(client, .github, id: "r-5"))
        }
        #expect(try await inbox.count() == 4)
    }

    @Test("api_per_second limits /api/v1, not webhooks, health checks or /metrics")
    func apiBudget() async throws {
        let clock = TestClock()
        let runs = MemoryRunStore()
        try await TestOperators.install(in: runs)
        let application = try WebhookSourceRouteTests.application(
            inbox: MemoryInbox(),
            runs: runs,
            rateLimits: RateLimitsConfiguration(apiPerSecond: 1),
            monotonicNow: { clock.now },
            metricsText: { "# metrics\n" }
        )
        try await application.test(.router) { client in
            #expect(
                try await client.execute(uri: "/api/v1/runs", method: .get, headers: TestOperators.headers()).status
                    == .ok
            )
            try Self.expectRateLimited(
                try await client.execute(uri: "/api/v1/runs", method: .get, headers: TestOperators.headers())
            )
            for path in ["/healthz", "/readyz", "/metrics", "/healthz", "/readyz", "/metrics"] {
                #expect(try await client.execute(uri: path, method: .get).status == .ok, "\(path)")
            }
            #expect(try await WebhookSourceRouteTests.postSample(client, .github, id: "w").status == .accepted)
            clock.advance(by: .seconds(1))
            #expect(
                try await client.execute(uri: "/api/v1/runs", method: .get, headers: TestOperators.headers()).status
                    == .ok
            )
        }
    }
}
