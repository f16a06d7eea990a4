/// The playbooks an event matches, in the set's order: a collection of `Playbook` that holds the set's
/// playbooks and the positions that matched.
///
/// Matching used to copy each matched `Playbook` into an array, and a copy retains every string and
/// list the playbook holds (then releases them all again when the result goes): with 50 matches that
/// was a fifth of matching time. Holding the set's array costs one retain whatever the number of
/// matches; a playbook is copied only when a caller reads it. The result keeps the set's playbooks
/// alive while it lives, which is fine for a value that is read and dropped after each event.
public struct MatchedPlaybooks: RandomAccessCollection, Sendable, Hashable {
    private let playbooks: [Playbook]
    /// Ascending positions in `playbooks`.
    private let positions: [Int]

    /// The given playbooks, in that order.
    public init(_ playbooks: [Playbook] = []) {
        self.playbooks = playbooks
        self.positions = Array(playbooks.indices)
    }

    /// The playbooks of `playbooks` at `positions`.
    init(_ playbooks: [Playbook], positions: [Int]) {
        self.playbooks = playbooks
        self.positions = positions
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { positions.count }

    public subscript(index: Int) -> Playbook { playbooks[positions[index]] }

    /// Equal when they hold equal playbooks in the same order, as arrays of them are.
    public static func == (lhs: MatchedPlaybooks, rhs: MatchedPlaybooks) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for playbook in self { hasher.combine(playbook) }
    }
}
