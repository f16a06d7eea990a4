public import CopilotCore
public import CopilotPlaybooks

/// What the playbook routes need: the live set, a loader to validate and dry-run with, and a way to
/// ask for a reload. The app provides them; the server knows no files.
public struct PlaybookAPI: Sendable {
    public var registry: PlaybookRegistry
    public var loader: PlaybookLoader
    /// Reloads the directory on behalf of the operator it is given (who is audited).
    public var reload: @Sendable (_ actor: String) async -> PlaybookReloadOutcome

    public init(
        registry: PlaybookRegistry,
        loader: PlaybookLoader,
        reload: @escaping @Sendable (_ actor: String) async -> PlaybookReloadOutcome
    ) {
        self.registry = registry
        self.loader = loader
        self.reload = reload
    }
}

/// The result of a reload.
public enum PlaybookReloadOutcome: Sendable, Equatable {
    case reloaded(count: Int)
    /// Nothing changed; these are the problems.
    case refused([Diagnostic])
}
