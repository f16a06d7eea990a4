/// A circuit breaker for one integration, as a pure state machine: the caller asks before each call and
/// reports how it went, passing the time, so tests drive it with any clock's instants.
///
/// - `closed`: calls go through; `failureThreshold` consecutive failures open the circuit.
/// - `open`: calls are refused (`circuit_open`) until `coolDown` has passed since it opened.
/// - `halfOpen`: one probe call goes through (others are refused while it is in flight); its success
///   closes the circuit, its failure opens it again for another `coolDown`.
///
/// A "failure" here is a sign that the dependency is unwell: 5xx, 429, a timeout or a lost connection.
/// A 4xx answer shows the dependency is alive and counts as a success.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Where the breaker stands.
    public enum State: Sendable, Hashable {
        case closed(consecutiveFailures: Int)
        case open(until: Instant)
        case halfOpen(probeInFlight: Bool)
    }

    /// The answer to `acquire(now:)`.
    public enum Decision: Sendable, Hashable {
        /// Make the call, then report it with `record(success:now:)`.
        case allow
        /// Do not call; the circuit may let a probe through after `retryAfter`.
        case reject(retryAfter: Duration)
    }

    public let configuration: CircuitBreakerConfiguration
    public private(set) var state: State = .closed(consecutiveFailures: 0)

    public init(configuration: CircuitBreakerConfiguration = .init()) {
        self.configuration = configuration
    }

    /// True when calls are refused (open, or half-open with its probe in flight is still "not closed"
    /// but lets nothing else through). What `copilot_circuit_breaker_open` reports.
    public var isOpen: Bool {
        if case .closed = state { return false }
        return true
    }

    /// Whether a call may be made now. In `open`, once the cool-down has passed, moves to `halfOpen`
    /// and lets this call through as the probe.
    public mutating func acquire(now: Instant) -> Decision {
        switch state {
        case .closed:
            return .allow
        case .open(let until):
            if now < until { return .reject(retryAfter: now.duration(to: until)) }
            state = .halfOpen(probeInFlight: true)
            return .allow
        case .halfOpen(let probeInFlight):
            if probeInFlight { return .reject(retryAfter: configuration.coolDown) }
            state = .halfOpen(probeInFlight: true)
            return .allow
        }
    }

    /// Reports how an allowed call went.
    public mutating func record(success: Bool, now: Instant) {
        switch state {
        case .closed(let failures):
            if success {
                state = .closed(consecutiveFailures: 0)
            } else if failures + 1 >= configuration.failureThreshold {
                state = .open(until: now.advanced(by: configuration.coolDown))
            } else {
                state = .closed(consecutiveFailures: failures + 1)
            }
        case .open:
            // A call allowed before the circuit opened ended late; the open circuit stands.
            break
        case .halfOpen:
            state = success ? .closed(consecutiveFailures: 0) : .open(until: now.advanced(by: configuration.coolDown))
        }
    }

    /// Gives back a probe that was allowed but never made (the task was cancelled before calling), so
    /// the next caller may probe.
    public mutating func release() {
        if case .halfOpen(true) = state { state = .halfOpen(probeInFlight: false) }
    }
}

/// The thresholds of a `CircuitBreaker`.
public struct CircuitBreakerConfiguration: Sendable, Hashable {
    /// Consecutive failures that open the circuit (≥ 1).
    public var failureThreshold: Int
    /// How long the circuit stays open before a probe is let through.
    public var coolDown: Duration

    public init(failureThreshold: Int = 5, coolDown: Duration = .seconds(30)) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }
}
