/// What matching shares across the playbooks of a set, computed once when the set is built.
///
/// Real sets repeat themselves: many playbooks test the same repository, branch, severity or label, and
/// many use the same `if:`. Each distinct condition gets a number, so one event evaluates it once however
/// many candidates carry it (`MatchMemo`), and each playbook's `playbook` context value is built here
/// instead of for every event.
struct MatchPlan: Sendable {
    /// The distinct `match:` conditions of the set.
    let conditions: [FieldCondition]
    /// For each playbook, for each of its triggers (by source), the numbers of its conditions in order.
    let triggerConditions: [[EventSource: [Int]]]
    /// The distinct `if:` templates that read only `event`: their value is the same for every playbook.
    let sharedConditions: [Template]
    /// For each playbook, the number of its `if:` among `sharedConditions`, when it is one.
    let sharedCondition: [Int?]
    /// For each playbook, `playbook.contextValue`.
    let contexts: [JSONValue]

    init(_ playbooks: [Playbook]) {
        var conditionNumbers: [FieldCondition: Int] = [:]
        var conditions: [FieldCondition] = []
        var templateNumbers: [String: Int] = [:]
        var sharedConditions: [Template] = []
        var triggerConditions: [[EventSource: [Int]]] = []
        var sharedCondition: [Int?] = []
        for playbook in playbooks {
            var bySource: [EventSource: [Int]] = [:]
            for trigger in playbook.triggers {
                bySource[trigger.source] = trigger.conditions.map { condition in
                    if let number = conditionNumbers[condition] { return number }
                    conditionNumbers[condition] = conditions.count
                    conditions.append(condition)
                    return conditions.count - 1
                }
            }
            triggerConditions.append(bySource)
            if let template = playbook.condition, template.referencedNames.isSubset(of: ["event"]) {
                if let number = templateNumbers[template.text] {
                    sharedCondition.append(number)
                } else {
                    templateNumbers[template.text] = sharedConditions.count
                    sharedCondition.append(sharedConditions.count)
                    sharedConditions.append(template)
                }
            } else {
                sharedCondition.append(nil)
            }
        }
        self.conditions = conditions
        self.triggerConditions = triggerConditions
        self.sharedConditions = sharedConditions
        self.sharedCondition = sharedCondition
        self.contexts = playbooks.map(\.contextValue)
    }
}

/// One event's results of the plan's shared work: each computed on first use.
struct MatchMemo {
    /// Per condition evaluated so far: whether it holds. Sparse, so an event pays only for its
    /// candidates' conditions, not for every condition of the set.
    private var holds: [Int: Bool] = [:]
    /// Per condition that failed: the reason, built once.
    private var reasons: [Int: String] = [:]
    /// Per shared `if:`: nil until evaluated, then nil for "holds" or the reason it does not.
    private var sharedOutcomes: [Int: String?] = [:]

    init(candidates: Int) {
        holds.reserveCapacity(candidates * 2)
    }

    /// The reason condition `number` fails for `event`, or nil when it holds.
    mutating func failure(of number: Int, in plan: MatchPlan, for event: Event) -> String? {
        let condition = plan.conditions[number]
        let result: Bool
        if let known = holds[number] {
            result = known
        } else {
            result = condition.holds(in: event.payload)
            holds[number] = result
        }
        if result { return nil }
        if let reason = reasons[number] { return reason }
        let reason =
            "on.\(event.source.rawValue).match.\(condition.path.text): \(condition.matcher) does not hold "
            + "(found \(PlaybookSet.summary(of: condition.path.values(in: event.payload))))"
        reasons[number] = reason
        return reason
    }

    /// The outcome of shared `if:` number `number`, evaluating it once.
    mutating func sharedOutcome(_ number: Int, evaluate: () -> String?) -> String? {
        if let known = sharedOutcomes[number] { return known }
        let outcome = evaluate()
        sharedOutcomes[number] = .some(outcome)
        return outcome
    }
}
