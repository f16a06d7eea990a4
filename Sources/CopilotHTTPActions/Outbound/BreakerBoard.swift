import CopilotCore
import Metrics
import Synchronization

/// The circuit breakers of all integrations, one per integration name, behind one lock; publishes
/// `copilot_circuit_breaker_open{integration}` whenever a breaker changes.
final class BreakerBoard: Sendable {
    private let configuration: CircuitBreakerConfiguration
    private let breakers = Mutex<[String: CircuitBreaker<MonotonicInstant>]>([:])
    private let metricsFactory: any MetricsFactory

    init(configuration: CircuitBreakerConfiguration, metricsFactory: any MetricsFactory) {
        self.configuration = configuration
        self.metricsFactory = metricsFactory
    }

    /// Registers the integrations known at start-up, so the gauge exists at zero (CONTRACT §7).
    func register(_ integrations: some Sequence<String>) {
        for integration in integrations {
            breakers.withLock { $0[integration] = $0[integration] ?? CircuitBreaker(configuration: configuration) }
            publish(integration, isOpen: false)
        }
    }

    func acquire(_ integration: String, now: MonotonicInstant) -> CircuitBreaker<MonotonicInstant>.Decision {
        let (decision, isOpen) = update(integration) { $0.acquire(now: now) }
        publish(integration, isOpen: isOpen)
        return decision
    }

    func record(_ integration: String, success: Bool, now: MonotonicInstant) {
        let (_, isOpen) = update(integration) { $0.record(success: success, now: now) }
        publish(integration, isOpen: isOpen)
    }

    func release(_ integration: String) {
        _ = update(integration) { $0.release() }
    }

    /// True while the integration's circuit is not closed.
    func isOpen(_ integration: String) -> Bool {
        breakers.withLock { $0[integration]?.isOpen ?? false }
    }

    private func update<T>(
        _ integration: String,
        _ body: (inout CircuitBreaker<MonotonicInstant>) -> T
    ) -> (T, Bool) {
        breakers.withLock { breakers in
            var breaker = breakers[integration] ?? CircuitBreaker(configuration: configuration)
            let result = body(&breaker)
            breakers[integration] = breaker
            return (result, breaker.isOpen)
        }
    }

    private func publish(_ integration: String, isOpen: Bool) {
        Gauge(
            label: "copilot_circuit_breaker_open",
            dimensions: [("integration", integration)],
            factory: metricsFactory
        )
        .record(isOpen ? 1 : 0)
    }
}
