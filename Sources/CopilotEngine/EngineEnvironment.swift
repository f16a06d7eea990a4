import CopilotCore
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the worker and each run it executes share: the ports, the injected time and randomness,
/// and the configuration. A plain value, copied into every child task.
struct EngineEnvironment: Sendable {
    var store: any RunStore
    var playbooks: PlaybookRegistry
    var executor: any ActionExecutor
    var configuration: EngineConfiguration
    var clock: any Clock<Duration>
    var now: @Sendable () -> Date
    var random: @Sendable () -> UInt64
    var serviceAccounts: ServiceAccountPolicy
    /// Nil when `agent.provider` is `playbook`: every run executes its playbook's steps.
    var planner: RunPlanner?
    var metrics: EngineMetrics
    var logger: Logger
    /// Asks the worker loop for another pass at once (a slot freed, a cancel arrived).
    var wake: @Sendable () -> Void
    /// Deliveries just matched, for the runs they started.
    var recentDeliveries: RecentDeliveries

    /// `now() + duration`.
    func date(after duration: Duration) -> Date {
        now().addingTimeInterval(duration.timeInterval)
    }
}

/// A `RandomNumberGenerator` over the injected random source (retry jitter, trace ids).
struct InjectedRandomNumberGenerator: RandomNumberGenerator {
    let source: @Sendable () -> UInt64

    mutating func next() -> UInt64 { source() }
}

extension Duration {
    /// The duration in seconds, with sub-second precision.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
