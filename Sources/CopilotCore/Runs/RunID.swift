/// The id Copilot Agent gives a run when it is created: one run per (event, matched playbook).
///
/// It is half of every outbound idempotency key (`<run_id>:<step_id>`), so it must be stable across restarts.
public struct RunID: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}
