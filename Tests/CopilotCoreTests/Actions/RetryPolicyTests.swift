import CopilotCore
import Testing

@Suite struct RetryPolicyTests {
    static let retryable = ActionFailure.http(status: 503, from: "testbench")

    @Test(
        "exponential delays without jitter double up to the cap",
        arguments: [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1_000), (6, 1_000)]
    )
    func exponential(attempt: Int, milliseconds: Int) {
        let policy: ExponentialBackoff = .exponential(
            maxAttempts: 10,
            initialDelay: .milliseconds(100),
            maxDelay: .seconds(1),
            jitter: 0
        )
        #expect(
            policy.delay(afterAttempt: attempt, failure: Self.retryable, jitter: 0.7) == .milliseconds(milliseconds)
        )
    }

    @Test("jitter takes up to its fraction off the delay", arguments: [(0.0, 1_000), (0.5, 900), (1.0, 800)])
    func jitter(unit: Double, milliseconds: Int) {
        let policy: ExponentialBackoff = .exponential(initialDelay: .seconds(1), jitter: 0.2)
        #expect(policy.delay(afterAttempt: 1, failure: Self.retryable, jitter: unit) == .milliseconds(milliseconds))
    }

    @Test("stops after maxAttempts calls")
    func stops() {
        let policy: ExponentialBackoff = .exponential(maxAttempts: 3)
        #expect(policy.delay(afterAttempt: 2, failure: Self.retryable, jitter: 0) != nil)
        #expect(policy.delay(afterAttempt: 3, failure: Self.retryable, jitter: 0) == nil)
        #expect(ExponentialBackoff.none.delay(afterAttempt: 1, failure: Self.retryable, jitter: 0) == nil)
    }

    @Test(
        "retries 408, 429 and 5xx; never other statuses",
        arguments: [
            (408, true), (429, true), (500, true), (503, true), (599, true), (400, false), (401, false),
            (404, false), (409, false), (422, false),
        ]
    )
    func classification(status: Int, retried: Bool) {
        let failure = ActionFailure.http(status: status, from: "github")
        #expect(failure.retryable == retried)
        #expect(failure.reason == "http \(status) from github")
        #expect(
            (ExponentialBackoff.exponential().delay(afterAttempt: 1, failure: failure, jitter: 0) != nil) == retried
        )
    }

    @Test("honours Retry-After in place of the backoff, and gives up when it asks too much")
    func retryAfter() {
        let policy: ExponentialBackoff = .exponential(initialDelay: .milliseconds(10), maxRetryAfter: .seconds(60))
        var failure = ActionFailure.http(status: 429, from: "github", retryAfter: .seconds(7))
        #expect(policy.delay(afterAttempt: 1, failure: failure, jitter: 0.9) == .seconds(7))
        failure.retryAfter = .seconds(61)
        #expect(policy.delay(afterAttempt: 1, failure: failure, jitter: 0) == nil)
    }

    @Test("permanent failures are not retried", arguments: [ActionFailure.notConfigured, .forbiddenURL])
    func permanent(failure: ActionFailure) {
        #expect(ExponentialBackoff.exponential().delay(afterAttempt: 1, failure: failure, jitter: 0) == nil)
    }

    @Test("reasons are the contract's short forms")
    func reasons() {
        #expect(ActionFailure.timeout(after: .seconds(300)).reason == "timeout after 300s")
        #expect(ActionFailure.timeout(after: .milliseconds(200)).reason == "timeout after 1s")
        #expect(ActionFailure.notConfigured.reason == "not_configured")
        #expect(ActionFailure.circuitOpen().reason == "circuit_open")
        #expect(ActionOutcome.failed(retryable: false, reason: "x").failure?.retryable == false)
    }
}
