import CopilotExpressions

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
    /// Per condition: the number of its path among the set's distinct paths, so that one event reads
    /// each path once however many conditions test it (`MatchMemo`).
    let conditionPaths: [Int]
    /// How many distinct paths the conditions use.
    let pathCount: Int
    /// The condition numbers of every playbook's trigger for every source, end to end (see
    /// `conditionRange`). One flat list rather than a list per trigger, so that reading a candidate's
    /// conditions retains nothing.
    let triggerConditions: [Int]
    /// Per playbook and source (`position * sources + ordinal`): where its trigger's numbers start in
    /// `triggerConditions`; one more entry ends the last.
    let triggerStarts: [Int]
    /// The distinct `if:` templates that read only `event`: their value is the same for every playbook.
    let sharedConditions: [Template]
    /// For each playbook, the number of its `if:` among `sharedConditions`, when it is one.
    let sharedCondition: [Int?]
    /// For each playbook, `playbook.contextValue`.
    let contexts: [JSONValue]
    /// Per playbook and source (as `triggerStarts`): what matching an event of the source against the
    /// playbook reads of the payload (`Playbook.payloadPaths(for:)`).
    let payloadPaths: [[[String]]]

    static let sources = EventSource.allCases

    init(_ playbooks: [Playbook]) {
        var conditionNumbers: [FieldCondition: Int] = [:]
        var conditions: [FieldCondition] = []
        var pathNumbers: [String: Int] = [:]
        var conditionPaths: [Int] = []
        var templateNumbers: [String: Int] = [:]
        var sharedConditions: [Template] = []
        var triggerConditions: [Int] = []
        var triggerStarts: [Int] = [0]
        var sharedCondition: [Int?] = []
        var payloadPaths: [[[String]]] = []
        for playbook in playbooks {
            for source in Self.sources {
                payloadPaths.append(playbook.payloadPaths(for: source))
                for condition in playbook.trigger(for: source)?.conditions ?? [] {
                    if let number = conditionNumbers[condition] {
                        triggerConditions.append(number)
                        continue
                    }
                    conditionNumbers[condition] = conditions.count
                    triggerConditions.append(conditions.count)
                    conditions.append(condition)
                    if let path = pathNumbers[condition.path.text] {
                        conditionPaths.append(path)
                    } else {
                        pathNumbers[condition.path.text] = pathNumbers.count
                        conditionPaths.append(pathNumbers.count - 1)
                    }
                }
                triggerStarts.append(triggerConditions.count)
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
        self.conditionPaths = conditionPaths
        self.pathCount = pathNumbers.count
        self.triggerConditions = triggerConditions
        self.triggerStarts = triggerStarts
        self.sharedConditions = sharedConditions
        self.sharedCondition = sharedCondition
        self.contexts = playbooks.map(\.contextValue)
        self.payloadPaths = payloadPaths
    }

    /// Where the condition numbers of the trigger of playbook `position` for `source` are in
    /// `triggerConditions`.
    func conditionRange(of position: Int, for source: EventSource) -> Range<Int> {
        let trigger = Self.trigger(of: position, for: source)
        return triggerStarts[trigger]..<triggerStarts[trigger + 1]
    }

    /// The payload paths matching an event of `source` against playbook `position` reads.
    func payloadPaths(of position: Int, for source: EventSource) -> [[String]] {
        payloadPaths[Self.trigger(of: position, for: source)]
    }

    /// The number of playbook `position`'s trigger for `source`, in the per-trigger lists.
    private static func trigger(of position: Int, for source: EventSource) -> Int {
        let ordinal: Int =
            switch source {
            case .github: 0
            case .incident: 1
            case .alertmanager: 2
            case .pagerduty: 3
            }
        return position * sources.count + ordinal
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
    /// The event's payload, held here once rather than handed to every `holds` (each hand-over copied
    /// it, a retain and a release per condition per candidate).
    private let payload: JSONValue
    /// Per path: the values it reaches in the payload, once read.
    private var reached: [[JSONValue]?]
    /// Per shared `if:`: unknown, holds, or fails (then its reason is in `sharedMisses`).
    private var shared: [UInt8]
    private var sharedMisses: [Int: MatchResult.NotMatched] = [:]

    init(_ plan: MatchPlan, payload: JSONValue) {
        self.payload = payload
        holds = Array(repeating: Self.unknown, count: plan.conditions.count)
        reached = Array(repeating: nil, count: plan.pathCount)
        shared = Array(repeating: Self.unknown, count: plan.sharedConditions.count)
    }

    /// Whether condition `number` holds for the payload, evaluating it once.
    mutating func holds(_ number: Int, in plan: MatchPlan) -> Bool {
        switch holds[number] {
        case Self.holdsValue: return true
        case Self.failsValue: return false
        default:
            let path = plan.conditionPaths[number]
            let values: [JSONValue]
            if let known = reached[path] {
                values = known
            } else {
                values = plan.conditions[number].path.values(in: payload)
                reached[path] = values
            }
            let result = plan.conditions[number].matcher.holds(amongReached: values)
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
