/// What an operator may do through the API (CONTRACT §6), by name, as `rbac.roles.<name>.permissions`
/// lists them.
public enum Permission: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Events, their delivery metadata and match results.
    case eventsRead = "events.read"
    /// Runs, their steps, plans and transcripts, and the live stream.
    case runsRead = "runs.read"
    /// Approve or reject a run's step.
    case runsApprove = "runs.approve"
    /// Cancel a run.
    case runsCancel = "runs.cancel"
    /// The loaded playbooks and their problems.
    case playbooksRead = "playbooks.read"
    /// Validate and dry-run playbooks.
    case playbooksAuthor = "playbooks.author"
    /// Reload the playbook directory.
    case playbooksReload = "playbooks.reload"
    /// Match a stored delivery again as a new event.
    case eventsReplay = "events.replay"
    /// The audit log.
    case auditRead = "audit.read"
    /// Create, list and revoke API keys.
    case tokensManage = "tokens.manage"

    public static func < (left: Permission, right: Permission) -> Bool { left.rawValue < right.rawValue }
}

/// The roles operators hold: the built-in ones of CONTRACT §6 and the configured `rbac.roles`, each a
/// set of permissions; a role not known grants nothing (deny by default).
public struct OperatorRoles: Sendable, Hashable {
    /// The built-in roles, each the one before it plus what it adds: `viewer` reads, `author` also
    /// validates and dry-runs playbooks, `operator` also decides runs; `auditor` is a viewer who reads
    /// the audit log; `admin` may do everything.
    public static let builtIn: [String: Set<Permission>] = {
        let viewer: Set<Permission> = [.eventsRead, .runsRead, .playbooksRead]
        let author = viewer.union([.playbooksAuthor])
        return [
            "viewer": viewer,
            "author": author,
            "operator": author.union([.runsApprove, .runsCancel]),
            "auditor": viewer.union([.auditRead]),
            "admin": Set(Permission.allCases),
        ]
    }()

    private let roles: [String: Set<Permission>]

    /// The built-in roles and `custom` (`rbac.roles`); a custom role of a built-in's name replaces it
    /// (the configuration warns about that).
    public init(custom: [String: Set<Permission>] = [:]) {
        roles = Self.builtIn.merging(custom) { _, configured in configured }
    }

    /// The permissions of the roles `names`, together.
    public func permissions(of names: some Sequence<String>) -> Set<Permission> {
        names.reduce(into: []) { $0.formUnion(roles[$1] ?? []) }
    }

    /// The permissions of one role; empty for a role not known.
    public func permissions(of role: String) -> Set<Permission> { roles[role] ?? [] }

    /// Every role's name.
    public var names: [String] { roles.keys.sorted() }

    /// True when a role of `names` grants `permission`.
    public func allows(_ names: some Sequence<String>, _ permission: Permission) -> Bool {
        names.contains { roles[$0]?.contains(permission) == true }
    }

    /// True when `name` is a role this service knows.
    public func knows(_ name: String) -> Bool { roles[name] != nil }
}
