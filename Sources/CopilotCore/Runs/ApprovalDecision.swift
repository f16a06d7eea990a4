#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A person's (or the timeout's) decision on a step with `approval: required`, stored with the step.
public struct ApprovalDecision: Sendable, Hashable, Codable {
    public enum Decision: String, Sendable, Hashable, Codable {
        case approved
        case rejected
    }

    /// Who decides when `approval_timeout_seconds` runs out.
    public static let timeoutDecider = "timeout"

    public var decision: Decision
    /// The person (the authenticated principal) or `timeout`.
    public var by: String
    public var comment: String?
    public var at: Date

    public init(decision: Decision, by: String, comment: String? = nil, at: Date) {
        self.decision = decision
        self.by = by
        self.comment = comment
        self.at = at
    }
}
