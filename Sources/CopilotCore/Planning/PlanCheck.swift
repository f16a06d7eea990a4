public import CopilotExpressions

/// Every problem of a proposed plan, in words the model can act on: they go back to it once, as they are.
public struct PlanProblems: Error, Sendable, Hashable {
    public var problems: [String]

    public init(_ problems: [String]) {
        self.problems = problems
    }
}

/// The checks a plan passes before anything runs (CONTRACT §4a, "Checks of a plan"): 1 to `maxSteps`
/// steps; ids `[a-z0-9_-]+`, unique, and not used before in the run; `uses` among the offered actions;
/// `with` an object with no unknown and every required parameter of its action.
public struct PlanCheck: Sendable {
    public var offer: PlannerOffer
    public var maxSteps: Int
    /// Ids of the run's steps so far: a re-plan's steps may not reuse them.
    public var usedIDs: Set<StepID>

    public init(offer: PlannerOffer, maxSteps: Int, usedIDs: Set<StepID> = []) {
        self.offer = offer
        self.maxSteps = maxSteps
        self.usedIDs = usedIDs
    }

    /// The plan in `submit_plan`'s input, or every problem found in it.
    public func plan(from input: JSONValue) -> Result<Plan, PlanProblems> {
        var problems: [String] = []
        guard case .object(let object) = input else { return .failure(PlanProblems(["the input must be an object"])) }
        let summary = object["summary"]?.stringValue ?? ""
        if object["summary"]?.stringValue == nil { problems.append("summary: expected a string") }
        guard let elements = object["steps"]?.arrayValue else {
            return .failure(PlanProblems(problems + ["steps: expected a list of steps"]))
        }
        if elements.isEmpty || elements.count > maxSteps {
            problems.append("steps: expected 1 to \(maxSteps) steps, found \(elements.count)")
        }
        var seen: Set<String> = []
        var steps: [Plan.Step] = []
        for (index, element) in elements.enumerated() {
            let path = "steps[\(index)]"
            guard case .object(let fields) = element else {
                problems.append("\(path): expected an object")
                continue
            }
            let id = fields["id"]?.stringValue
            switch id {
            case nil: problems.append("\(path).id: expected a string")
            case let id? where !StepID.isValid(id):
                problems.append("\(path).id '\(id)': use only a-z, 0-9, '_' and '-'")
            case let id? where !seen.insert(id).inserted: problems.append("\(path).id '\(id)': used twice")
            case let id? where usedIDs.contains(StepID(rawValue: id)):
                problems.append("\(path).id '\(id)': already used by a step of this run")
            default: break
            }
            let action = fields["uses"]?.stringValue.flatMap(offer.action(named:))
            if action == nil {
                let offered = offer.actions.map(\.name.rawValue).joined(separator: ", ")
                let uses = fields["uses"]?.stringValue.map { "'\($0)'" } ?? "(missing)"
                problems.append("\(path).uses \(uses): not an action of this plan; use one of: \(offered)")
            }
            guard case .object(let with) = fields["with"] ?? .object([:]) else {
                problems.append("\(path).with: expected an object of parameters")
                continue
            }
            if let action {
                problems += Self.problems(of: with, for: action, at: "\(path).with")
            }
            let reason = fields["reason"]?.stringValue ?? ""
            if let id, let action {
                steps.append(Plan.Step(id: StepID(rawValue: id), uses: action.name, with: with, reason: reason))
            }
        }
        return problems.isEmpty ? .success(Plan(summary: summary, steps: steps)) : .failure(PlanProblems(problems))
    }

    private static func problems(of with: JSONObject, for action: ActionCatalogue.Action, at path: String) -> [String] {
        var problems: [String] = []
        let name = action.name.rawValue
        for key in with.keys where !action.parameters.contains(key) {
            let known = action.parameters.isEmpty ? "none" : action.parameters.joined(separator: ", ")
            problems.append("\(path).\(key): \(name) has no parameter '\(key)'; its parameters: \(known)")
        }
        for missing in action.missingParameters(in: with.keys) {
            problems.append("\(path): \(name) needs '\(missing)'")
        }
        return problems
    }
}
