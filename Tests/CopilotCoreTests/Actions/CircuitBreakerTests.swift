import CopilotCore
import Testing

@Suite struct CircuitBreakerTests {
    typealias Breaker = CircuitBreaker<ContinuousClock.Instant>
    let start = ContinuousClock.now

    @Test("opens after the threshold of consecutive failures and refuses calls")
    func opens() {
        var breaker = Breaker(configuration: .init(failureThreshold: 3, coolDown: .seconds(10)))
        for _ in 0..<2 {
            #expect(breaker.acquire(now: start) == .allow)
            breaker.record(success: false, now: start)
        }
        #expect(!breaker.isOpen)
        #expect(breaker.acquire(now: start) == .allow)
        breaker.record(success: false, now: start)
        #expect(breaker.isOpen)
        #expect(breaker.acquire(now: start + .seconds(4)) == .reject(retryAfter: .seconds(6)))
    }

    @Test("a success resets the count of consecutive failures")
    func successResets() {
        var breaker = Breaker(configuration: .init(failureThreshold: 2, coolDown: .seconds(10)))
        breaker.record(success: false, now: start)
        breaker.record(success: true, now: start)
        breaker.record(success: false, now: start)
        #expect(breaker.state == .closed(consecutiveFailures: 1))
    }

    @Test("half-opens after the cool-down, lets one probe through, closes on its success")
    func halfOpenSuccess() {
        var breaker = Breaker(configuration: .init(failureThreshold: 1, coolDown: .seconds(10)))
        breaker.record(success: false, now: start)
        #expect(breaker.acquire(now: start + .seconds(10)) == .allow)
        #expect(breaker.state == .halfOpen(probeInFlight: true))
        #expect(breaker.acquire(now: start + .seconds(10)) == .reject(retryAfter: .seconds(10)))
        breaker.record(success: true, now: start + .seconds(11))
        #expect(breaker.state == .closed(consecutiveFailures: 0))
        #expect(!breaker.isOpen)
    }

    @Test("a failed probe opens the circuit for another cool-down")
    func halfOpenFailure() {
        var breaker = Breaker(configuration: .init(failureThreshold: 1, coolDown: .seconds(10)))
        breaker.record(success: false, now: start)
        _ = breaker.acquire(now: start + .seconds(12))
        breaker.record(success: false, now: start + .seconds(12))
        #expect(breaker.state == .open(until: start + .seconds(22)))
    }

    @Test("a probe given back lets the next caller probe")
    func releaseProbe() {
        var breaker = Breaker(configuration: .init(failureThreshold: 1, coolDown: .seconds(1)))
        breaker.record(success: false, now: start)
        #expect(breaker.acquire(now: start + .seconds(1)) == .allow)
        breaker.release()
        #expect(breaker.acquire(now: start + .seconds(1)) == .allow)
    }
}
