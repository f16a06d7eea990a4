public import CopilotAuth
public import CopilotCore
import CopilotExpressions
public import CopilotPlaybooks

extension AppConfiguration {
    /// The loader every playbook path uses (`serve`, reloads, `playbook validate`): it knows the built-in
    /// actions, the config's presets with their `params`, and the service accounts `run_as` may name.
    public var playbookLoader: PlaybookLoader {
        let presets = Dictionary(uniqueKeysWithValues: actions.map { (ActionName(rawValue: $0.key), $0.value.params) })
        return PlaybookLoader(catalogue: ActionCatalogue(presets: presets), serviceAccounts: serviceAccountPolicy)
    }

    /// `rbac.service_accounts` as the policy the worker checks before each step and the planner's offer
    /// is cut to (CONTRACT §6); unrestricted when none is configured. The globs were checked when the
    /// configuration was read.
    public var serviceAccountPolicy: ServiceAccountPolicy {
        ServiceAccountPolicy(accounts: rbac.serviceAccounts.mapValues { $0.compactMap { try? GlobPattern($0) } })
    }

    /// The built-in operator roles and `rbac.roles` (their permissions were checked when the
    /// configuration was read).
    public var operatorRoles: OperatorRoles {
        OperatorRoles(custom: rbac.roles.mapValues { Set($0.compactMap(Permission.init(rawValue:))) })
    }

    /// The JWT verifier of `auth.jwt`, its secret resolved; nil without `auth.jwt` (API keys only).
    public func operatorJWT(environment: [String: String]) async throws(ConfigurationError) -> OperatorJWT? {
        guard let auth, let secret = auth.secret else { return nil }
        let settings = OperatorJWT.Settings(
            algorithms: auth.algorithms,
            secret: try secret.resolve(environment: environment),
            issuer: auth.issuer,
            audience: auth.audience,
            rolesClaim: auth.rolesClaim
        )
        do {
            return try await OperatorJWT(settings: settings)
        } catch {
            throw ConfigurationError(diagnostic: secret.problem(error.description))
        }
    }
}
