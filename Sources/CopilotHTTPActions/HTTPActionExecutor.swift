public import AsyncHTTPClient
public import CopilotCore
public import Logging
public import Metrics

/// The `ActionExecutor` port on AsyncHTTPClient: Test-Bench, GitHub, Incident-Manager, Orchestrator,
/// `http.request` and the config's presets (CONTRACT §5, §8).
///
/// Uses the one shared `HTTPClient` it is given (the app creates and shuts it down). Every call has a
/// deadline within the step's timeout, carries `Idempotency-Key`, `traceparent` and `User-Agent`, is
/// retried on 408/429/5xx/timeouts/lost connections by `configuration.retryPolicy` (honouring
/// `Retry-After`), and goes through the integration's circuit breaker, so a dead dependency fails
/// steps at once with `circuit_open`. See `ActionExecutor` for the semantics.
public struct HTTPActionExecutor: ActionExecutor {
    private let registry: [ActionName: any Action]
    private let outbound: OutboundClient

    /// - Parameters:
    ///   - client: the shared client; not shut down here.
    ///   - clock: the time for deadlines, backoff, polling and the circuit breakers.
    ///   - random: 64 random bits on each call (jitter, `traceparent` ids); injected for tests.
    ///   - metricsFactory: where `copilot_outbound_requests_total` and `copilot_circuit_breaker_open` go.
    public init(
        client: HTTPClient,
        configuration: HTTPActionsConfiguration,
        logger: Logger,
        clock: some Clock<Duration> = ContinuousClock(),
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        let breakers = BreakerBoard(configuration: configuration.circuitBreaker, metricsFactory: metricsFactory)
        self.outbound = OutboundClient(
            client: client,
            userAgent: configuration.userAgent,
            retryPolicy: configuration.retryPolicy,
            breakers: breakers,
            timeline: Timeline(clock: clock),
            random: random,
            logger: logger,
            metricsFactory: metricsFactory
        )
        let registry = Self.registry(for: configuration)
        self.registry = registry
        var configured: [String] = []
        if configuration.testBench != nil { configured.append("testbench") }
        if configuration.gitHub != nil { configured.append("github") }
        if configuration.incidentManager != nil { configured.append("incident_manager") }
        if configuration.orchestrator != nil { configured.append("orchestrator") }
        if configuration.httpAllow != nil { configured.append("http") }
        configured += configuration.presets.keys.map(\.rawValue)
        breakers.register(configured)
        outbound.register(configured)
    }

    /// The actions this executor knows: the built-ins of CONTRACT §5 and the config's presets (a preset
    /// named like a built-in replaces it, as `ActionCatalogue` does).
    public var actionNames: [ActionName] { registry.keys.sorted() }

    public func execute(_ request: ActionRequest) async -> ActionOutcome {
        guard let action = registry[request.action] else { return .failed(.unknownAction(request.action)) }
        let trace = request.traceparent.flatMap(TraceParent.init) ?? TraceParent(random: outbound.random)
        let context = ActionContext(
            request: request,
            outbound: outbound,
            deadline: outbound.timeline.now().advanced(by: request.timeout),
            trace: trace
        )
        let outcome = await action.perform(in: context)
        outbound.logger.debug(
            "action attempt ended",
            metadata: [
                LogField.runID: "\(request.runID)", "copilot.step.id": "\(request.stepID)",
                "copilot.action": "\(request.action)", "copilot.attempt": "\(request.attempt)",
                "copilot.outcome": "\(outcome.failure?.reason ?? "success")",
            ]
        )
        return outcome
    }

    /// True while the named integration's circuit is open (or half-open).
    public func isCircuitOpen(_ integration: String) -> Bool {
        outbound.breakers.isOpen(integration)
    }

    private static func registry(for configuration: HTTPActionsConfiguration) -> [ActionName: any Action] {
        let actions: [any Action] = [
            TestBenchRunAction(
                integration: configuration.testBench,
                defaultTimeoutSeconds: configuration.testBenchTimeoutSeconds,
                pollInterval: configuration.pollInterval
            ),
            GitHubCommentAction(integration: configuration.gitHub),
            GitHubStatusAction(integration: configuration.gitHub),
            IncidentUpdateAction(integration: configuration.incidentManager),
            IncidentResolveAction(integration: configuration.incidentManager),
            OrchestratorExecuteAction(
                integration: configuration.orchestrator,
                pollInterval: configuration.pollInterval
            ),
            HTTPRequestAction(allow: configuration.httpAllow),
        ]
        var registry = Dictionary(uniqueKeysWithValues: actions.map { ($0.name, $0) })
        for (name, preset) in configuration.presets {
            registry[name] = PresetAction(name: name, preset: preset, secrets: configuration.secrets)
        }
        return registry
    }
}
