/// When a failed step is tried again: exponential backoff with jitter over a step's `retry:`.
///
/// After the n-th failure the nominal delay is `backoff_seconds · 2^(n−1)`, capped at
/// `max_backoff_seconds`; the delay used is the nominal one scaled by a random factor in
/// `1 ± jitter` and capped again, so concurrent retries spread out. The random source is injected, so
/// the computation is pure and tests can pin it.
public struct StepBackoff: Sendable, Hashable {
    public var retry: StepRetry
    /// The fraction by which a delay may deviate from the nominal one, in 0...1.
    public var jitter: Double

    public init(_ retry: StepRetry, jitter: Double = 0.2) {
        self.retry = retry
        self.jitter = min(max(jitter, 0), 1)
    }

    /// True when another attempt is allowed after `failures` failed attempts (`retry.attempts` in all).
    public func allowsRetry(afterFailures failures: Int) -> Bool { failures < retry.attempts }

    /// The delay before the next attempt without jitter, in seconds.
    public func nominalDelay(afterFailures failures: Int) -> Double {
        let exponent = min(max(failures - 1, 0), 62)
        let base = max(retry.backoffSeconds, 0)
        let cap = max(retry.maxBackoffSeconds, 0)
        return min(base * Double(UInt64(1) << UInt64(exponent)), cap)
    }

    /// The range the jittered delay falls in, in seconds.
    public func bounds(afterFailures failures: Int) -> ClosedRange<Double> {
        let nominal = nominalDelay(afterFailures: failures)
        let cap = max(retry.maxBackoffSeconds, 0)
        return min(nominal * (1 - jitter), cap)...min(nominal * (1 + jitter), cap)
    }

    /// The delay before the next attempt after `failures` failed attempts.
    public func delay(afterFailures failures: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let range = bounds(afterFailures: failures)
        let seconds = range.lowerBound == range.upperBound ? range.lowerBound : Double.random(in: range, using: &random)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
