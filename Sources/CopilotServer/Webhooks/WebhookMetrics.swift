public import CopilotCore
import Metrics

/// The ingress metric families of CONTRACT §7, through the swift-metrics API (the backend is chosen by
/// the app). Labels are bounded: sources, outcomes and error codes, never ids.
public struct WebhookMetrics: Sendable {
    public init() {}

    /// Creates every family at zero for the labels known at start-up, so dashboards see them at once.
    public func register(sources: [EventSource], codes: [String]) {
        // The histogram exists, empty, before the first commit.
        _ = Timer(label: "copilot_inbox_commit_seconds")
        for source in sources {
            for outcome in ["accepted", "duplicate", "rejected"] {
                Counter(label: "copilot_webhook_deliveries_total", dimensions: labels(source, outcome)).increment(by: 0)
            }
            for code in codes {
                Counter(
                    label: "copilot_webhook_rejections_total",
                    dimensions: [("source", source.rawValue), ("code", code)]
                ).increment(by: 0)
            }
        }
    }

    func delivered(source: EventSource, outcome: String) {
        Counter(label: "copilot_webhook_deliveries_total", dimensions: labels(source, outcome)).increment()
    }

    func rejected(source: EventSource, code: String) {
        Counter(label: "copilot_webhook_deliveries_total", dimensions: labels(source, "rejected")).increment()
        Counter(label: "copilot_webhook_rejections_total", dimensions: [("source", source.rawValue), ("code", code)])
            .increment()
    }

    func committed(after duration: Duration) {
        Timer(label: "copilot_inbox_commit_seconds").recordNanoseconds(
            duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        )
    }

    private func labels(_ source: EventSource, _ outcome: String) -> [(String, String)] {
        [("source", source.rawValue), ("outcome", outcome)]
    }
}
