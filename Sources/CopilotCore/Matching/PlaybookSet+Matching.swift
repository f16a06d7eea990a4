extension PlaybookSet {
    /// Matches an event: sources and types through the index, then each candidate's `match:`
    /// conditions in order, then its `if:` (over `event` and `playbook`; an error counts as false).
    public func match(_ event: Event, scope: MatchScope = .candidates) -> MatchResult {
        let candidates = index.candidates(source: event.source, type: event.type)
        var result = MatchResult()
        var eventValue: JSONValue?
        var next = 0
        for position in candidates {
            if scope == .all {
                while next < position {
                    result.notMatched.append(Self.unmatchedBySourceOrType(playbooks[next], event))
                    next += 1
                }
                next = position + 1
            }
            let playbook = playbooks[position]
            if let reason = Self.failure(of: playbook, for: event, eventValue: &eventValue) {
                result.notMatched.append(.init(playbook: playbook.name, reason: reason))
            } else {
                result.matched.append(playbook)
            }
        }
        if scope == .all {
            while next < playbooks.count {
                result.notMatched.append(Self.unmatchedBySourceOrType(playbooks[next], event))
                next += 1
            }
        }
        return result
    }

    /// The first condition of a candidate (its source and type fit) that fails, or nil when it matches.
    static func failure(of playbook: Playbook, for event: Event, eventValue: inout JSONValue?) -> String? {
        guard let trigger = playbook.trigger(for: event.source) else {
            return unmatchedBySourceOrType(playbook, event).reason
        }
        guard trigger.admits(type: event.type) else { return unmatchedBySourceOrType(playbook, event).reason }
        for condition in trigger.conditions where !condition.holds(in: event.payload) {
            return "on.\(trigger.source.rawValue).match.\(condition.path.text): \(condition.matcher) does not hold "
                + "(found \(Self.summary(of: condition.path.values(in: event.payload))))"
        }
        guard let condition = playbook.condition else { return nil }
        if eventValue == nil { eventValue = event.contextValue }
        let context = EvaluationContext(values: ["event": eventValue ?? .null, "playbook": playbook.contextValue])
        do {
            return try condition.evaluateCondition(in: context) ? nil : "if: \(condition.text) is false"
        } catch {
            return "if: \(condition.text) failed: \(error.message)"
        }
    }

    /// Why a playbook that is not a candidate does not match: its sources, or its types.
    static func unmatchedBySourceOrType(_ playbook: Playbook, _ event: Event) -> MatchResult.NotMatched {
        let reason: String
        if let trigger = playbook.trigger(for: event.source) {
            reason = "on.\(trigger.source.rawValue).types: type is \(event.type)"
        } else {
            let sources = playbook.triggers.map { "on.\($0.source.rawValue)" }.joined(separator: ", ")
            reason = "\(sources.isEmpty ? "on" : sources): source is \(event.source.rawValue)"
        }
        return .init(playbook: playbook.name, reason: reason)
    }

    /// The values a path reached, for a message: `"P3"`, `["a","b"]`, or `nothing`.
    static func summary(of values: [JSONValue]) -> String {
        let text: String
        switch values.count {
        case 0: return "nothing"
        case 1: text = values[0].jsonText
        default: text = JSONValue.array(values).jsonText
        }
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }
}
