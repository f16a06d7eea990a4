public import CopilotExpressions

/// Why an action failed, short enough for a step's `error` (CONTRACT §4) and never holding a response
/// body, a token or a secret.
public struct ActionFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// True when another attempt may succeed (429, 5xx, timeouts, lost connections).
    public var retryable: Bool
    /// `http 503 from testbench`, `timeout after 300s`, `not_configured`, `circuit_open`, …
    public var reason: String
    /// How long the remote asked us to wait (`Retry-After`, GitHub's rate-limit reset), when it did.
    public var retryAfter: Duration?
    /// What the action produced before it failed (a failed test run's counts, say).
    public var outputs: JSONObject

    public init(retryable: Bool, reason: String, retryAfter: Duration? = nil, outputs: JSONObject = [:]) {
        self.retryable = retryable
        self.reason = reason
        self.retryAfter = retryAfter
        self.outputs = outputs
    }

    public var description: String { reason }
}

extension ActionFailure {
    /// The integration the action needs is absent from the config's `integrations:`.
    public static let notConfigured = ActionFailure(retryable: false, reason: "not_configured")

    /// The integration's circuit breaker is open: the dependency failed repeatedly, so the call was not made.
    public static func circuitOpen(retryAfter: Duration? = nil) -> ActionFailure {
        ActionFailure(retryable: true, reason: "circuit_open", retryAfter: retryAfter)
    }

    /// `http.request` to a URL that no `integrations.http.allow` glob matches.
    public static let forbiddenURL = ActionFailure(retryable: false, reason: "forbidden_url")

    /// No executor knows the action.
    public static func unknownAction(_ name: ActionName) -> ActionFailure {
        ActionFailure(retryable: false, reason: "unknown action \(name.rawValue)")
    }

    /// A `with:` parameter is missing or has the wrong type, or a target cannot be derived from the event.
    public static func invalidParameter(_ name: String) -> ActionFailure {
        ActionFailure(retryable: false, reason: "invalid or missing parameter '\(name)'")
    }

    /// The step's time ran out: `timeout after 300s`.
    public static func timeout(after duration: Duration) -> ActionFailure {
        ActionFailure(retryable: true, reason: "timeout after \(ActionFailure.seconds(duration))s")
    }

    /// A response with a status the action does not accept. 408, 429 and 5xx are retryable, other
    /// statuses are not (STYLE §B4).
    public static func http(status: Int, from integration: String, retryAfter: Duration? = nil) -> ActionFailure {
        ActionFailure(
            retryable: isRetryable(status: status),
            reason: "http \(status) from \(integration)",
            retryAfter: retryAfter
        )
    }

    /// The connection failed or broke before a response arrived.
    public static func connection(to integration: String) -> ActionFailure {
        ActionFailure(retryable: true, reason: "connection error to \(integration)")
    }

    /// A 2xx response whose body is not what the protocol says.
    public static func invalidResponse(from integration: String) -> ActionFailure {
        ActionFailure(retryable: false, reason: "invalid response from \(integration)")
    }

    /// The task running the action was cancelled (the run was cancelled or the service is stopping).
    public static let cancelled = ActionFailure(retryable: true, reason: "cancelled")

    /// 408 (request timeout), 429 (too many requests) and 5xx.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// Whole seconds, rounded up, so `timeout after 0.2s` never reads `timeout after 0s`.
    static func seconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return attoseconds > 0 ? seconds + 1 : seconds
    }
}
