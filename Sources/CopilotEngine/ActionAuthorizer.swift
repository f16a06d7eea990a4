public import CopilotCore

/// Decides whether a playbook's service account (`run_as`) may use a step's action (CONTRACT §6).
///
/// This is the seam for RBAC: a step whose action is refused ends `forbidden` without being sent, and the
/// run fails. RBAC is not enforced yet, so the engine's default is `allowAll`; CopilotApp will pass one
/// built from `rbac.service_accounts`.
public struct ActionAuthorizer: Sendable {
    /// The service account (`run_as`, nil for `default`), the action, and the playbook asking.
    public typealias Decision = @Sendable (_ runAs: String?, _ action: ActionName, _ playbook: PlaybookName) -> Bool

    private let decide: Decision

    public init(_ decide: @escaping Decision) {
        self.decide = decide
    }

    /// True when the playbook's service account may use the action.
    public func allows(runAs: String?, action: ActionName, playbook: PlaybookName) -> Bool {
        decide(runAs, action, playbook)
    }

    /// Allows every action to every playbook (no RBAC).
    public static let allowAll = ActionAuthorizer { _, _, _ in true }
}
