/// The id Copilot Agent gives an event when it is first stored. Duplicates answer with the original's id.
public struct EventID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

/// The sender's own id for a delivery (`X-GitHub-Delivery`, `webhook-id`, PagerDuty `event.id`, or the
/// content-derived Alertmanager id). Unique per source.
public struct DeliveryID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
