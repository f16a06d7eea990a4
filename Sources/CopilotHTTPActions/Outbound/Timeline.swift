/// A point on the executor's own monotonic time line: the time since the executor was created, read
/// from the injected clock. Lets a `CircuitBreaker` run on any `Clock<Duration>`.
struct MonotonicInstant: InstantProtocol, Hashable {
    var offset: Duration

    func advanced(by duration: Duration) -> MonotonicInstant { MonotonicInstant(offset: offset + duration) }
    func duration(to other: MonotonicInstant) -> Duration { other.offset - offset }
    static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.offset < rhs.offset }
}

/// The injected clock, with its concrete type erased: what time it is and how to wait.
struct Timeline: Sendable {
    let now: @Sendable () -> MonotonicInstant
    let sleep: @Sendable (Duration) async throws -> Void

    init<C: Clock<Duration>>(clock: C) {
        let origin = clock.now
        now = { MonotonicInstant(offset: origin.duration(to: clock.now)) }
        sleep = { duration in try await clock.sleep(for: duration) }
    }
}
