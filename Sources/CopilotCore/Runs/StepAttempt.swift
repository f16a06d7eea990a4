#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One attempt at a step: stored when it starts (before the action is sent) and again when it ends.
///
/// An attempt with no `finishedAt` whose run is resumed was interrupted by a crash: the resume closes it
/// with the error `interrupted` and makes a new attempt with the same idempotency key.
public struct StepAttempt: Sendable, Hashable, Codable {
    /// 1-based.
    public var number: Int
    public var startedAt: Date
    public var finishedAt: Date?
    public var outcome: StepOutcome?
    /// A short reason (`http 503 from testbench`, `timeout after 300s`), never a response body.
    public var error: String?

    public init(
        number: Int,
        startedAt: Date,
        finishedAt: Date? = nil,
        outcome: StepOutcome? = nil,
        error: String? = nil
    ) {
        self.number = number
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.error = error
    }

    /// The error recorded on an attempt that a crash interrupted.
    public static let interruptedError = "interrupted"
}
