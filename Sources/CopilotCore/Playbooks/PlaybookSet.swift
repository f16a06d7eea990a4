/// A complete, valid set of playbooks: what the registry swaps in atomically at a reload.
///
/// A plain value, built once: the (source, type) index is computed at `init` and matching reads it
/// without locks.
public struct PlaybookSet: Sendable {
    /// Sorted by name.
    public let playbooks: [Playbook]
    let index: PlaybookIndex
    let plan: MatchPlan
    private let positions: [PlaybookName: Int]
    /// The playbooks with `agent:`: a model plans their runs when one is configured.
    public let withAgent: Set<PlaybookName>

    /// An empty set.
    public init() {
        self.init([])
    }

    /// The playbooks, sorted by name. Names are expected to be unique (the loader checks); for a
    /// repeated name, lookup by name finds the first.
    public init(_ playbooks: [Playbook]) {
        let sorted = playbooks.sorted { ($0.name, $0.file) < ($1.name, $1.file) }
        self.playbooks = sorted
        self.index = PlaybookIndex(sorted)
        self.plan = MatchPlan(sorted)
        var positions: [PlaybookName: Int] = [:]
        for (position, playbook) in sorted.enumerated() where positions[playbook.name] == nil {
            positions[playbook.name] = position
        }
        self.positions = positions
        withAgent = Set(sorted.filter { $0.agent != nil }.map(\.name))
    }

    public var count: Int { playbooks.count }
    public var isEmpty: Bool { playbooks.isEmpty }

    public subscript(name: PlaybookName) -> Playbook? {
        positions[name].map { playbooks[$0] }
    }
}
