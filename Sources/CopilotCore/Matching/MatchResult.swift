import CopilotExpressions

/// Which playbooks an event starts, and why each other playbook looked at does not.
public struct MatchResult: Sendable, Hashable {
    /// A playbook that did not match, and the first condition that failed.
    ///
    /// The reason's text is built when it is read, not when matching finds it: most matches are never
    /// explained to anyone, and building "found …" texts was a large share of matching time.
    /// Equality, hashing and coding use the text.
    public struct NotMatched: Sendable, Hashable, Codable {
        public var playbook: PlaybookName
        private var detail: Detail

        /// `on.incident: source is github`, `on.github.types: type is push`,
        /// `on.incident.match.incident.severity: {in: ["P0","P1"]} does not hold (found "P3")`,
        /// `if: ${{ … }} is false`.
        public var reason: String { detail.text }

        public init(playbook: PlaybookName, reason: String) {
            self.playbook = playbook
            self.detail = .text(reason)
        }

        /// A `match:` condition failed; `text` is `.match.<path>: <matcher> does not hold `.
        init(
            playbook: PlaybookName,
            failed condition: FieldCondition,
            source: EventSource,
            text: String,
            payload: JSONValue
        ) {
            self.playbook = playbook
            self.detail = .condition(source: source, text: text, path: condition.path, payload: payload)
        }

        /// The `if:` evaluated to false.
        init(playbook: PlaybookName, falseCondition text: String) {
            self.playbook = playbook
            self.detail = .falseCondition(text)
        }

        private enum Detail: Sendable {
            case text(String)
            case condition(source: EventSource, text: String, path: FieldPath, payload: JSONValue)
            case falseCondition(String)

            var text: String {
                switch self {
                case .text(let text): text
                case .condition(let source, let text, let path, let payload):
                    "on.\(source.rawValue)\(text)(found \(PlaybookSet.summary(of: path.values(in: payload))))"
                case .falseCondition(let condition): "if: \(condition) is false"
                }
            }
        }

        private enum CodingKeys: String, CodingKey { case playbook, reason }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                playbook: try container.decode(PlaybookName.self, forKey: .playbook),
                reason: try container.decode(String.self, forKey: .reason)
            )
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(playbook, forKey: .playbook)
            try container.encode(reason, forKey: .reason)
        }

        public static func == (lhs: NotMatched, rhs: NotMatched) -> Bool {
            lhs.playbook == rhs.playbook && lhs.reason == rhs.reason
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(playbook)
            hasher.combine(reason)
        }
    }

    /// The playbooks that match, in the set's order (by name).
    public var matched: MatchedPlaybooks
    /// In the set's order. With `MatchScope.candidates`, only the playbooks whose source and type fit.
    public var notMatched: [NotMatched]

    public init(matched: [Playbook] = [], notMatched: [NotMatched] = []) {
        self.init(matched: MatchedPlaybooks(matched), notMatched: notMatched)
    }

    init(matched: MatchedPlaybooks, notMatched: [NotMatched]) {
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
