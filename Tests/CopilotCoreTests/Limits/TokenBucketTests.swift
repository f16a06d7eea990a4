import CopilotCore
import Testing

@Suite struct TokenBucketTests {
    typealias Bucket = TokenBucket<ContinuousClock.Instant>
    let start = ContinuousClock.now

    @Test("a full bucket lets one second's worth through at once, then refuses until a token is back")
    func burstThenRefuse() {
        var bucket = Bucket(rate: 5)
        for _ in 0..<5 { #expect(bucket.take(now: start) == .allow) }
        #expect(bucket.take(now: start) == .reject(retryAfter: .milliseconds(200)))
        #expect(bucket.take(now: start + .milliseconds(150)) == .reject(retryAfter: .milliseconds(50)))
        #expect(bucket.take(now: start + .milliseconds(200)) == .allow)
        #expect(bucket.take(now: start + .milliseconds(200)) == .reject(retryAfter: .milliseconds(200)))
    }

    @Test("the long-run rate is the configured one, whatever the spacing of the calls")
    func longRunRate() {
        for spacing in [Duration.nanoseconds(700), .microseconds(3), .milliseconds(7)] {
            var bucket = Bucket(rate: 10)
            var allowed = 0
            var now = start
            let end = start + .seconds(1)
            while now < end {
                if bucket.take(now: now) == .allow { allowed += 1 }
                now += spacing
            }
            // 10 at once, then 10 over the second (the last refill may fall just past the end).
            #expect((19...20).contains(allowed), "spacing \(spacing): \(allowed)")
        }
    }

    @Test("idle time refills up to one second's worth, not more")
    func capacity() {
        var bucket = Bucket(rate: 2)
        #expect(bucket.take(now: start) == .allow)
        #expect(bucket.take(now: start) == .allow)
        let later = start + .seconds(60)
        #expect(bucket.take(now: later) == .allow)
        #expect(bucket.take(now: later) == .allow)
        #expect(bucket.take(now: later) == .reject(retryAfter: .milliseconds(500)))
    }

    @Test("a clock that goes back refills nothing; rates are clamped to 1 … 1,000,000")
    func edges() {
        var bucket = Bucket(rate: 0)
        #expect(bucket.rate == 1)
        #expect(bucket.take(now: start) == .allow)
        #expect(bucket.take(now: start - .seconds(5)) == .reject(retryAfter: .seconds(1)))
        #expect(Bucket(rate: .max).rate == 1_000_000)
    }
}
