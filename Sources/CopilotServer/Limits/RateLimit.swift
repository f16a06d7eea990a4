import CopilotCore
import HTTPTypes
import Synchronization

/// One of `rate_limits.*` (CONTRACT §1), applied per key: each webhook source, or each authenticated
/// operator, has its own `TokenBucket`. The keys are few and bounded (sources; the operators of issued
/// keys), so buckets are never evicted.
final class RateLimit: Sendable {
    private let perSecond: Int
    private let now: @Sendable () -> ContinuousClock.Instant
    private let buckets = Mutex<[String: TokenBucket<ContinuousClock.Instant>]>([:])

    /// nil for a rate of 0, which is off. `now` is the monotonic clock (tests pass their own).
    init?(perSecond: Int, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        guard perSecond > 0 else { return nil }
        self.perSecond = perSecond
        self.now = now
    }

    /// Takes a token for `key`; nil if there was one, otherwise the 429 to answer.
    func refusal(for key: String) -> APIError? {
        // The clock is read under the lock, so racing requests see the bucket in time order.
        let decision = buckets.withLock { buckets in
            buckets[key, default: TokenBucket(rate: perSecond)].take(now: now())
        }
        guard case .reject(let wait) = decision else { return nil }
        return APIError.rateLimited(retryAfter: wait)
    }
}

extension APIError {
    /// 429 with `Retry-After` in whole seconds, rounded up and at least 1 (a sender must not retry at
    /// once).
    static func rateLimited(retryAfter wait: Duration) -> APIError {
        let (seconds, attoseconds) = wait.components
        return APIError(
            status: .tooManyRequests,
            code: "rate_limited",
            message: "too many requests; retry after the time in Retry-After",
            headers: [.retryAfter: String(max(1, Int(clamping: seconds) + (attoseconds > 0 ? 1 : 0)))]
        )
    }
}
