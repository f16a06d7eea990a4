import CopilotCore
import Metrics

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The engine's metric families (CONTRACT §7), recorded through swift-metrics' API: the backend is
/// whatever CopilotApp bootstrapped, or the factory a test passes. No label takes an unbounded value.
struct EngineMetrics: Sendable {
    /// Nil: the globally bootstrapped `MetricsSystem.factory`, read when a metric is recorded.
    let factory: (any MetricsFactory)?

    static let runsTotal = "copilot_runs_total"
    static let runsActive = "copilot_runs_active"
    static let stepDuration = "copilot_step_duration_seconds"
    static let plannerTokens = "copilot_planner_tokens_total"
    static let plannerRequests = "copilot_planner_requests_total"
    static let inboxPending = "copilot_inbox_pending"
    static let inboxLag = "copilot_inbox_lag_seconds"

    /// The families whose labels are known at start-up, at zero (CONTRACT §7): ended runs of each loaded
    /// playbook, the step durations of each action they use (successes and failures), and the
    /// configured model's tokens and plannings. Playbooks loaded later add their series as they run.
    func registerAtStart(playbooks: PlaybookSet, planner: (provider: String, model: String)?) {
        for playbook in playbooks.playbooks {
            for status in RunStatus.allCases where status.isFinal {
                counter(Self.runsTotal, [("playbook", playbook.name.rawValue), ("status", status.rawValue)])
                    .increment(by: 0)
            }
        }
        let actions = Set(playbooks.playbooks.flatMap { $0.steps.map(\.uses.rawValue) })
        for action in actions.sorted() {
            for outcome in [StepOutcome.success, .failure] {
                _ = timer(Self.stepDuration, [("action", action), ("outcome", outcome.rawValue)])
            }
        }
        guard let planner else { return }
        for kind in ["input", "output"] {
            counter(Self.plannerTokens, [("provider", planner.provider), ("model", planner.model), ("kind", kind)])
                .increment(by: 0)
        }
        counter(Self.plannerRequests, [("provider", planner.provider), ("outcome", RunPlan.Status.planned.rawValue)])
            .increment(by: 0)
    }

    /// `copilot_runs_total{playbook, status}`: a run ended.
    func runEnded(playbook: PlaybookName, status: RunStatus) {
        let dimensions = [("playbook", playbook.rawValue), ("status", status.rawValue)]
        counter(Self.runsTotal, dimensions).increment()
    }

    /// `copilot_runs_active{status="running"}`: the runs this node is executing now.
    func executing(_ count: Int) {
        gauge(Self.runsActive, [("status", RunStatus.running.rawValue)]).record(count)
    }

    /// What waits in the whole store (every node reports the same): `copilot_runs_active{status=
    /// "pending"|"awaiting_approval"}`, the runs waiting for a worker or a person;
    /// `copilot_inbox_pending`, the events not matched yet; `copilot_inbox_lag_seconds`, the age of the
    /// oldest of them (0 when there is none).
    func waiting(_ backlog: Backlog, at now: Date) {
        for status in [RunStatus.pending, .awaitingApproval] {
            gauge(Self.runsActive, [("status", status.rawValue)]).record(backlog.runs[status] ?? 0)
        }
        gauge(Self.inboxPending, []).record(backlog.unmatchedEvents)
        gauge(Self.inboxLag, []).record(max(0, backlog.oldestUnmatchedAt.map { now.timeIntervalSince($0) } ?? 0))
    }

    /// `copilot_planner_requests_total{provider, outcome}`: a planning ended, with a model's plan
    /// (`planned`) or falling back to the playbook's steps for one of a few reasons.
    func planned(_ plan: RunPlan) {
        counter(Self.plannerRequests, [("provider", plan.provider), ("outcome", plan.outcome)]).increment()
    }

    /// `copilot_step_duration_seconds{action, outcome}`: one attempt of a step ended.
    func stepFinished(action: ActionName, outcome: StepOutcome, seconds: Double) {
        timer(Self.stepDuration, [("action", action.rawValue), ("outcome", outcome.rawValue)])
            .recordNanoseconds(Int64((max(seconds, 0) * 1e9).rounded()))
    }

    /// `copilot_planner_tokens_total{provider, model, kind}`: tokens a planning's model calls used.
    func plannerUsed(_ usage: TokenUsage, provider: String, model: String) {
        for (kind, tokens) in [("input", usage.inputTokens), ("output", usage.outputTokens)] where tokens > 0 {
            counter(Self.plannerTokens, [("provider", provider), ("model", model), ("kind", kind)])
                .increment(by: tokens)
        }
    }

    // One place for the factory: the one given, else the bootstrapped one, read when a metric is made.
    private var resolved: any MetricsFactory { factory ?? MetricsSystem.factory }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        Counter(label: label, dimensions: dimensions, factory: resolved)
    }

    private func gauge(_ label: String, _ dimensions: [(String, String)]) -> Gauge {
        Gauge(label: label, dimensions: dimensions, factory: resolved)
    }

    private func timer(_ label: String, _ dimensions: [(String, String)]) -> Metrics.Timer {
        Metrics.Timer(label: label, dimensions: dimensions, factory: resolved)
    }
}
