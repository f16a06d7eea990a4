/// The `# HELP` line of every family `/metrics` serves (CONTRACT §7: `promtool check metrics` clean).
///
/// The modules record through swift-metrics, whose API carries no help text, and swift-prometheus refuses
/// (fatally) to register one family twice with different help; so the exposition gets its help lines
/// here, on the way out. A family missing from this table fails `MetricsExpositionTests` (promtool).
enum MetricHelp {
    static let texts: [String: String] = [
        "copilot_webhook_deliveries_total":
            "Webhook deliveries answered, by source and outcome (accepted, duplicate, rejected).",
        "copilot_webhook_rejections_total": "Webhook deliveries rejected, by source and error code.",
        "copilot_inbox_commit_seconds": "Time to commit a delivery durably before it is acknowledged.",
        "copilot_inbox_pending": "Stored events not matched yet.",
        "copilot_inbox_lag_seconds": "Age of the oldest stored event not matched yet.",
        "copilot_runs_total": "Runs that ended, by playbook and status.",
        "copilot_runs_active": "Runs not ended, by status (waiting ones counted from the store).",
        "copilot_step_duration_seconds": "Duration of step attempts, by action and outcome.",
        "copilot_outbound_requests_total": "Outbound HTTP calls, by integration and status.",
        "copilot_circuit_breaker_open": "Whether an integration's circuit breaker is open (1) or closed (0).",
        "copilot_playbooks_loaded": "Playbooks in the live set.",
        "copilot_playbooks_load_errors_total": "Playbook reloads refused because a file was invalid.",
        "copilot_planner_tokens_total": "Tokens used by the planner's model, by provider, model and kind.",
        "copilot_planner_requests_total": "Plannings, by provider and how they ended.",
        "copilot_telemetry_spans_dropped_total":
            "Spans dropped because the exporter's queue was full or a batch could not be delivered.",
    ]

    /// `exposition` with a `# HELP` line before each family's `# TYPE` line.
    static func annotate(_ exposition: String) -> String {
        var lines: [Substring] = []
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first,
                let help = texts[String(name)]
            {
                lines.append("# HELP \(name) \(help)")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
