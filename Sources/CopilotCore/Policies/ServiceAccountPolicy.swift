public import CopilotExpressions

/// Which actions a playbook's service account (`run_as`) may use: `rbac.service_accounts.<name>.allow`,
/// a list of action names and globs (`testbench.run`, `incident.*`), deny by default (CONTRACT §6).
///
/// The engine asks before each step: an action the account may not use ends the step `forbidden`
/// without sending it, and the run fails. The planner is offered only actions the account allows (§4a).
public struct ServiceAccountPolicy: Sendable {
    /// The account a playbook without `run_as` uses.
    public static let defaultAccount = "default"

    /// Each account's patterns; empty when no service account is configured.
    private let accounts: [String: [GlobPattern]]

    /// No accounts: every playbook may use every action (RBAC not configured).
    public static let unrestricted = ServiceAccountPolicy(accounts: [:])

    /// `accounts` empty means no service account is configured, as an empty `service_accounts:` does.
    public init(accounts: [String: [GlobPattern]]) {
        self.accounts = accounts
    }

    /// The configured accounts; nil when none is (then every `run_as` may use every action).
    public var accountNames: Set<String>? { accounts.isEmpty ? nil : Set(accounts.keys) }

    /// True when the account `runAs` (nil: `default`) may use `action`. `default` may use every action
    /// unless it is configured; any other account that is not configured may use none.
    public func allows(runAs: String?, action: ActionName) -> Bool {
        guard !accounts.isEmpty else { return true }
        let account = runAs ?? Self.defaultAccount
        guard let patterns = accounts[account] else { return account == Self.defaultAccount }
        return patterns.contains { $0.matches(action.rawValue) }
    }
}
