/// A rate limit as a pure token bucket: `rate` requests a second on average, with bursts of up to one
/// second's worth (`rate` tokens, at least one). The caller passes the time, so tests drive it with any
/// clock's instants.
///
/// Why a bucket and not a fixed window: a window lets twice the rate through across its edge, and a
/// sender that was refused cannot be told precisely when to come back. The bucket's `retryAfter` is
/// the time until the next token.
public struct TokenBucket<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// The answer to `take(now:)`.
    public enum Decision: Sendable, Hashable {
        case allow
        /// Refused; a token will be there after `retryAfter`.
        case reject(retryAfter: Duration)
    }

    /// Requests a second, from 1 to a million (beyond that a limit is no limit, and the arithmetic
    /// below stays far from overflowing).
    public let rate: Int
    /// Tokens left at `filledAt`, in millionths of a token, so that refilling never loses a fraction.
    private var tokens: Int64
    private var filledAt: Instant?

    public init(rate: Int) {
        self.rate = min(max(1, rate), 1_000_000)
        self.tokens = Int64(self.rate) * Self.unit
    }

    /// Takes one token if there is one, after refilling for the time since the last call.
    public mutating func take(now: Instant) -> Decision {
        refill(now: now)
        if tokens >= Self.unit {
            tokens -= Self.unit
            return .allow
        }
        // Refill adds `rate` units a microsecond; round the wait up so the token is there by then.
        let missing = Self.unit - tokens
        let microseconds = (missing + Int64(rate) - 1) / Int64(rate)
        return .reject(retryAfter: .microseconds(microseconds))
    }

    private mutating func refill(now: Instant) {
        guard let filledAt else {
            self.filledAt = now
            return
        }
        let elapsed = filledAt.duration(to: now)
        guard elapsed > .zero else { return }  // the same instant, or a clock that went back: no refill
        let capacity = Int64(rate) * Self.unit
        let (seconds, attoseconds) = elapsed.components
        guard seconds < 1 else {  // a second refills the whole bucket (and the product cannot overflow)
            tokens = capacity
            self.filledAt = now
            return
        }
        // `rate` units for each whole microsecond; the rest of a microsecond counts at the next call,
        // so calls closer together than that still add up.
        let microseconds = attoseconds / 1_000_000_000_000
        tokens = min(capacity, tokens + Int64(rate) * microseconds)
        self.filledAt = tokens == capacity ? now : filledAt.advanced(by: .microseconds(microseconds))
    }

    /// Millionths of a token: a token a second at rate 1 refills one unit a microsecond.
    private static var unit: Int64 { 1_000_000 }
}
