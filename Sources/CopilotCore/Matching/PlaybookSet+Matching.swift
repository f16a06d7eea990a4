import CopilotExpressions

extension PlaybookSet {
    /// Matches an event: sources and types through the index, then each candidate's `match:`
    /// conditions in order, then its `if:` (over `event` and `playbook`; an error counts as false).
    public func match(_ event: Event, scope: MatchScope = .candidates) -> MatchResult {
        let candidates = index.candidates(source: event.source, type: event.type)
        // Positions, not copies of playbooks: see `MatchedPlaybooks`.
        var matched: [Int] = []
        matched.reserveCapacity(candidates.count)
        var notMatched: [MatchResult.NotMatched] = []
        notMatched.reserveCapacity(scope == .all ? playbooks.count : candidates.count)
        var memo = MatchMemo(plan, payload: event.payload)
        var eventValue: JSONValue?
        var next = 0
        for position in candidates {
            if scope == .all {
                while next < position {
                    notMatched.append(Self.unmatchedBySourceOrType(playbooks[next], event.source, event.type))
                    next += 1
                }
                next = position + 1
            }
            if let miss = failure(at: position, for: event, memo: &memo, eventValue: &eventValue) {
                notMatched.append(miss)
            } else {
                matched.append(position)
            }
        }
        if scope == .all {
            while next < playbooks.count {
                notMatched.append(Self.unmatchedBySourceOrType(playbooks[next], event.source, event.type))
                next += 1
            }
        }
        return MatchResult(matched: MatchedPlaybooks(playbooks, positions: matched), notMatched: notMatched)
    }

    /// The first condition of a candidate that fails, or nil when it matches. The index has already
    /// checked the candidate's source and type.
    private func failure(
        at position: Int,
        for event: Event,
        memo: inout MatchMemo,
        eventValue: inout JSONValue?
    ) -> MatchResult.NotMatched? {
        for index in plan.conditionRange(of: position, for: event.source) {
            let number = plan.triggerConditions[index]
            guard !memo.holds(number, in: plan) else { continue }
            return MatchResult.NotMatched(
                playbook: playbooks[position].name,
                failed: plan.conditions[number],
                source: event.source,
                text: plan.failureTexts[number],
                payload: event.payload
            )
        }
        // A shared `if:` (one that reads only `event`) is decided once per event; only the first
        // candidate carrying it evaluates it.
        if let shared = plan.sharedCondition[position] {
            guard
                var miss = memo.sharedOutcome(
                    shared,
                    evaluate: {
                        evaluate(plan.sharedConditions[shared], at: position, for: event, eventValue: &eventValue)
                    }
                )
            else { return nil }
            miss.playbook = playbooks[position].name  // the outcome names the playbook that computed it
            return miss
        }
        guard let condition = playbooks[position].condition else { return nil }
        return evaluate(condition, at: position, for: event, eventValue: &eventValue)
    }

    /// The reason `if:` does not hold for playbook `position`, or nil when it does.
    private func evaluate(
        _ condition: Template,
        at position: Int,
        for event: Event,
        eventValue: inout JSONValue?
    ) -> MatchResult.NotMatched? {
        if eventValue == nil { eventValue = event.contextValue }
        let context = EvaluationContext(values: ["event": eventValue ?? .null, "playbook": plan.contexts[position]])
        let name = playbooks[position].name
        do {
            return try condition.evaluateCondition(in: context)
                ? nil : MatchResult.NotMatched(playbook: name, falseCondition: condition.text)
        } catch {
            return MatchResult.NotMatched(playbook: name, reason: "if: \(condition.text) failed: \(error.message)")
        }
    }

    /// Whether any playbook listens to events of `source` and `type`: when none does, matching such an
    /// event needs no payload.
    public func listens(source: EventSource, type: String) -> Bool {
        !index.candidates(source: source, type: type).isEmpty
    }

    /// Why each playbook that does not listen to `source` and `type` ignores such an event, in the set's
    /// order: what `match(_:scope: .all)` explains beyond `.candidates`. It depends on the source and type
    /// alone, so it can be told later, without the event's payload (the events API does).
    public func reasonsNotListening(source: EventSource, type: String) -> [MatchResult.NotMatched] {
        var reasons: [MatchResult.NotMatched] = []
        var next = 0
        for position in index.candidates(source: source, type: type) + [playbooks.count] {
            while next < position {
                reasons.append(Self.unmatchedBySourceOrType(playbooks[next], source, type))
                next += 1
            }
            next = position + 1
        }
        return reasons
    }

    /// Why a playbook that is not a candidate does not match: its sources, or its types.
    static func unmatchedBySourceOrType(
        _ playbook: Playbook,
        _ source: EventSource,
        _ type: String
    ) -> MatchResult.NotMatched {
        let reason: String
        if let trigger = playbook.trigger(for: source) {
            reason = "on.\(trigger.source.rawValue).types: type is \(type)"
        } else {
            let sources = playbook.triggers.map { "on.\($0.source.rawValue)" }.joined(separator: ", ")
            reason = "\(sources.isEmpty ? "on" : sources): source is \(source.rawValue)"
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
