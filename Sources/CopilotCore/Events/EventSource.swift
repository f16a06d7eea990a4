/// A sender of webhooks that Copilot Agent understands (CONTRACT §2).
public enum EventSource: String, Sendable, Hashable, CaseIterable, Codable {
    case github
    case incident
    case alertmanager
    case pagerduty
}
