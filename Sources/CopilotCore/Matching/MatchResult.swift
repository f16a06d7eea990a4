/// Which playbooks an event starts, and why each other playbook looked at does not.
public struct MatchResult: Sendable, Hashable {
    /// A playbook that did not match, and the first condition that failed.
    public struct NotMatched: Sendable, Hashable, Codable {
        public var playbook: PlaybookName
        /// `on.incident: source is github`, `on.github.types: type is push`,
        /// `on.incident.match.incident.severity: {in: ["P0","P1"]} does not hold (found "P3")`,
        /// `if: ${{ … }} is false`.
        public var reason: String

        public init(playbook: PlaybookName, reason: String) {
            self.playbook = playbook
            self.reason = reason
        }
    }

    /// The playbooks that match, in the set's order (by name).
    public var matched: [Playbook]
    /// In the set's order. With `MatchScope.candidates`, only the playbooks whose source and type fit.
    public var notMatched: [NotMatched]

    public init(matched: [Playbook] = [], notMatched: [NotMatched] = []) {
        self.matched = matched
        self.notMatched = notMatched
    }
}

/// How many non-matching playbooks a match explains.
public enum MatchScope: Sendable, Hashable {
    /// Only the playbooks that listen to the event's source and type (the fast path: the cost grows with
    /// those playbooks only).
    case candidates
    /// Every playbook of the set (dry runs, the API's per-event explanation).
    case all
}
