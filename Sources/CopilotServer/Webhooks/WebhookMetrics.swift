public import CopilotCore
import Metrics

/// The ingress metric families of CONTRACT §7, through the swift-metrics API (the backend is chosen by
/// the app). Labels are bounded: sources, outcomes and error codes, never ids.
public struct WebhookMetrics: Sendable {
    /// The `outcome` label of `copilot_webhook_deliveries_total`.
    enum Outcome: String, CaseIterable {
        case accepted, duplicate, rejected
    }

    private struct Delivered: Hashable {
        var source: EventSource
        var outcome: Outcome
    }

    /// `copilot_webhook_deliveries_total` for every source and outcome, made once: making a counter
    /// asks the backend's factory (a lock and a lookup by name and labels) on every delivery otherwise.
    private let deliveries: [Delivered: Counter]
    private let commits: Timer

    /// Made after the metrics backend is bootstrapped: the handles are bound to it.
    public init() {
        var deliveries: [Delivered: Counter] = [:]
        for source in EventSource.allCases {
            for outcome in Outcome.allCases {
                deliveries[Delivered(source: source, outcome: outcome)] = Counter(
                    label: "copilot_webhook_deliveries_total",
                    dimensions: [("source", source.rawValue), ("outcome", outcome.rawValue)]
                )
            }
        }
        self.deliveries = deliveries
        commits = Timer(label: "copilot_inbox_commit_seconds")
    }

    /// Creates every family at zero for the labels known at start-up, so dashboards see them at once.
    public func register(sources: [EventSource], codes: [String]) {
        // The histogram exists, empty, before the first commit (`init` made it).
        for source in sources {
            for outcome in Outcome.allCases {
                delivered(source: source, outcome: outcome, count: 0)
            }
            for code in codes {
                Counter(
                    label: "copilot_webhook_rejections_total",
                    dimensions: [("source", source.rawValue), ("code", code)]
                ).increment(by: 0)
            }
        }
    }

    func delivered(source: EventSource, outcome: Outcome, count: Int64 = 1) {
        // Every source and outcome has its counter (`init`).
        deliveries[Delivered(source: source, outcome: outcome)]?.increment(by: count)
    }

    func rejected(source: EventSource, code: String) {
        delivered(source: source, outcome: .rejected)
        Counter(label: "copilot_webhook_rejections_total", dimensions: [("source", source.rawValue), ("code", code)])
            .increment()
    }

    func committed(after duration: Duration) {
        commits.recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        )
    }
}
