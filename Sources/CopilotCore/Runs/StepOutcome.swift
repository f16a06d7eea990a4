/// How a step ended (CONTRACT §4). A step that has not ended has no outcome (null in the API).
public enum StepOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    case success
    case failure
    /// Its `if:` was false, or the run was cancelled or rejected before it (and it is no `always()` step).
    case skipped
    /// It was in flight when the run was cancelled and the worker stopped it.
    case cancelled
    /// RBAC refused the action to the playbook's service account; never excused by `continue_on_error`.
    case forbidden
}
