public import CopilotCore
public import Hummingbird
import Synchronization

/// One of `rate_limits.*` (CONTRACT §1), applied per key: each webhook source, or each API credential,
/// has its own `TokenBucket`. The keys are few and bounded (sources; credentials once operators
/// authenticate), so buckets are never evicted.
final class RateLimit: Sendable {
    private let perSecond: Int
    private let buckets = Mutex<[String: TokenBucket<ContinuousClock.Instant>]>([:])

    /// nil for a rate of 0, which is off.
    init?(perSecond: Int) {
        guard perSecond > 0 else { return nil }
        self.perSecond = perSecond
    }

    /// Returns if `key` may make a request now; otherwise throws 429 `rate_limited` with `Retry-After`.
    func admit(_ key: String, now: ContinuousClock.Instant = .now) throws(APIError) {
        let decision = buckets.withLock { buckets in
            buckets[key, default: TokenBucket(rate: perSecond)].take(now: now)
        }
        if case .reject(let wait) = decision { throw APIError.rateLimited(retryAfter: wait) }
    }
}

/// `rate_limits.api_per_second` on the routes it is added to.
///
/// Decision: the limit is per credential, and until operator authentication lands every caller of the
/// API is the same anonymous one, so they share one bucket.
struct APIRateLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: RateLimit

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try limit.admit("anonymous")
        return try await next(request, context)
    }
}

extension APIError {
    /// 429 with `Retry-After` in whole seconds, at least 1 (a sender must not retry at once).
    static func rateLimited(retryAfter wait: Duration) -> APIError {
        APIError(
            status: .tooManyRequests,
            code: "rate_limited",
            message: "too many requests; retry after the time in Retry-After",
            headers: [.retryAfter: String(max(1, wait.wholeSecondsRoundedUp))]
        )
    }
}
