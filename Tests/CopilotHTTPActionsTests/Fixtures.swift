import AsyncHTTPClient
import CopilotCore
import CopilotExpressions
import CopilotHTTPActions
import CopilotTesting
import Foundation
import Logging
import Testing

/// Events, requests and executors shared by the action tests.
enum Fixtures {
    static let token = "s3cr3t-token"
    static let userAgent = "copilot-agent/9.9.9"

    static func event(_ source: EventSource, subject: String, payload: JSONValue) -> Event {
        .fixture(source, subject: subject, payload: payload)
    }

    static let pullRequest = event(
        .github,
        subject: "octo/repo",
        payload: ["action": "opened", "pull_request": ["number": 42, "head": ["sha": "abc123"]]]
    )

    static let incident = event(
        .incident,
        subject: "api-gateway",
        payload: [
            "event_type": "incident.detected", "incident": ["id": "inc-1", "affected_resources": ["api-gateway"]],
        ]
    )

    static func request(
        _ action: ActionName,
        with: JSONObject = [:],
        event: Event = pullRequest,
        attempt: Int = 1,
        timeout: Duration = .seconds(20),
        traceparent: String? = nil
    ) -> ActionRequest {
        ActionRequest(
            runID: RunID(rawValue: "run-1"),
            stepID: StepID(rawValue: "verify"),
            action: action,
            with: with,
            event: event,
            attempt: attempt,
            timeout: timeout,
            traceparent: traceparent
        )
    }

    static func integration(_ baseURL: String) -> HTTPActionsConfiguration.Integration {
        .init(baseURL: baseURL, token: token)
    }

    /// Fast polling and fast retries; the clock is the ImmediateClock unless a test needs real time.
    static func configuration(
        _ change: (inout HTTPActionsConfiguration) throws -> Void
    ) rethrows -> HTTPActionsConfiguration {
        var configuration = HTTPActionsConfiguration(
            userAgent: userAgent,
            pollInterval: .milliseconds(10),
            retryPolicy: .exponential(maxAttempts: 3, initialDelay: .milliseconds(10), jitter: 0)
        )
        try change(&configuration)
        return configuration
    }

    static func executor(
        _ configuration: HTTPActionsConfiguration,
        clock: some Clock<Duration> = ImmediateClock()
    ) -> HTTPActionExecutor {
        HTTPActionExecutor(
            client: HTTPClient.shared,
            configuration: configuration,
            logger: Logger(label: "test"),
            clock: clock
        )
    }

    /// Asserts the headers every outbound call carries.
    static func expectCommonHeaders(
        _ request: RecordedRequest,
        token: String? = Fixtures.token,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(request.header("Idempotency-Key") == "run-1:verify", sourceLocation: sourceLocation)
        #expect(request.header("User-Agent") == userAgent, sourceLocation: sourceLocation)
        #expect(request.headerValues("traceparent").count == 1, sourceLocation: sourceLocation)
        #expect(TraceParent(request.header("traceparent") ?? "") != nil, sourceLocation: sourceLocation)
        #expect(request.header("Authorization") == token.map { "Bearer \($0)" }, sourceLocation: sourceLocation)
    }
}
