public import CopilotCore
public import CopilotExpressions

/// What `HTTPActionExecutor` needs to know, as plain resolved values (secrets already read).
///
/// Config keys (CONTRACT §1) and where they land:
/// - `integrations.testbench.url`, `.token`, `.timeout_seconds` → `testBench` (`timeout_seconds` is
///   the default `timeout_seconds` sent to Test-Bench: `testBenchTimeoutSeconds`)
/// - `integrations.github.api_url`, `.token` → `gitHub`
/// - `integrations.incident_manager.url`, `.token` → `incidentManager`
/// - `integrations.orchestrator.url`, `.token` → `orchestrator`
/// - `integrations.http.allow` → `httpAllow` (nil when `http:` is absent: `http.request` is `not_configured`)
/// - `actions.<name>.method`, `.url`, `.headers`, `.body`, `.params` → `presets`
/// - `secrets.<NAME>` → `secrets` (seen only by presets' templates as `secrets.NAME`)
///
/// An integration left nil is absent from the config: its actions fail with `not_configured`.
public struct HTTPActionsConfiguration: Sendable {
    /// One remote service.
    public struct Integration: Sendable, Hashable {
        /// The base URL, without a trailing slash (`http://127.0.0.1:8090`, `https://api.github.com`).
        public var baseURL: String
        /// Sent as `Authorization: Bearer <token>` when set.
        public var token: String?
        /// The longest one HTTP call may take; nil means only the step's timeout bounds it.
        public var requestTimeout: Duration?

        public init(baseURL: String, token: String? = nil, requestTimeout: Duration? = nil) {
            var url = baseURL
            while url.hasSuffix("/") { url.removeLast() }
            self.baseURL = url
            self.token = token
            self.requestTimeout = requestTimeout
        }
    }

    /// A site action of the config's `actions:`: an `http.request` template. Strings may hold
    /// `${{ with.x }}` and `${{ secrets.X }}`.
    public struct Preset: Sendable, Hashable {
        public var method: String
        public var url: String
        public var headers: [String: String]
        public var body: JSONValue?
        /// The `with:` parameters a step may give it.
        public var params: [String]

        public init(
            method: String = "POST",
            url: String,
            headers: [String: String] = [:],
            body: JSONValue? = nil,
            params: [String] = []
        ) {
            self.method = method
            self.url = url
            self.headers = headers
            self.body = body
            self.params = params
        }
    }

    public var testBench: Integration?
    public var gitHub: Integration?
    public var incidentManager: Integration?
    public var orchestrator: Integration?
    /// `integrations.testbench.timeout_seconds`: the test run's timeout when the step gives none.
    public var testBenchTimeoutSeconds: Int
    /// Globs an `http.request` URL must match (whole URL, case-sensitive); nil when `http:` is absent.
    public var httpAllow: [GlobPattern]?
    public var presets: [ActionName: Preset]
    public var secrets: [String: String]
    /// `copilot-agent/<version>`; GitHub refuses requests without a User-Agent.
    public var userAgent: String
    /// How often an asynchronous Test-Bench execution or Orchestrator workflow is polled.
    public var pollInterval: Duration
    /// HTTP-level retries within one attempt.
    public var retryPolicy: ExponentialBackoff
    /// Per integration.
    public var circuitBreaker: CircuitBreakerConfiguration

    public init(
        testBench: Integration? = nil,
        gitHub: Integration? = nil,
        incidentManager: Integration? = nil,
        orchestrator: Integration? = nil,
        testBenchTimeoutSeconds: Int = 600,
        httpAllow: [GlobPattern]? = nil,
        presets: [ActionName: Preset] = [:],
        secrets: [String: String] = [:],
        userAgent: String = "copilot-agent/0.1.0",
        pollInterval: Duration = .seconds(2),
        retryPolicy: ExponentialBackoff = .exponential(),
        circuitBreaker: CircuitBreakerConfiguration = .init()
    ) {
        self.testBench = testBench
        self.gitHub = gitHub
        self.incidentManager = incidentManager
        self.orchestrator = orchestrator
        self.testBenchTimeoutSeconds = testBenchTimeoutSeconds
        self.httpAllow = httpAllow
        self.presets = presets
        self.secrets = secrets
        self.userAgent = userAgent
        self.pollInterval = pollInterval
        self.retryPolicy = retryPolicy
        self.circuitBreaker = circuitBreaker
    }
}

extension HTTPActionsConfiguration.Integration: CustomStringConvertible {
    /// The URL and whether a token is set; never the token.
    public var description: String {
        "Integration(\(baseURL), token: \(token == nil ? "none" : "<redacted>"))"
    }
}

extension HTTPActionsConfiguration: CustomStringConvertible {
    /// Names what is configured; never a token or a secret's value.
    public var description: String {
        let integrations = [
            ("testbench", testBench), ("github", gitHub), ("incident_manager", incidentManager),
            ("orchestrator", orchestrator),
        ]
        .compactMap { name, integration in integration.map { "\(name)=\($0.baseURL)" } }
        let presetNames = presets.keys.map(\.rawValue).sorted()
        return "HTTPActionsConfiguration(\(integrations.joined(separator: ", ")), presets: \(presetNames), "
            + "secrets: \(secrets.count))"
    }
}
