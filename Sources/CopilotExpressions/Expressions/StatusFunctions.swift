/// What the status functions `success()`, `failure()`, `cancelled()` and `always()` answer.
///
/// The run lifecycle fills this in before it evaluates a step's `if:`; matching and dry runs use the
/// default (nothing failed, not cancelled), where `success()` is true as it is before a run's first step.
public struct StatusFunctions: Sendable, Hashable {
    /// `failure()`: some earlier step failed (a `continue_on_error` failure does not count).
    public var anyStepFailed: Bool
    /// `cancelled()`: the run was cancelled.
    public var cancelled: Bool
    /// The run was rejected (by a person or an approval timeout): `success()` is false, as after a
    /// cancel, but `cancelled()` is not true (CONTRACT §3: `always()` steps still run after a reject).
    public var rejected: Bool

    public init(anyStepFailed: Bool = false, cancelled: Bool = false, rejected: Bool = false) {
        self.anyStepFailed = anyStepFailed
        self.cancelled = cancelled
        self.rejected = rejected
    }

    /// `success()`: no earlier step failed and the run was neither cancelled nor rejected.
    public var success: Bool { !anyStepFailed && !cancelled && !rejected }
}
