public import CopilotExpressions

/// One source under a playbook's `on:`: which event types, and which payload conditions must hold.
public struct Trigger: Sendable, Hashable {
    public var source: EventSource
    /// Full types (`pull_request.opened`) or, for GitHub, event names (`pull_request`, every action of
    /// it). Empty means any type.
    public var types: [String]
    /// All must hold (`match:`), in the order written.
    public var conditions: [FieldCondition]

    public init(source: EventSource, types: [String] = [], conditions: [FieldCondition] = []) {
        self.source = source
        self.types = types
        self.conditions = conditions
    }

    /// True when the trigger's `types:` admit an event type.
    public func admits(type: String) -> Bool {
        if types.isEmpty { return true }
        return types.contains { Self.type(type, isCoveredBy: $0, source: source) }
    }

    /// `pull_request.opened` is covered by `pull_request.opened` and, for GitHub, by `pull_request`.
    public static func type(_ type: String, isCoveredBy filter: String, source: EventSource) -> Bool {
        if type == filter { return true }
        guard source == .github, !filter.contains("."), type.count > filter.count else { return false }
        return type.hasPrefix(filter) && type.dropFirst(filter.count).first == "."
    }
}

/// `path: matcher` under `match:`.
public struct FieldCondition: Sendable, Hashable {
    public var path: FieldPath
    public var matcher: FieldMatcher

    public init(path: FieldPath, matcher: FieldMatcher) {
        self.path = path
        self.matcher = matcher
    }

    /// True when the matcher holds at the path of the payload.
    public func holds(in payload: JSONValue) -> Bool {
        matcher.holds(at: path, in: payload)
    }
}
