import AsyncHTTPClient
import CopilotCore
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Tracing

/// Sends `OutboundCall`s through the one shared `HTTPClient`: common headers, an explicit deadline on
/// every call, HTTP-level retries with backoff (honouring `Retry-After`), a circuit breaker per
/// integration and `copilot_outbound_requests_total{integration,status}`.
struct OutboundClient: Sendable {
    let client: HTTPClient
    let userAgent: String
    let retryPolicy: ExponentialBackoff
    let breakers: BreakerBoard
    let timeline: Timeline
    let random: @Sendable () -> UInt64
    let logger: Logger
    let metricsFactory: any MetricsFactory
    /// Bodies larger than this are refused (and the call fails as an invalid response).
    let maxResponseBytes = 10 * 1024 * 1024

    /// Sends `call`, retrying while the policy and the step's `deadline` allow. Answers the first 2xx
    /// response, or the failure of the last try.
    func send(
        _ call: OutboundCall,
        for request: ActionRequest,
        trace: TraceParent,
        deadline: MonotonicInstant
    ) async -> Result<OutboundResponse, ActionFailure> {
        var attempt = 0
        while true {
            if Task.isCancelled { return .failure(.cancelled) }
            let now = timeline.now()
            guard now < deadline else { return .failure(.timeout(after: request.timeout)) }
            if case .reject(let retryAfter) = breakers.acquire(call.integration, now: now) {
                return .failure(.circuitOpen(retryAfter: retryAfter))
            }
            attempt += 1
            let callDeadline = call.timeout.map { min(deadline, now.advanced(by: $0)) } ?? deadline
            let result = await perform(call, for: request, trace: trace, remaining: now.duration(to: callDeadline))
            let failure: ActionFailure
            switch result {
            case .response(let response) where (200...299).contains(response.status):
                breakers.record(call.integration, success: true, now: timeline.now())
                return .success(response)
            case .response(let response):
                let retryAfter = retryAfter(response.headers)
                var classified = ActionFailure.http(
                    status: response.status,
                    from: call.integration,
                    retryAfter: retryAfter
                )
                // GitHub answers an exhausted rate limit with 403 and the reset time: worth waiting for.
                if response.status == 403, retryAfter != nil { classified.retryable = true }
                failure = classified
                breakers.record(call.integration, success: !failure.retryable, now: timeline.now())
            case .timedOut:
                breakers.record(call.integration, success: false, now: timeline.now())
                if timeline.now() >= deadline { return .failure(.timeout(after: request.timeout)) }
                failure = .timeout(after: now.duration(to: callDeadline))
            case .connectionFailed:
                breakers.record(call.integration, success: false, now: timeline.now())
                failure = .connection(to: call.integration)
            case .tooLarge:
                breakers.record(call.integration, success: true, now: timeline.now())
                return .failure(.invalidResponse(from: call.integration))
            case .cancelled:
                breakers.release(call.integration)
                return .failure(.cancelled)
            }
            let unit = Double(random() >> 11) / Double(UInt64(1) << 53)
            guard let delay = retryPolicy.delay(afterAttempt: attempt, failure: failure, jitter: unit),
                timeline.now().advanced(by: delay) < deadline
            else { return .failure(failure) }
            logger.debug(
                "outbound call will be retried",
                metadata: [
                    LogField.runID: "\(request.runID)", "copilot.step.id": "\(request.stepID)",
                    "copilot.integration": "\(call.integration)", "copilot.failure": "\(failure.reason)",
                    "copilot.retry.delay": "\(delay)",
                ]
            )
            do {
                try await timeline.sleep(delay)
            } catch {
                return .failure(.cancelled)
            }
        }
    }

    private enum CallResult {
        case response(OutboundResponse)
        case timedOut
        case connectionFailed
        case tooLarge
        case cancelled
    }

    /// One try, as a client span named by its method (OpenTelemetry's HTTP conventions), whose context
    /// the request's `traceparent` carries.
    private func perform(
        _ call: OutboundCall,
        for request: ActionRequest,
        trace: TraceParent,
        remaining: Duration
    ) async -> CallResult {
        await withSpan(call.method.rawValue, ofKind: .client) { span in
            span.attributes["http.request.method"] = call.method.rawValue
            // The host only: a preset's path or query may carry a token (incoming-webhook URLs do).
            span.attributes["server.address"] = URLComponents(string: call.url)?.host
            span.attributes["copilot.integration"] = call.integration
            let result = await perform(call, for: request, trace: trace, remaining: remaining, in: span)
            switch result {
            case .response(let response):
                span.attributes["http.response.status_code"] = response.status
                if response.status >= 400 { span.setStatus(SpanStatus(code: .error)) }
                return result
            case .timedOut: span.attributes["error.type"] = "timeout"
            case .connectionFailed: span.attributes["error.type"] = "connection"
            case .tooLarge: span.attributes["error.type"] = "response_too_large"
            case .cancelled: span.attributes["error.type"] = "cancelled"
            }
            span.setStatus(SpanStatus(code: .error))
            return result
        }
    }

    private func perform(
        _ call: OutboundCall,
        for request: ActionRequest,
        trace: TraceParent,
        remaining: Duration,
        in span: any Span
    ) async -> CallResult {
        var outbound = HTTPClientRequest(url: call.url)
        outbound.method = call.method
        outbound.headers = headers(for: call, request: request, trace: trace, span: span)
        if let body = call.body { outbound.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = NIODeadline.now() + Self.timeAmount(remaining)
        do {
            let response = try await client.execute(outbound, deadline: deadline, logger: logger)
            let body = try await response.body.collect(upTo: maxResponseBytes)
            count(call.integration, status: "\(response.status.code)")
            logger.debug(
                "outbound call answered",
                metadata: [
                    LogField.runID: "\(request.runID)", "copilot.step.id": "\(request.stepID)",
                    "copilot.integration": "\(call.integration)", "http.request.method": "\(call.method.rawValue)",
                    "http.response.status_code": "\(response.status.code)",
                ]
            )
            return .response(
                OutboundResponse(
                    status: Int(response.status.code),
                    headers: response.headers,
                    body: Array(buffer: body)
                )
            )
        } catch let error as HTTPClientError where Self.timeouts.contains(error) {
            count(call.integration, status: "timeout")
            return .timedOut
        } catch is NIOTooManyBytesError {
            count(call.integration, status: "error")
            return .tooLarge
        } catch {
            if Task.isCancelled || error is CancellationError || (error as? HTTPClientError) == .cancelled {
                return .cancelled
            }
            count(call.integration, status: "error")
            return .connectionFailed
        }
    }

    private static let timeouts: [HTTPClientError] = [
        .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
    ]

    private func headers(
        for call: OutboundCall,
        request: ActionRequest,
        trace: TraceParent,
        span: any Span
    ) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "User-Agent", value: userAgent)
        headers.add(name: "Accept", value: "application/json")
        if let token = call.token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in call.headers { headers.replaceOrAdd(name: name, value: value) }
        headers.replaceOrAdd(name: "Idempotency-Key", value: request.idempotencyKey)
        InstrumentationSystem.instrument.inject(span.context, into: &headers, using: TraceHeadersInjector())
        // Without a tracer: a call id of our own, in the step's trace.
        if !headers.contains(name: "traceparent") {
            headers.add(name: "traceparent", value: trace.child(random: random).description)
        }
        return headers
    }

    private func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        let now = Date()
        if let value = headers.first(name: "Retry-After"), let delay = RetryAfter.parse(value, now: now) {
            return delay
        }
        return RetryAfter.gitHubRateLimit(
            remaining: headers.first(name: "x-ratelimit-remaining"),
            reset: headers.first(name: "x-ratelimit-reset"),
            now: now
        )
    }

    /// The outcomes known before any call (a timeout, a connection error) at zero for each integration,
    /// so the family exists from start-up (CONTRACT §7); HTTP statuses appear as they are answered.
    func register(_ integrations: [String]) {
        for integration in integrations {
            for status in ["timeout", "error"] {
                Counter(
                    label: "copilot_outbound_requests_total",
                    dimensions: [("integration", integration), ("status", status)],
                    factory: metricsFactory
                )
                .increment(by: 0)
            }
        }
    }

    private func count(_ integration: String, status: String) {
        Counter(
            label: "copilot_outbound_requests_total",
            dimensions: [("integration", integration), ("status", status)],
            factory: metricsFactory
        )
        .increment()
    }

    /// Nanoseconds, clamped to a day so a huge timeout cannot overflow.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        guard seconds < 86_400 else { return .hours(24) }
        return .nanoseconds(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}

/// Writes the client span's trace context into the request's headers.
private struct TraceHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
