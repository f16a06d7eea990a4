import CopilotCore
public import CopilotPlaybooks

extension AppConfiguration {
    /// The loader every playbook path uses (`serve`, reloads, `playbook validate`): it knows the built-in
    /// actions, the config's presets with their `params`, and — when `rbac.service_accounts` is
    /// configured — the service accounts `run_as` may name.
    public var playbookLoader: PlaybookLoader {
        let presets = Dictionary(uniqueKeysWithValues: actions.map { (ActionName(rawValue: $0.key), $0.value.params) })
        return PlaybookLoader(
            catalogue: ActionCatalogue(presets: presets),
            serviceAccounts: rbac.serviceAccounts.isEmpty ? nil : Set(rbac.serviceAccounts.keys)
        )
    }
}
