extension PlaybookSet {
    /// Matches an event: sources and types through the index, then each candidate's `match:`
    /// conditions in order, then its `if:` (over `event` and `playbook`; an error counts as false).
    public func match(_ event: Event, scope: MatchScope = .candidates) -> MatchResult {
        let candidates = index.candidates(source: event.source, type: event.type)
        var result = MatchResult()
        var memo = MatchMemo(candidates: candidates.count)
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
            if let reason = failure(at: position, for: event, memo: &memo, eventValue: &eventValue) {
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

    /// The first condition of a candidate that fails, or nil when it matches. The index has already
    /// checked the candidate's source and type.
    private func failure(
        at position: Int,
        for event: Event,
        memo: inout MatchMemo,
        eventValue: inout JSONValue?
    ) -> String? {
        for number in plan.triggerConditions[position][event.source] ?? [] {
            if let reason = memo.failure(of: number, in: plan, for: event) { return reason }
        }
        guard let condition = playbooks[position].condition else { return nil }
        func evaluate() -> String? {
            if eventValue == nil { eventValue = event.contextValue }
            let context = EvaluationContext(values: ["event": eventValue ?? .null, "playbook": plan.contexts[position]])
            do {
                return try condition.evaluateCondition(in: context) ? nil : "if: \(condition.text) is false"
            } catch {
                return "if: \(condition.text) failed: \(error.message)"
            }
        }
        guard let shared = plan.sharedCondition[position] else { return evaluate() }
        return memo.sharedOutcome(shared, evaluate: evaluate)
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
