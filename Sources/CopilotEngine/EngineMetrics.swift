import CopilotCore
import Metrics

/// The engine's metric families (CONTRACT §7), recorded through swift-metrics' API: the backend is
/// whatever CopilotApp bootstrapped, or the factory a test passes. No label takes an unbounded value.
struct EngineMetrics: Sendable {
    /// Nil: the globally bootstrapped `MetricsSystem.factory`, read when a metric is recorded.
    let factory: (any MetricsFactory)?

    static let runsTotal = "copilot_runs_total"
    static let runsActive = "copilot_runs_active"
    static let stepDuration = "copilot_step_duration_seconds"
    static let plannerTokens = "copilot_planner_tokens_total"

    /// `copilot_runs_total{playbook, status}`: a run ended.
    func runEnded(playbook: PlaybookName, status: RunStatus) {
        let dimensions = [("playbook", playbook.rawValue), ("status", status.rawValue)]
        if let factory {
            Counter(label: Self.runsTotal, dimensions: dimensions, factory: factory).increment()
        } else {
            Counter(label: Self.runsTotal, dimensions: dimensions).increment()
        }
    }

    /// `copilot_runs_active{status="running"}`: the runs this node is executing now.
    func executing(_ count: Int) {
        let dimensions = [("status", RunStatus.running.rawValue)]
        if let factory {
            Gauge(label: Self.runsActive, dimensions: dimensions, factory: factory).record(count)
        } else {
            Gauge(label: Self.runsActive, dimensions: dimensions).record(count)
        }
    }

    /// `copilot_runs_active{status="pending"|"awaiting_approval"}`: the runs waiting for a worker or a
    /// person, in the whole store (every node sees the same backlog).
    func waiting(_ counts: [RunStatus: Int]) {
        for status in [RunStatus.pending, .awaitingApproval] {
            let dimensions = [("status", status.rawValue)]
            let count = counts[status] ?? 0
            if let factory {
                Gauge(label: Self.runsActive, dimensions: dimensions, factory: factory).record(count)
            } else {
                Gauge(label: Self.runsActive, dimensions: dimensions).record(count)
            }
        }
    }

    /// `copilot_step_duration_seconds{action, outcome}`: one attempt of a step ended.
    func stepFinished(action: ActionName, outcome: StepOutcome, seconds: Double) {
        let dimensions = [("action", action.rawValue), ("outcome", outcome.rawValue)]
        let nanoseconds = Int64((max(seconds, 0) * 1e9).rounded())
        if let factory {
            Metrics.Timer(label: Self.stepDuration, dimensions: dimensions, factory: factory)
                .recordNanoseconds(nanoseconds)
        } else {
            Metrics.Timer(label: Self.stepDuration, dimensions: dimensions).recordNanoseconds(nanoseconds)
        }
    }

    /// `copilot_planner_tokens_total{provider, model, kind}`: tokens a planning's model calls used.
    func plannerUsed(_ usage: TokenUsage, provider: String, model: String) {
        for (kind, tokens) in [("input", usage.inputTokens), ("output", usage.outputTokens)] where tokens > 0 {
            let dimensions = [("provider", provider), ("model", model), ("kind", kind)]
            if let factory {
                Counter(label: Self.plannerTokens, dimensions: dimensions, factory: factory).increment(by: tokens)
            } else {
                Counter(label: Self.plannerTokens, dimensions: dimensions).increment(by: tokens)
            }
        }
    }
}
