/// What matching shares across the playbooks of a set, computed once when the set is built.
///
/// Real sets repeat themselves: many playbooks test the same repository, branch, severity or label, and
/// many use the same `if:`. Each distinct condition gets a number, so one event evaluates it once however
/// many candidates carry it (`MatchMemo`), and the texts and context values that explanations and `if:`
/// need are built here instead of for every event.
struct MatchPlan: Sendable {
    /// The distinct `match:` conditions of the set.
    let conditions: [FieldCondition]
    /// Per condition: `.match.<path>: <matcher> does not hold ` (the failure text without its source).
    let failureTexts: [String]
    /// Per playbook and source (`position * sources + ordinal`): the numbers of its trigger's conditions.
    let triggerConditions: [[Int]]
    /// The distinct `if:` templates that read only `event`: their value is the same for every playbook.
    let sharedConditions: [Template]
    /// For each playbook, the number of its `if:` among `sharedConditions`, when it is one.
    let sharedCondition: [Int?]
    /// For each playbook, `playbook.contextValue`.
    let contexts: [JSONValue]

    static let sources = EventSource.allCases

    init(_ playbooks: [Playbook]) {
        var conditionNumbers: [FieldCondition: Int] = [:]
        var conditions: [FieldCondition] = []
        var templateNumbers: [String: Int] = [:]
        var sharedConditions: [Template] = []
        var triggerConditions: [[Int]] = []
        var sharedCondition: [Int?] = []
        for playbook in playbooks {
            for source in Self.sources {
                let trigger = playbook.trigger(for: source)
                triggerConditions.append(
                    (trigger?.conditions ?? []).map { condition in
                        if let number = conditionNumbers[condition] { return number }
                        conditionNumbers[condition] = conditions.count
                        conditions.append(condition)
                        return conditions.count - 1
                    }
                )
            }
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
        self.failureTexts = conditions.map { ".match.\($0.path.text): \($0.matcher) does not hold " }
        self.triggerConditions = triggerConditions
        self.sharedConditions = sharedConditions
        self.sharedCondition = sharedCondition
        self.contexts = playbooks.map(\.contextValue)
    }

    /// The condition numbers of the trigger of playbook `position` for `source`.
    func conditionNumbers(of position: Int, for source: EventSource) -> [Int] {
        let ordinal: Int =
            switch source {
            case .github: 0
            case .incident: 1
            case .alertmanager: 2
            case .pagerduty: 3
            }
        return triggerConditions[position * Self.sources.count + ordinal]
    }
}

/// One event's results of the plan's shared work: each computed on first use.
///
/// Dense byte arrays rather than dictionaries: clearing one per event is a single `memset`, while a
/// dictionary lookup per condition per candidate was most of the remaining matching time.
struct MatchMemo {
    private static let unknown: UInt8 = 0
    private static let holdsValue: UInt8 = 1
    private static let failsValue: UInt8 = 2

    /// Per condition: unknown, holds, or fails.
    private var holds: [UInt8]
    /// Per shared `if:`: unknown, holds, or fails (then its reason is in `sharedMisses`).
    private var shared: [UInt8]
    private var sharedMisses: [Int: MatchResult.NotMatched] = [:]

    init(_ plan: MatchPlan) {
        holds = Array(repeating: Self.unknown, count: plan.conditions.count)
        shared = Array(repeating: Self.unknown, count: plan.sharedConditions.count)
    }

    /// Whether condition `number` holds for `payload`, evaluating it once.
    mutating func holds(_ number: Int, in plan: MatchPlan, payload: JSONValue) -> Bool {
        switch holds[number] {
        case Self.holdsValue: return true
        case Self.failsValue: return false
        default:
            let result = plan.conditions[number].holds(in: payload)
            holds[number] = result ? Self.holdsValue : Self.failsValue
            return result
        }
    }

    /// The outcome of shared `if:` number `number`, evaluating it once.
    mutating func sharedOutcome(
        _ number: Int,
        evaluate: () -> MatchResult.NotMatched?
    ) -> MatchResult.NotMatched? {
        switch shared[number] {
        case Self.holdsValue: return nil
        case Self.failsValue: return sharedMisses[number]
        default:
            let outcome = evaluate()
            shared[number] = outcome == nil ? Self.holdsValue : Self.failsValue
            if let outcome { sharedMisses[number] = outcome }
            return outcome
        }
    }
}
