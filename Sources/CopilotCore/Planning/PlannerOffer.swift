public import CopilotExpressions

/// The actions a run's planner may propose (CONTRACT §4a): the playbook's `agent.allowed` that its
/// `run_as` service account may use and the catalogue knows, in `allowed`'s order. Nothing else is ever
/// named to the model, so nothing else can come back as allowed.
public struct PlannerOffer: Sendable, Hashable {
    /// The name of the one tool the model is given.
    public static let toolName = "submit_plan"

    public var actions: [ActionCatalogue.Action]

    public init(actions: [ActionCatalogue.Action]) {
        self.actions = actions
    }

    /// `agent.allowed ∩ run_as`, each action with its `with:` parameters from `catalogue`.
    public init(
        agent: PlaybookAgent,
        runAs: String?,
        serviceAccounts: ServiceAccountPolicy,
        catalogue: ActionCatalogue
    ) {
        var seen: Set<ActionName> = []
        actions = agent.allowed.compactMap { name in
            guard seen.insert(name).inserted, serviceAccounts.allows(runAs: runAs, action: name) else { return nil }
            return catalogue[name]
        }
    }

    public func action(named name: String) -> ActionCatalogue.Action? {
        actions.first { $0.name.rawValue == name }
    }

    /// What `submit_plan` is for, with each offered action's parameters (required ones marked): the
    /// schema's `with` is an object whatever the action, so the parameters are told here.
    public var toolDescription: String {
        let lines = actions.map { action in
            let parameters = action.parameters.map { action.required.contains($0) ? "\($0) (required)" : $0 }
            return "- \(action.name.rawValue): "
                + (parameters.isEmpty ? "no parameters" : parameters.joined(separator: ", "))
        }
        return """
            Submit the remediation plan: the steps to run, in order, each one action from the list below with \
            its parameters in `with`. Only these actions exist; values are used literally.
            \(lines.joined(separator: "\n"))
            """
    }

    /// The JSON Schema of `submit_plan`'s input: `{"summary", "steps": [{"id", "uses", "with", "reason"}]}`
    /// with `uses` an enum of exactly the offered actions.
    public func toolSchema(maxSteps: Int) -> JSONValue {
        let step: JSONValue = [
            "type": "object",
            "properties": [
                "id": ["type": "string", "pattern": "^[a-z0-9_-]+$", "description": "unique step id"],
                "uses": ["type": "string", "enum": .array(actions.map { .string($0.name.rawValue) })],
                "with": ["type": "object", "description": "the action's parameters"],
                "reason": ["type": "string", "description": "why this step"],
            ],
            "required": ["id", "uses", "with", "reason"],
            "additionalProperties": false,
        ]
        return [
            "type": "object",
            "properties": [
                "summary": ["type": "string", "description": "the diagnosis and the plan, in a sentence or two"],
                "steps": ["type": "array", "minItems": 1, "maxItems": .number(Double(maxSteps)), "items": step],
            ],
            "required": ["summary", "steps"],
            "additionalProperties": false,
        ]
    }
}
