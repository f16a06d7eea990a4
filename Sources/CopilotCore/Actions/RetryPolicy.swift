/// Decides whether, and after how long, an HTTP call that failed is tried again within one attempt of
/// an action. Pure: the caller supplies the randomness (`jitter`, uniform in `0..<1`).
public protocol RetryPolicy: Sendable {
    /// The wait before call number `attempt + 1`, or nil to stop. `attempt` counts calls made so far
    /// (1 after the first). A failure that is not `retryable` is never retried.
    func delay(afterAttempt attempt: Int, failure: ActionFailure, jitter: Double) -> Duration?
}

/// Exponential backoff with jitter: `initialDelay × multiplier^(attempt-1)`, capped at `maxDelay`, then
/// reduced by up to `jitter × 100` per cent at random. A `Retry-After` the server sent replaces the
/// computed wait; when it asks for more than `maxRetryAfter`, the policy gives up instead of waiting
/// (the failure keeps `retryAfter`, so the run engine can schedule the step's next attempt).
public struct ExponentialBackoff: RetryPolicy, Hashable {
    /// Calls in all, the first included (1 = no retry).
    public var maxAttempts: Int
    public var initialDelay: Duration
    public var multiplier: Double
    public var maxDelay: Duration
    /// The fraction of the delay that randomness may take off, in `0...1`.
    public var jitter: Double
    /// The longest `Retry-After` honoured by waiting.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int,
        initialDelay: Duration,
        multiplier: Double,
        maxDelay: Duration,
        jitter: Double,
        maxRetryAfter: Duration
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
        self.jitter = min(1, max(0, jitter))
        self.maxRetryAfter = maxRetryAfter
    }

    public func delay(afterAttempt attempt: Int, failure: ActionFailure, jitter unit: Double) -> Duration? {
        guard failure.retryable, attempt < maxAttempts else { return nil }
        if let retryAfter = failure.retryAfter {
            return retryAfter <= maxRetryAfter ? max(retryAfter, .zero) : nil
        }
        let exponent = Double(max(0, attempt - 1))
        let base = min(initialDelay * Self.power(multiplier, exponent), maxDelay)
        let clampedUnit = min(max(unit, 0), 1)
        return base * (1 - jitter * clampedUnit)
    }

    /// `base^exponent`, without Foundation's `pow`, saturating well past any sane delay.
    private static func power(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        var remaining = Int(exponent)
        while remaining > 0, result < 1e9 {
            result *= base
            remaining -= 1
        }
        return result
    }
}

extension RetryPolicy where Self == ExponentialBackoff {
    /// Exponential backoff; the defaults suit outbound calls within a step (3 calls, 0.5 s then 1 s,
    /// ±20 % jitter, `Retry-After` honoured up to 60 s).
    public static func exponential(
        maxAttempts: Int = 3,
        initialDelay: Duration = .milliseconds(500),
        multiplier: Double = 2,
        maxDelay: Duration = .seconds(30),
        jitter: Double = 0.2,
        maxRetryAfter: Duration = .seconds(60)
    ) -> ExponentialBackoff {
        ExponentialBackoff(
            maxAttempts: maxAttempts,
            initialDelay: initialDelay,
            multiplier: multiplier,
            maxDelay: maxDelay,
            jitter: jitter,
            maxRetryAfter: maxRetryAfter
        )
    }

    /// One call, no retry.
    public static var none: ExponentialBackoff {
        .exponential(maxAttempts: 1)
    }
}
